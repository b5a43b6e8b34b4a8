import argparse

import pytest
import stable_baselines3 as sb3
import yaml
from stable_baselines3 import HerReplayBuffer

from sb3_ddpg_ext import CnnPaperPolicy, MultiInputPaperPolicy, OUNoise, PaperPolicy
from sb3_ddpg_ext.app.env_snapshots import EpisodeRecorder
from sb3_ddpg_ext.app.rl_zoo3_adapter import RunManager
from sb3_ddpg_ext.buffers import PixelReplayBuffer
from sb3_ddpg_ext.callbacks import DDPGDiagnostics, OUNoiseCallback
from sb3_ddpg_ext.policies import PaperCritic
from sb3_ddpg_ext.zoo_configs import PROFILES
from sb3_ddpg_wrappers import NormalizedActions

REQUIRED_ENVS = [
    "Pendulum-v1",
    "MountainCarContinuous-v0",
    "LunarLanderContinuous-v3",
    "BipedalWalker-v3",
    "InvertedPendulum-v5",
    "InvertedDoublePendulum-v5",
    "Reacher-v5",
    "Swimmer-v5",
    "Hopper-v5",
    "Walker2d-v5",
    "HalfCheetah-v5",
    "Ant-v5",
    "Humanoid-v5",
    "PendulumPixels-v1",
    "InvertedPendulumPixels-v5",
    "PointMaze_UMaze-v3",
    "default",
]
PIXEL_ENVS = {"PendulumPixels-v1", "InvertedPendulumPixels-v5"}
GOAL_ENVS = {"PointMaze_UMaze-v3"}  # Dict observations: MultiInputPaperPolicy with HER
NOISE = "sb3_ddpg_ext.callbacks.OUNoiseCallback"


def entries(profile):
    return yaml.safe_load(PROFILES[profile].read_text())


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_env_has_an_entry_with_paper_policy_and_full_ou_noise(profile):
    config = entries(profile)
    assert sorted(config) == sorted(REQUIRED_ENVS)
    for env, entry in config.items():
        policy = "sb3_ddpg_ext.CnnPaperPolicy" if env in PIXEL_ENVS else "sb3_ddpg_ext.PaperPolicy"
        if env in GOAL_ENVS:
            policy = "sb3_ddpg_ext.MultiInputPaperPolicy"
            assert entry["replay_buffer_class"] == "HerReplayBuffer", env
        assert entry["policy"] == policy, env
        assert "noise_type" not in entry, env  # rl_zoo3's own OU noise is SB3's dt 0.01 process
        (noise,) = [c[NOISE] for c in entry["callback"] if NOISE in c]
        assert {"sigma", "theta", "dt"} <= noise.keys(), env


def test_paper_profile_is_the_papers_settings_everywhere():
    for env, entry in entries("paper").items():
        pixels = env in PIXEL_ENVS
        assert (entry["tau"], entry["batch_size"], entry["gamma"], entry["buffer_size"]) == (
            0.001,
            16 if pixels else 64,
            0.99,
            10**6,
        )
        assert (entry["learning_rate"], entry["train_freq"], entry["gradient_steps"]) == (1e-3, 1, 1)
        policy_kwargs = eval(entry["policy_kwargs"])  # rl_zoo3 evaluates this string the same way
        assert policy_kwargs["net_arch"] == ([200, 200] if pixels else [400, 300])
        assert policy_kwargs["action_layer"] == 2
        assert policy_kwargs["batch_norm"] is True
        assert policy_kwargs["target_batch_stats"] == "nonterminal"  # running averages only when acting
        assert policy_kwargs["actor_lr_scale"] == 0.1
        assert policy_kwargs["critic_weight_decay"] == 1e-2
        (noise,) = [c[NOISE] for c in entry["callback"] if NOISE in c]
        assert noise == {"sigma": 0.2, "theta": 0.15, "dt": 1.0}, env


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("env_id", REQUIRED_ENVS[:-1])
def test_rl_zoo3_builds_each_entry_into_a_stock_ddpg_model(tmp_path, profile, env_id):
    manager = RunManager(
        tmp_path,
        args=argparse.Namespace(),
        algo="ddpg",
        env_id=env_id,
        n_timesteps=10,
        eval_freq=-1,
        seed=0,
        config=str(PROFILES[profile]),
        verbose=0,
        log_interval=-1,
    )
    model, _ = manager.setup_experiment()
    try:
        assert type(model) is sb3.DDPG
        assert isinstance(model.policy, PaperPolicy)
        assert isinstance(model.critic, PaperCritic)
        assert any(isinstance(c, OUNoiseCallback) for c in manager.callbacks)
        assert any(isinstance(c, DDPGDiagnostics) for c in manager.callbacks)
        recorder = model.get_env().envs[0]
        assert isinstance(recorder, EpisodeRecorder)  # outermost, so that checkpoints can restore the env
        wrapped = recorder.env
        if env_id in GOAL_ENVS:
            assert isinstance(model.policy, MultiInputPaperPolicy)
            assert isinstance(model.replay_buffer, HerReplayBuffer)
        elif env_id in PIXEL_ENVS:
            assert isinstance(model.policy, CnnPaperPolicy)
            assert isinstance(model.replay_buffer, PixelReplayBuffer)
            assert model.observation_space.shape == (9, 64, 64)
        else:
            needs_normalizing = (wrapped.unwrapped.action_space.high != 1).any()
            assert isinstance(wrapped, NormalizedActions) == needs_normalizing, env_id
        # The noise is installed when training starts.
        model.learn(1, callback=manager.callbacks)
        assert isinstance(model.action_noise, OUNoise)
        assert model.action_noise.shape == model.action_space.shape
    finally:
        model.env.close()


def test_stock_profile_is_rl_zoo3s_ddpg_config_with_mujoco_v5_entries():
    import rl_zoo3

    from sb3_ddpg_ext.app.zoo import load_profile

    stock = load_profile("stock")
    with open(f"{rl_zoo3.__path__[0]}/hyperparams/ddpg.yml") as f:
        zoo = yaml.safe_load(f)
    assert stock["Pendulum-v1"] == zoo["Pendulum-v1"]
    assert stock["Swimmer-v5"] == zoo["Swimmer-v4"]  # gamma 0.9999
    assert stock["InvertedDoublePendulum-v5"] == zoo["HalfCheetah-v4"]  # the shared MuJoCo defaults
    # rl_zoo3 has no entries for the pixel and goal-conditioned envs
    assert set(load_profile("tuned")) - PIXEL_ENVS - GOAL_ENVS <= set(stock)
