"""Let an agent act in [-1, 1] on any env with a bounded Box action space."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class NormalizedActions(
    gym.ActionWrapper[Any, np.ndarray, np.ndarray],
    gym.utils.RecordConstructorArgs,
):
    """Expose a ``Box(-1, 1)`` action space and map actions linearly onto the env's ``[low, high]``.

    Unlike ``gymnasium.wrappers.RescaleAction``, out-of-range actions are clipped to [-1, 1] before they
    are mapped (so the env never sees an action outside its bounds), NaN actions raise instead of being
    passed on, and ``reverse_action`` gives the inverse map. The env's action dtype is kept.

    Example:
        >>> import gymnasium as gym
        >>> from sb3_ddpg_wrappers import NormalizedActions
        >>> env = NormalizedActions(gym.make("Pendulum-v1"))  # torque bounds are [-2, 2]
        >>> env.action_space
        Box(-1.0, 1.0, (1,), float32)
        >>> env.action(np.array([0.5], dtype=np.float32))
        array([1.], dtype=float32)
        >>> env.reverse_action(np.array([1.0], dtype=np.float32))
        array([0.5], dtype=float32)

    :param env: an env whose action space is a ``Box`` with finite bounds and a floating dtype.
    """

    def __init__(self, env: gym.Env):
        gym.utils.RecordConstructorArgs.__init__(self)
        gym.ActionWrapper.__init__(self, env)
        space = env.action_space
        if not isinstance(space, spaces.Box):
            raise TypeError(
                f"NormalizedActions needs a Box action space, but this env has {space}. "
                "Discrete and other action spaces cannot be rescaled: use an algorithm for that space "
                "(DQN, PPO) or a continuous version of the env."
            )
        if not np.issubdtype(space.dtype, np.floating):
            raise TypeError(
                f"NormalizedActions needs a floating-point Box action space, but its dtype is {space.dtype}."
            )
        if not (np.all(np.isfinite(space.low)) and np.all(np.isfinite(space.high))):
            raise ValueError(
                f"NormalizedActions needs finite action bounds, but they are low={space.low}, "
                f"high={space.high}. Give the env finite bounds (or wrap it with "
                "gymnasium.wrappers.ClipAction after setting them) before normalising."
            )
        width = space.high.astype(np.float64) - space.low.astype(np.float64)
        if np.any(width <= 0):
            raise ValueError(
                f"NormalizedActions needs high > low in every dimension; dimensions "
                f"{np.flatnonzero(width <= 0).tolist()} have zero width."
            )
        self._low = space.low.astype(np.float64)
        self._half_width = width / 2.0
        self.action_space = spaces.Box(-1.0, 1.0, shape=space.shape, dtype=space.dtype)

    def action(self, action: np.ndarray) -> np.ndarray:
        """Map an action in [-1, 1] (clipped if outside) onto the env's bounds.

        :param action: the agent's action, shaped like the action space.
        :return: the env's action, in its dtype.
        """
        action = np.asarray(action, dtype=np.float64)
        if np.isnan(action).any():
            raise ValueError(f"NormalizedActions got a NaN action: {action}. Check the policy's outputs.")
        unit = np.clip(action, -1.0, 1.0) + 1.0
        return (self._low + unit * self._half_width).astype(self.env.action_space.dtype)

    def reverse_action(self, action: np.ndarray) -> np.ndarray:
        """Map an env action in [low, high] back to [-1, 1]; the inverse of :meth:`action`.

        :param action: an action in the env's bounds.
        :return: the same action in [-1, 1], in the env's dtype.
        """
        action = np.asarray(action, dtype=np.float64)
        return ((action - self._low) / self._half_width - 1.0).astype(self.env.action_space.dtype)
