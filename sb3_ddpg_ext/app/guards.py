"""A guard that stops training at the first NaN or inf from the env, naming the step and the env."""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper
from stable_baselines3.common.vec_env.base_vec_env import VecEnvObs, VecEnvStepReturn


class NonFiniteError(ValueError):
    """The env produced a NaN or inf observation or reward."""


class NanGuard(VecEnvWrapper):
    """Raise :class:`NonFiniteError` as soon as an observation or reward is NaN or inf.

    Unlike SB3's ``VecCheckNan``, the error names the env step (counted by this wrapper, from 1) and the
    env index, so the bad transition can be found, and nothing non-finite reaches the replay buffer.

    Example:
        >>> from stable_baselines3.common.env_util import make_vec_env
        >>> env = NanGuard(make_vec_env("Pendulum-v1", n_envs=2))

    :param venv: the vectorized env to watch.
    :param evaluation: whether it is the evaluation env (said in the error).
    """

    def __init__(self, venv: VecEnv, evaluation: bool = False):
        super().__init__(venv)
        self.steps = 0
        self.evaluation = evaluation

    def reset(self) -> VecEnvObs:
        observations = self.venv.reset()
        self._check("observation", observations, "at reset")
        return observations

    def step_wait(self) -> VecEnvStepReturn:
        observations, rewards, dones, infos = self.venv.step_wait()
        self.steps += 1
        self._check("observation", observations, f"at env step {self.steps}")
        self._check("reward", rewards, f"at env step {self.steps}")
        return observations, rewards, dones, infos

    def _check(self, what: str, values: VecEnvObs, when: str) -> None:
        arrays = values.values() if isinstance(values, dict) else [values]
        for array in arrays:
            array = np.asarray(array)
            if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
                bad = ~np.isfinite(array.reshape(self.num_envs, -1)).all(axis=1)
                env_index = int(np.flatnonzero(bad)[0])
                stopped = (
                    "Training stopped at this evaluation."
                    if self.evaluation
                    else "Training stopped before it reached the replay buffer."
                )
                value = array.reshape(self.num_envs, -1)[env_index]
                raise NonFiniteError(
                    f"The {'evaluation ' if self.evaluation else ''}env returned a non-finite {what} "
                    f"({value}) {when}, env index {env_index}. {stopped} "
                    "Fix the env (or a wrapper) so it returns finite values; to train anyway, turn the guard "
                    "off (sb3-ddpg train --no-nan-guard)."
                )
