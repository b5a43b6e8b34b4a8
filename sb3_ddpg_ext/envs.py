"""Env ids for learning from pixels, registered with Gymnasium when ``sb3_ddpg_ext`` is imported.

``PendulumPixels-v1`` and ``InvertedPendulumPixels-v5`` are their low-dimensional envs rendered as the
paper's pixel observations (:class:`sb3_ddpg_wrappers.PaperPixels`: 3 repeats, 64x64 RGB) with actions in
[-1, 1] (:class:`sb3_ddpg_wrappers.NormalizedActions`). Registered ids are what rl_zoo3 configs key their
entries by, so the pixel variants get entries of their own.
"""

from __future__ import annotations

import os
from typing import Any

import gymnasium as gym

from sb3_ddpg_wrappers import NormalizedActions, PaperPixels

PIXEL_ENVS = {"PendulumPixels-v1": "Pendulum-v1", "InvertedPendulumPixels-v5": "InvertedPendulum-v5"}


def make_pixel_env(
    env_id: str,
    repeat: int = 3,
    size: int = 64,
    grayscale: bool = False,
    render_mode: str = "rgb_array",
    **kwargs: Any,
) -> gym.Env:
    """``env_id`` observed through :class:`sb3_ddpg_wrappers.PaperPixels`, with actions in [-1, 1].

    :param env_id: the low-dimensional env.
    :param repeat: env steps and frames per agent action.
    :param size: side of the square frames.
    :param grayscale: one channel per frame.
    :param render_mode: must be ``"rgb_array"`` (the observations are rendered frames); accepted so that
        tools which ask for it, such as video recorders, work.
    :param kwargs: keyword arguments for ``gym.make(env_id)``.
    """
    if render_mode != "rgb_array":
        raise ValueError(f"{env_id} from pixels renders with render_mode='rgb_array', not {render_mode!r}.")
    if env_id.startswith("InvertedPendulum"):
        # MuJoCo renders off-screen through EGL unless the user chose a backend (osmesa, glfw).
        os.environ.setdefault("MUJOCO_GL", "egl")
    env = gym.make(env_id, render_mode="rgb_array", **kwargs)
    return PaperPixels(NormalizedActions(env), repeat=repeat, size=size, grayscale=grayscale)


def register_pixel_envs() -> None:
    for pixel_id, env_id in PIXEL_ENVS.items():
        if pixel_id not in gym.registry:
            # No time limit of its own: the inner env's (in env steps) ends the episode inside PaperPixels.
            gym.register(pixel_id, entry_point=f"{__name__}:make_pixel_env", kwargs={"env_id": env_id})
