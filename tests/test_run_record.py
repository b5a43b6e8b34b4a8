"""What a run records of itself: the settings the model ran with, and the versions of what it imported."""

import gymnasium as gym
import mujoco
import numpy as np
from stable_baselines3 import TD3
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

import sb3_ddpg_ext
from sb3_ddpg_ext import DDPG, OUNoise, PaperPolicy
from sb3_ddpg_ext.app.run_record import imported_versions, model_settings
from sb3_ddpg_wrappers import NormalizedActions


def pendulum_model(seed, **kwargs):
    env = VecNormalize(
        DummyVecEnv([lambda: NormalizedActions(gym.make("Pendulum-v1"))] * 2), norm_reward=False
    )
    return DDPG(PaperPolicy, env, seed=seed, **kwargs)


def test_the_settings_name_every_layer_a_run_passes_through():
    noise = OUNoise(mean=np.zeros(1), sigma=0.3 * np.ones(1), theta=0.2, dt=0.5)
    # After learn() has started, when SB3 has given each env its own stream of the noise.
    settings = model_settings(pendulum_model(0, action_noise=noise, tau=0.01, batch_size=32).learn(4))
    assert (settings["algorithm"], settings["tau"], settings["batch_size"], settings["seed"]) == (
        "sb3_ddpg_ext.ddpg.DDPG",
        0.01,
        32,
        0,
    )
    # PaperPolicy's defaults, which no config spelt out, are there as they ran.
    policy = settings["policy"]
    assert (policy["class"], policy["net_arch"], policy["action_layer"]) == (
        "sb3_ddpg_ext.policies.PaperPolicy",
        [400, 300],
        2,
    )
    assert (policy["critic_weight_decay"], policy["final_layer_bound"]) == (1e-2, 3e-3)
    # The noise's parameters, for each of the two envs' streams.
    vectorized = settings["action_noise"]
    assert vectorized["n_envs"] == 2
    assert {key: vectorized["noise"][key] for key in ("class", "sigma", "theta", "dt")} == {
        "class": "sb3_ddpg_ext.noise.OUNoise",
        "sigma": [0.3],
        "theta": 0.2,
        "dt": 0.5,
    }
    env = settings["env"]
    assert env["vec_wrappers"][0]["class"].endswith("VecNormalize")
    assert (env["vec_wrappers"][0]["norm_obs"], env["vec_wrappers"][0]["norm_reward"]) == (True, False)
    assert env["n_envs"] == 2
    assert env["wrappers"][0] == "sb3_ddpg_wrappers.normalized_actions.NormalizedActions"


def test_the_same_settings_record_the_same_text_whatever_the_seed_or_object_addresses():
    one, other = (model_settings(pendulum_model(seed)) for seed in (0, 1))
    assert one.pop("seed") != other.pop("seed")
    assert one == other
    gaussian = model_settings(
        TD3("MlpPolicy", "Pendulum-v1", action_noise=NormalActionNoise(np.zeros(1), np.ones(1)))
    )
    assert gaussian["action_noise"] == {
        "class": "stable_baselines3.common.noise.NormalActionNoise",
        "mu": [0.0],
        "sigma": [1.0],
        "dtype": "numpy.float32",
    }
    assert gaussian["policy_delay"] == 2


def test_the_versions_are_those_of_the_imported_modules_and_physics_engines():
    gym.make("InvertedPendulum-v5").close()
    versions = imported_versions()
    assert versions["sb3-ddpg-ext"] == sb3_ddpg_ext.__version__
    assert versions["mujoco"] == mujoco.__version__
    assert versions["torch"].startswith("2.")
