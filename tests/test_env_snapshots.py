import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from sb3_ddpg_ext.app.env_snapshots import EpisodeRecorder


class GlobalRandomEnv(gym.Env):
    """Draws its noise from numpy's global generator, not its np_random: replays cannot reproduce it."""

    observation_space = spaces.Box(-np.inf, np.inf, (1,), np.float64)
    action_space = spaces.Box(-1, 1, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(1), {}

    def step(self, action):
        return np.random.standard_normal(1), 0.0, False, False, {}  # noqa: NPY002


def test_a_replay_that_reproduces_the_episode_is_silent(recwarn):
    env = EpisodeRecorder(gym.make("Pendulum-v1"))
    env.reset(seed=3)
    for _ in range(5):
        obs, *_ = env.step(np.array([0.5], np.float32))
    twin = EpisodeRecorder(gym.make("Pendulum-v1"))
    twin.replay(env.episode_record())
    np.testing.assert_array_equal(twin.episode_record()["last_obs"], obs)
    assert not [w for w in recwarn if "Replaying" in str(w.message)]


def test_a_replay_that_diverges_warns_that_the_resume_is_not_exact():
    env = EpisodeRecorder(GlobalRandomEnv())
    env.reset(seed=0)
    env.step(np.zeros(1, np.float32))
    with pytest.warns(
        UserWarning, match="gave another observation: the env does not draw all its randomness"
    ):
        EpisodeRecorder(GlobalRandomEnv()).replay(env.episode_record())
