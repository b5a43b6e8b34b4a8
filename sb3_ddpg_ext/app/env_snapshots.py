"""Exact snapshots of running envs, without pickling them: record each episode, replay it on resume.

Envs hold what cannot be pickled (MuJoCo's solver warm starts, Box2D worlds, renderers, open monitor
files). But a Gymnasium env is deterministic given its generator, so its state mid-episode is fixed by
the generator at the episode's reset and the actions since. :class:`EpisodeRecorder` keeps those; a
fresh env replays them and is then in exactly the recorded state.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper, VecNormalize, VecTransposeImage

from sb3_ddpg_ext.app.guards import NanGuard

# VecEnv wrappers whose state a snapshot restores; stateless ones need nothing.
STATELESS_VEC_WRAPPERS = (VecTransposeImage,)
# VecNormalize's running statistics, as snapshots hold them.
NORMALIZE = ("obs_rms", "ret_rms", "returns")


class EpisodeRecorder(gym.Wrapper):
    """Record the current episode (how it was reset, and its actions) so a fresh env can replay it.

    Example:
        >>> env = EpisodeRecorder(gym.make("Pendulum-v1"))
        >>> _ = env.reset(seed=0)
        >>> _ = env.step(env.action_space.sample())
        >>> twin = EpisodeRecorder(gym.make("Pendulum-v1"))
        >>> twin.replay(env.episode_record())
        >>> bool((twin.unwrapped.state == env.unwrapped.state).all())
        True

    :param env: the env to record; it must draw all its randomness from its own ``np_random``.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self._record: dict[str, Any] = {"reset": None, "actions": [], "last_obs": None}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict]:
        # Without a seed, reset draws from the generator as it stands now: keep a copy of it.
        generator = None if seed is not None else copy.deepcopy(self.env.unwrapped.np_random)
        self._record = {"reset": (seed, generator, copy.deepcopy(options)), "actions": []}
        obs, info = self.env.reset(seed=seed, options=options)
        self._record["last_obs"] = obs  # copied only when a snapshot is taken (episode_record)
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict]:
        self._record["actions"].append(np.array(action, copy=True))
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._record["last_obs"] = obs
        return obs, reward, terminated, truncated, info

    def episode_record(self) -> dict[str, Any]:
        """What :meth:`replay` needs; a copy, so later steps do not change it."""
        return copy.deepcopy(self._record)

    def replay(self, record: dict[str, Any]) -> None:
        """Put this env into the recorded state: the same reset, then the same actions."""
        if record["reset"] is None:
            return  # never reset: nothing to restore
        seed, generator, options = record["reset"]
        if generator is not None:
            self.env.unwrapped.np_random = copy.deepcopy(generator)
        self.reset(seed=seed, options=options)
        for action in record["actions"]:
            self.step(action)
        if not _equal(self._record["last_obs"], record["last_obs"]):
            warnings.warn(
                f"Replaying the recorded episode of {self.env} gave another observation: the env does not "
                "draw all its randomness from its np_random, so the resumed run is not an exact "
                "continuation.",
                stacklevel=2,
            )

    def monitor_log(self) -> tuple[float, str] | None:
        """The start time and the text of the Monitor file below this wrapper (None without one)."""
        monitor = _find_monitor(self.env)
        if monitor is None or monitor.results_writer is None:
            return None
        monitor.results_writer.file_handler.flush()
        return monitor.t_start, Path(monitor.results_writer.file_handler.name).read_text()

    def restore_monitor_log(self, log: tuple[float, str] | None) -> None:
        """Rewrite the Monitor file as it was at the snapshot, dropping episodes logged after it."""
        monitor = _find_monitor(self.env)
        if log is None or monitor is None or monitor.results_writer is None:
            return
        monitor.t_start, text = log
        handle = monitor.results_writer.file_handler
        handle.seek(0)
        handle.truncate()
        handle.write(text)
        handle.flush()


def _find_monitor(env: gym.Env) -> Monitor | None:
    while isinstance(env, gym.Wrapper):
        if isinstance(env, Monitor):
            return env
        env = env.env
    return None


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[key], b[key]) for key in a)
    return bool(np.array_equal(a, b))


def with_recorder(wrapper: Any) -> Any:
    """An rl_zoo3 ``env_wrapper`` callable that applies ``wrapper`` (may be None), then EpisodeRecorder."""

    def wrap(env: gym.Env) -> gym.Env:
        return EpisodeRecorder(wrapper(env) if wrapper is not None else env)

    return wrap


def check_snapshot_support(venv: VecEnv | None) -> None:
    """Refuse, before training, a VecEnv whose state :func:`snapshot` cannot capture."""
    if venv is None:
        raise ValueError("Checkpoints capture the model's envs, and this model has none.")
    env: VecEnv = venv
    while isinstance(env, VecEnvWrapper):
        if not isinstance(env, (NanGuard, VecNormalize, *STATELESS_VEC_WRAPPERS)):
            raise ValueError(f"Checkpoints cannot capture the state of {type(env).__name__}.")
        env = env.venv
    if not all(venv.env_is_wrapped(EpisodeRecorder)):
        raise ValueError("Checkpoints need every env wrapped in EpisodeRecorder (see with_recorder).")


def snapshot(venv: VecEnv) -> dict[str, Any]:
    """The state of a VecEnv of recorded envs: their episodes, Monitor files and VecNormalize statistics."""
    state: dict[str, Any] = {
        "episodes": venv.env_method("episode_record"),
        "monitor_logs": venv.env_method("monitor_log"),
    }
    env: VecEnv = venv
    while isinstance(env, VecEnvWrapper):
        if isinstance(env, VecNormalize):
            # obs_rms exists only with norm_obs (and ret_rms, in older SB3, only with norm_reward).
            held = vars(env)
            state["normalize"] = copy.deepcopy({name: held[name] for name in NORMALIZE if name in held})
        env = env.venv
    return state


def restore(venv: VecEnv, state: dict[str, Any], steps: int) -> None:
    """Put a freshly made VecEnv (same config) into a snapshot's state, ``steps`` steps into training."""
    for index, (episode, log) in enumerate(zip(state["episodes"], state["monitor_logs"], strict=True)):
        venv.env_method("restore_monitor_log", log, indices=[index])
        venv.env_method("replay", episode, indices=[index])
        if episode["reset"] is not None:
            # The seed given at creation was for the first reset, which this env had before the snapshot
            # (an env never reset, such as an eval env before the first evaluation, keeps it).
            # On the VecEnv that resets the envs: every wrapper above it holds a _seeds list of its own.
            venv.unwrapped._seeds[index] = None
    env: VecEnv = venv
    while isinstance(env, VecEnvWrapper):
        if isinstance(env, VecNormalize):
            saved = copy.deepcopy(state["normalize"])
            if isinstance(saved, tuple):  # a checkpoint written before 0.3.0
                saved = dict(zip(NORMALIZE, saved, strict=True))
            for name, value in saved.items():
                setattr(env, name, value)
        if isinstance(env, NanGuard):
            env.steps = steps
        env = env.venv
