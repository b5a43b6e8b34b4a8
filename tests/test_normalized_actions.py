import re
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from sb3_ddpg_wrappers import NormalizedActions


class BoxActionEnv(gym.Env):
    """Echoes the last action it received as its observation."""

    def __init__(self, low, high, dtype=np.float32):
        self.action_space = spaces.Box(np.asarray(low), np.asarray(high), dtype=dtype)
        self.observation_space = spaces.Box(-np.inf, np.inf, shape=(int(np.prod(self.action_space.shape)),))
        self.last_action = None

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(self.observation_space.shape, dtype=np.float32), {}

    def step(self, action):
        self.last_action = action
        obs = np.asarray(action, dtype=np.float32).reshape(-1)
        return obs, 0.0, False, False, {}


def test_maps_asymmetric_bounds_of_any_shape_and_keeps_dtype():
    low = np.array([[-2.0, 0.0], [10.0, -1.0]])
    high = np.array([[2.0, 1.0], [20.0, -0.5]])
    env = NormalizedActions(BoxActionEnv(low, high, dtype=np.float64))
    assert env.action_space == spaces.Box(-1.0, 1.0, shape=(2, 2), dtype=np.float64)
    np.testing.assert_allclose(env.action(-np.ones((2, 2))), low)
    np.testing.assert_allclose(env.action(np.ones((2, 2))), high)
    np.testing.assert_allclose(env.action(np.zeros((2, 2))), (low + high) / 2)
    assert env.action(np.zeros((2, 2))).dtype == np.float64
    env.reset()
    env.step(np.full((2, 2), 0.5))
    np.testing.assert_allclose(env.unwrapped.last_action, low + 0.75 * (high - low))


def test_reverse_action_is_the_inverse():
    env = NormalizedActions(BoxActionEnv([-2.0, 3.0, -7.0], [2.0, 5.0, -1.0]))
    rng = np.random.default_rng(0)
    for _ in range(100):
        unit = rng.uniform(-1, 1, size=3).astype(np.float32)
        np.testing.assert_allclose(env.reverse_action(env.action(unit)), unit, atol=1e-6)
        assert env.action(unit).dtype == np.float32
        assert env.reverse_action(env.action(unit)).dtype == np.float32  # the env's dtype, both ways


def test_a_float64_env_gets_float64_arithmetic_from_float32_agent_actions():
    # SB3 hands over float32 actions; a float64 env must not inherit float32 rounding of the rescaling.
    low, high = np.array([-1000.0]), np.array([3000.0])
    env = NormalizedActions(BoxActionEnv(low, high, dtype=np.float64))
    agent = np.random.default_rng(1).uniform(-1, 1, size=(200, 1)).astype(np.float32)
    for action in agent:
        exact = low + (action.astype(np.float64) + 1.0) * (high - low) / 2.0
        np.testing.assert_array_equal(env.action(action), exact)


def test_out_of_range_actions_are_clipped_to_the_bounds():
    env = NormalizedActions(BoxActionEnv([-2.0], [4.0]))
    np.testing.assert_allclose(env.action(np.array([5.0])), [4.0])
    np.testing.assert_allclose(env.action(np.array([-1.5])), [-2.0])


def test_nan_action_raises():
    env = NormalizedActions(BoxActionEnv([-2.0, -2.0], [2.0, 2.0]))
    with pytest.raises(ValueError, match="NaN action"):
        env.action(np.array([0.0, np.nan]))


@pytest.mark.parametrize(
    ("space", "error", "message"),
    [
        (
            spaces.Discrete(3),
            TypeError,
            re.escape(
                "NormalizedActions needs a Box action space, but this env has Discrete(3). Discrete and "
                "other action spaces cannot be rescaled: use an algorithm for that space (DQN, PPO) or a "
                "continuous version of the env."
            ),
        ),
        (
            spaces.Box(-np.inf, np.inf, shape=(2,)),
            ValueError,
            re.escape(
                "NormalizedActions needs finite action bounds, but they are low=[-inf -inf], high=[inf inf]. "
                "Give the env finite bounds (or wrap it with gymnasium.wrappers.ClipAction after setting "
                "them) before normalising."
            ),
        ),
        (
            spaces.Box(np.array([-1.0, 2.0, 0.0]), np.array([1.0, 2.0, 0.5])),
            ValueError,
            re.escape(
                "NormalizedActions needs high > low in every dimension; dimensions [1] have zero width."
            ),
        ),
        (spaces.Box(np.array([-1.0, -np.inf]), np.array([1.0, 1.0])), ValueError, "finite action bounds"),
        (spaces.Box(0, 5, shape=(2,), dtype=np.int64), TypeError, "floating-point"),
    ],
)
def test_bad_action_spaces_are_refused_at_construction(space, error, message):
    env = BoxActionEnv([-1.0], [1.0])
    env.action_space = space
    with pytest.raises(error, match=message):
        NormalizedActions(env)


def test_passes_gymnasium_and_sb3_env_checkers_without_action_warnings():
    env = NormalizedActions(gym.make("Pendulum-v1").unwrapped)
    gym_check_env(env, skip_render_check=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sb3_check_env(env)
    assert not [w for w in caught if "action" in str(w.message).lower()]
    # The checker's warning is real: the raw env (bounds [-2, 2]) does get it.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sb3_check_env(gym.make("Pendulum-v1").unwrapped)
    assert [w for w in caught if "action" in str(w.message).lower()]
