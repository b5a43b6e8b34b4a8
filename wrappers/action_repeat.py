"""Repeat each agent action for several env steps, as the DDPG paper does for its pixel tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, SupportsFloat

import gymnasium as gym


def repeat_action(
    env: gym.Env, action: Any, repeat: int, after_each: Callable[[], None] | None = None
) -> tuple[Any, float, bool, bool, dict[str, Any]]:
    """Step ``env`` up to ``repeat`` times with ``action``, stopping when the episode ends.

    Returns the last step's observation, flags and info, with the rewards summed; ``after_each`` is
    called after every env step taken.
    """
    total = 0.0
    for _ in range(repeat):
        obs, reward, terminated, truncated, info = env.step(action)
        total += float(reward)
        if after_each is not None:
            after_each()
        if terminated or truncated:
            break
    return obs, total, terminated, truncated, info


def check_repeat(repeat: int, wrapper: str) -> None:
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"{wrapper} needs repeat to be an integer >= 1, got {repeat!r}.")


class ActionRepeat(gym.Wrapper[Any, Any, Any, Any], gym.utils.RecordConstructorArgs):
    """Step the env ``repeat`` times with each action and return the summed reward.

    The observation, ``terminated``, ``truncated`` and ``info`` are those of the last env step taken. If
    the episode ends inside the repeat, the wrapper stops there: the env is never stepped past the end.

    Example:
        >>> import gymnasium as gym
        >>> from sb3_ddpg_wrappers import ActionRepeat
        >>> env = ActionRepeat(gym.make("Pendulum-v1"), repeat=3)  # 200 env steps: 67 agent steps
        >>> obs, info = env.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

    :param env: any env.
    :param repeat: env steps per agent action (the paper uses 3).
    """

    def __init__(self, env: gym.Env, repeat: int):
        check_repeat(repeat, "ActionRepeat")
        gym.utils.RecordConstructorArgs.__init__(self, repeat=repeat)
        gym.Wrapper.__init__(self, env)
        self.repeat = repeat

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        return repeat_action(self.env, action, self.repeat)
