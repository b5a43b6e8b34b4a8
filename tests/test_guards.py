import argparse

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from stable_baselines3.common.vec_env import DummyVecEnv

from sb3_ddpg_ext.app.guards import NanGuard, NonFiniteError
from sb3_ddpg_ext.app.rl_zoo3_adapter import RunManager


class GoesBad(gym.Env):
    """Finite until step `bad_step`, then a NaN reward (or an inf observation)."""

    def __init__(self, bad_step, what):
        self.bad_step, self.what, self.t = bad_step, what, 0
        self.observation_space = spaces.Box(-np.inf, np.inf, (2,), np.float32)
        self.action_space = spaces.Box(-1, 1, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(2, np.float32), {}

    def step(self, action):
        self.t += 1
        bad = self.t == self.bad_step
        obs = np.array([np.inf if bad and self.what == "observation" else 0.0, 0.0], np.float32)
        reward = np.nan if bad and self.what == "reward" else 0.0
        return obs, reward, False, False, {}


@pytest.mark.parametrize("what", ["reward", "observation"])
def test_guard_names_the_step_and_the_env_index(what):
    env = NanGuard(DummyVecEnv([lambda: GoesBad(99, what), lambda: GoesBad(3, what)]))
    env.reset()
    actions = np.zeros((2, 1), np.float32)
    env.step(actions)
    env.step(actions)
    with pytest.raises(NonFiniteError, match=f"non-finite {what} .* at env step 3, env index 1"):
        env.step(actions)


def test_sb3_ddpg_train_guards_the_training_and_the_evaluation_env(tmp_path):
    manager = RunManager(
        tmp_path,
        nan_guard=True,
        args=argparse.Namespace(),
        algo="ddpg",
        env_id="Pendulum-v1",
        n_timesteps=10,
        eval_freq=-1,
        seed=0,
    )
    training, evaluation = manager.create_envs(1), manager.create_envs(1, eval_env=True)
    assert isinstance(training, NanGuard)
    assert not training.evaluation
    assert isinstance(evaluation, NanGuard)
    assert evaluation.evaluation


def test_the_evaluation_env_s_error_says_it_is_the_evaluation_env():
    env = NanGuard(DummyVecEnv([lambda: GoesBad(1, "reward")]), evaluation=True)
    env.reset()
    with pytest.raises(NonFiniteError, match=r"^The evaluation env returned .* stopped at this evaluation"):
        env.step(np.zeros((1, 1), np.float32))
