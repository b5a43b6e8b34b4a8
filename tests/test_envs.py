import subprocess
import sys

import pytest

import sb3_ddpg_ext  # noqa: F401  (registers the pixel ids)
from sb3_ddpg_ext.envs import make_pixel_env
from sb3_ddpg_wrappers import NormalizedActions, PaperPixels

CHECK_PIXEL_ID = """
import sys
import gymnasium as gym
import numpy as np
import sb3_ddpg_ext  # registers the pixel ids

env = gym.make(sys.argv[1])
assert env.observation_space.shape == (64, 64, 9)
assert env.observation_space.dtype == np.uint8
np.testing.assert_array_equal(env.action_space.low, -1.0)
np.testing.assert_array_equal(env.action_space.high, 1.0)
obs, _ = env.reset(seed=0)
assert obs.shape == (64, 64, 9)
assert obs.std() > 0  # a rendered picture, not a blank frame
env.close()
"""


@pytest.mark.parametrize("env_id", ["PendulumPixels-v1", "InvertedPendulumPixels-v5"])
def test_pixel_ids_are_the_env_through_normalized_actions_and_paper_pixels(env_id):
    # In a process of its own: MuJoCo's EGL display does not survive pygame shutting SDL down later in
    # the same process (Pendulum's rendering), which would break the next MuJoCo pixel env of the suite.
    subprocess.run([sys.executable, "-c", CHECK_PIXEL_ID, env_id], check=True)


def test_make_pixel_env_wraps_in_the_papers_order():
    env = make_pixel_env("Pendulum-v1")
    assert isinstance(env, PaperPixels)
    assert isinstance(env.env, NormalizedActions)
    env.close()
