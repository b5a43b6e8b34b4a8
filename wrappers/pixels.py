"""The DDPG paper's pixel observations: rendered frames of each repeated action, downsampled and stacked."""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .action_repeat import check_repeat, repeat_action

LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601, as PIL's and OpenCV's RGB-to-gray


def downsample(frame: np.ndarray, size: int) -> np.ndarray:
    """Area-average an ``(H, W, C)`` uint8 frame to ``(size, size, C)`` (no OpenCV needed).

    Each output pixel is the rounded mean of its block of input pixels; block edges are at
    ``floor(i * H / size)``, so sizes that do not divide evenly get blocks that differ by one pixel.
    """
    height, width = frame.shape[:2]
    if height < size or width < size:
        raise ValueError(
            f"The env renders {height}x{width} frames, smaller than size={size}: choose size <= "
            f"{min(height, width)}."
        )
    rows = np.arange(size) * height // size
    cols = np.arange(size) * width // size
    sums = np.add.reduceat(np.add.reduceat(frame.astype(np.uint32), rows, axis=0), cols, axis=1)
    counts = np.diff(rows, append=height)[:, None, None] * np.diff(cols, append=width)[None, :, None]
    return ((sums + counts // 2) // counts).astype(np.uint8)


class PaperPixels(gym.Wrapper[np.ndarray, Any, Any, Any], gym.utils.RecordConstructorArgs):
    """Observe the env through rendered frames, as in the DDPG paper's pixel experiments.

    Each agent action is applied for ``repeat`` env steps with a render after each one; every frame is
    area-averaged to ``size x size`` and the frames are stacked on the channel axis, so with the paper's
    3 repeats and RGB a step returns a ``(64, 64, 9)`` uint8 observation (height, width, channels: SB3's
    image convention, which SB3 transposes for its CNNs). The reward is the sum over the repeats. If the
    episode ends inside the repeat the env is not stepped further, and the last frame fills the remaining
    slots. On reset, the first frame fills every slot.

    Example:
        >>> import gymnasium as gym
        >>> from sb3_ddpg_wrappers import NormalizedActions, PaperPixels
        >>> env = PaperPixels(NormalizedActions(gym.make("Pendulum-v1", render_mode="rgb_array")))
        >>> env.observation_space
        Box(0, 255, (64, 64, 9), uint8)

    :param env: an env created with ``render_mode="rgb_array"``.
    :param repeat: env steps (and frames) per agent action.
    :param size: the side of the square downsampled frames.
    :param grayscale: one luminance channel per frame instead of three RGB channels.
    :param keep_state: also put the env's own (low-dimensional) observation in ``info["state"]``.
    """

    def __init__(
        self, env: gym.Env, repeat: int = 3, size: int = 64, grayscale: bool = False, keep_state: bool = False
    ):
        check_repeat(repeat, "PaperPixels")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"PaperPixels needs size to be an integer >= 1, got {size!r}.")
        if env.render_mode != "rgb_array":
            raise ValueError(
                f"PaperPixels observes rendered frames, which needs render_mode='rgb_array', but this env "
                f"has render_mode={env.render_mode!r}. Create it with "
                f"gym.make({env.spec.id if env.spec else 'ENV_ID'!r}, render_mode='rgb_array')."
            )
        gym.utils.RecordConstructorArgs.__init__(
            self, repeat=repeat, size=size, grayscale=grayscale, keep_state=keep_state
        )
        gym.Wrapper.__init__(self, env)
        self.repeat, self.size, self.grayscale, self.keep_state = repeat, size, grayscale, keep_state
        channels = (1 if grayscale else 3) * repeat
        self.observation_space = spaces.Box(0, 255, (size, size, channels), np.uint8)
        self._frames: list[np.ndarray] = []

    def _render_frame(self) -> None:
        frame = self.env.render()
        if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError(
                f"PaperPixels needs render() to return an (H, W, 3) RGB array, got "
                f"{getattr(frame, 'shape', type(frame).__name__)}."
            )
        small = downsample(frame, self.size)
        if self.grayscale:
            small = np.rint(small @ LUMA).astype(np.uint8)[..., None]
        self._frames.append(small)

    def _observation(self, state: Any, info: dict[str, Any]) -> np.ndarray:
        self._frames += [self._frames[-1]] * (self.repeat - len(self._frames))
        if self.keep_state:
            info["state"] = state
        return np.concatenate(self._frames, axis=-1)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        state, info = self.env.reset(seed=seed, options=options)
        self._frames = []
        self._render_frame()
        return self._observation(state, info), info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        self._frames = []
        state, reward, terminated, truncated, info = repeat_action(
            self.env, action, self.repeat, after_each=self._render_frame
        )
        return self._observation(state, info), reward, terminated, truncated, info
