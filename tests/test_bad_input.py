"""The inputs users get wrong, fed to every public entry point: each gets an error naming the problem."""

import gymnasium as gym
import numpy as np
import pytest
import yaml
from conftest import SpacesEnv
from gymnasium import spaces
from stable_baselines3.common.utils import FloatSchedule

from sb3_ddpg_ext import DDPG, CnnPaperPolicy, OUNoise, PaperPolicy
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.training import train
from sb3_ddpg_ext.app.zoo import load_profile
from sb3_ddpg_ext.buffers import PixelReplayBuffer
from sb3_ddpg_ext.zoo_configs import PROFILES
from sb3_ddpg_wrappers import ActionRepeat, NormalizedActions, PaperPixels

VECTOR = spaces.Box(-1, 1, (3,), np.float32)
PIXELS = spaces.Box(0, 255, (9, 64, 64), np.uint8)
BOX = spaces.Box(-1, 1, (1,), np.float32)
UNBOUNDED = spaces.Box(-np.inf, np.inf, (1,), np.float32)
BAD_ACTION_SPACES = [
    (spaces.Discrete(3), r"continuous \(Box\) action space"),
    (spaces.MultiDiscrete([3, 3]), r"continuous \(Box\) action space"),
    (UNBOUNDED, "finite action bounds"),
]


@pytest.mark.parametrize(("space", "message"), BAD_ACTION_SPACES)
def test_policies_refuse_action_spaces_ddpg_cannot_use(space, message):
    with pytest.raises(ValueError, match=message):
        PaperPolicy(VECTOR, space, FloatSchedule(1e-3))
    with pytest.raises(ValueError, match=message):
        CnnPaperPolicy(PIXELS, space, FloatSchedule(1e-3))


@pytest.mark.parametrize("env", ["CartPole-v1", SpacesEnv(action_space=spaces.MultiDiscrete([2, 2]))])
def test_ddpg_refuses_discrete_envs_before_building_anything(env):
    with pytest.raises(ValueError, match=r"DDPG needs a continuous \(Box\) action space.*use DQN or PPO"):
        DDPG("PaperPolicy", env)


def test_unbounded_actions_are_refused_by_ddpg_and_the_wrapper():
    with pytest.raises(ValueError, match=r"finite action bounds.*wrappers\.NormalizedActions"):
        DDPG("PaperPolicy", SpacesEnv(action_space=UNBOUNDED))
    with pytest.raises(ValueError, match="finite action bounds"):
        NormalizedActions(SpacesEnv(action_space=UNBOUNDED))


def test_nan_action_bounds_are_refused_by_every_entry_point():
    nan_bounds = spaces.Box(-1, 1, (2,), np.float32)
    nan_bounds.low[0] = np.nan  # gymnasium refuses NaN at construction, not written in afterwards
    message = r"finite action bounds, but .*low=\[nan"
    with pytest.raises(ValueError, match=message):
        DDPG("PaperPolicy", SpacesEnv(action_space=nan_bounds))
    with pytest.raises(ValueError, match=message):
        PaperPolicy(VECTOR, nan_bounds, FloatSchedule(1e-3))
    with pytest.raises(ValueError, match=message):
        CnnPaperPolicy(PIXELS, nan_bounds, FloatSchedule(1e-3))
    with pytest.raises(ValueError, match=message):
        NormalizedActions(SpacesEnv(action_space=nan_bounds))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(mean=np.zeros(1), sigma=np.nan), "sigma must be finite"),
        (dict(mean=np.array([np.nan]), sigma=0.2), "mean must be finite"),
        (dict(mean=np.zeros(1), sigma=0.2, theta=-1.0), "theta >= 0 and dt > 0"),
    ],
)
def test_ou_noise_refuses_nan_and_impossible_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        OUNoise(**kwargs)


def test_wrappers_refuse_what_they_cannot_wrap():
    with pytest.raises(TypeError, match="needs a Box action space"):
        NormalizedActions(SpacesEnv(action_space=spaces.Discrete(2)))
    with pytest.raises(ValueError, match="render_mode='rgb_array'"):
        PaperPixels(SpacesEnv(action_space=BOX))
    with pytest.raises(ValueError, match="repeat to be an integer >= 1"):
        ActionRepeat(SpacesEnv(action_space=BOX), repeat=0)


def test_nan_action_is_refused_by_normalized_actions():
    env = NormalizedActions(gym.make("Pendulum-v1"))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="NaN"):
        env.step(np.array([np.nan], np.float32))


def test_pixel_buffer_refuses_the_memory_flag_it_replaces():
    with pytest.raises(ValueError, match="already stores each observation once"):
        PixelReplayBuffer(10, PIXELS, BOX, optimize_memory_usage=True, handle_timeout_termination=False)


@pytest.fixture
def tuned_profile_with(monkeypatch, tmp_path):
    """The tuned profile with its Pendulum-v1 entry changed, as a user editing the YAML might."""

    def edit(change):
        entries = load_profile("tuned")
        change(entries["Pendulum-v1"])
        path = tmp_path / "ddpg_tuned.yml"
        path.write_text(yaml.safe_dump(entries))
        monkeypatch.setitem(PROFILES, "tuned", path)

    return edit


def test_a_misspelt_key_in_a_profile_entry_is_refused_naming_the_closest_key(tuned_profile_with, tmp_path):
    tuned_profile_with(lambda entry: entry.update(learning_rat=1e-3))
    message = (
        r"Unknown hyperparameter 'learning_rat' in the 'tuned' entry for Pendulum-v1\. "
        r"Did you mean 'learning_rate'\?"
    )
    with pytest.raises(UsageError, match=message):
        train("Pendulum-v1", "tuned", 0, tmp_path / "run", steps=100)
    assert not (tmp_path / "run").exists()


def test_a_profile_entry_without_a_budget_asks_for_steps(tuned_profile_with, tmp_path):
    tuned_profile_with(lambda entry: entry.pop("n_timesteps"))
    with pytest.raises(UsageError, match="has no n_timesteps: add it to the entry, or give --steps"):
        train("Pendulum-v1", "tuned", 0, tmp_path / "run")
    assert not (tmp_path / "run").exists()
