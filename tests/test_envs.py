import gymnasium as gym
import numpy as np
import pytest

import sb3_ddpg_ext  # noqa: F401  (registers the pixel ids)
from sb3_ddpg_ext.envs import make_pixel_env
from sb3_ddpg_wrappers import NormalizedActions, PaperPixels


@pytest.mark.parametrize("env_id", ["PendulumPixels-v1", "InvertedPendulumPixels-v5"])
def test_pixel_ids_are_the_env_through_normalized_actions_and_paper_pixels(env_id):
    env = gym.make(env_id)
    try:
        assert env.observation_space.shape == (64, 64, 9)
        assert env.observation_space.dtype == np.uint8
        np.testing.assert_array_equal(env.action_space.low, -1.0)
        np.testing.assert_array_equal(env.action_space.high, 1.0)
        obs, _ = env.reset(seed=0)
        assert obs.shape == (64, 64, 9)
        assert obs.std() > 0  # a rendered picture, not a blank frame
    finally:
        env.close()


def test_make_pixel_env_wraps_in_the_papers_order():
    env = make_pixel_env("Pendulum-v1")
    assert isinstance(env, PaperPixels)
    assert isinstance(env.env, NormalizedActions)
    env.close()
