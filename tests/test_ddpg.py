import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
from stable_baselines3.common.logger import configure
from stable_baselines3.common.noise import NormalActionNoise

from sb3_ddpg_ext import DDPG, OUNoise, PaperPolicy


def test_paper_defaults():
    model = DDPG(env=gym.make("Pendulum-v1"))
    assert isinstance(model, sb3.DDPG)
    assert isinstance(model.policy, PaperPolicy)
    assert (model.tau, model.batch_size, model.gamma, model.buffer_size) == (0.001, 64, 0.99, 1_000_000)
    assert len(model.critic.q_networks) == 1
    noise = model.action_noise
    assert isinstance(noise, OUNoise)
    assert noise.shape == (1,)
    np.testing.assert_allclose(noise.sigma, 0.2)
    assert (noise._theta, noise._dt) == (0.15, 1.0)


def test_default_noise_is_sized_to_the_action_space():
    model = DDPG(PaperPolicy, "MountainCarContinuous-v0")
    assert model.action_noise.shape == (1,)
    model = DDPG(PaperPolicy, gym.make("Pendulum-v1"), action_noise=None)
    assert model.action_noise is None
    custom = NormalActionNoise(np.zeros(1), np.ones(1))
    assert DDPG(PaperPolicy, "Pendulum-v1", action_noise=custom).action_noise is custom


def test_unknown_noise_name_is_refused():
    with pytest.raises(ValueError, match="action_noise must be"):
        DDPG(PaperPolicy, "Pendulum-v1", action_noise="ou")


def test_same_seed_same_run():
    def run(seed):
        model = DDPG(PaperPolicy, "Pendulum-v1", seed=seed, learning_starts=100)
        model.learn(300)
        return np.concatenate([p.detach().numpy().ravel() for p in model.actor.parameters()])

    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


def test_both_effective_learning_rates_are_logged(tmp_path):
    model = DDPG(PaperPolicy, "Pendulum-v1", seed=0, learning_starts=50)
    model.set_logger(configure(str(tmp_path), ["csv"]))
    model.learn(200, log_interval=1)
    header, *rows = (tmp_path / "progress.csv").read_text().splitlines()
    columns = header.split(",")
    last = dict(zip(columns, rows[-1].split(","), strict=True))
    assert float(last["train/actor_learning_rate"]) == pytest.approx(1e-4)
    assert float(last["train/critic_learning_rate"]) == pytest.approx(1e-3)
    assert float(last["train/learning_rate"]) == pytest.approx(1e-3)


def test_vec_env_and_multi_env_training_runs():
    from stable_baselines3.common.env_util import make_vec_env

    model = DDPG(PaperPolicy, make_vec_env("Pendulum-v1", n_envs=2, seed=0), seed=0, learning_starts=64)
    model.learn(256)
    assert model.num_timesteps == 256


def test_callers_policy_kwargs_are_not_modified():
    policy_kwargs = dict(batch_norm=True)
    DDPG(PaperPolicy, "Pendulum-v1", policy_kwargs=policy_kwargs)
    assert policy_kwargs == dict(batch_norm=True)


def test_loading_a_damaged_zip_or_on_a_mismatched_env_says_what_to_do(tmp_path):
    import gymnasium as gym

    model = DDPG("PaperPolicy", "Pendulum-v1", seed=0)
    model.save(tmp_path / "model.zip")
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes((tmp_path / "model.zip").read_bytes()[:4000])
    with pytest.raises(ValueError, match="not a readable model zip: the file is truncated or damaged"):
        DDPG.load(truncated)
    with pytest.raises(ValueError, match=r"cannot act in this env: Observation spaces do not match"):
        DDPG.load(tmp_path / "model.zip", env=gym.make("MountainCarContinuous-v0"))
    assert DDPG.load(tmp_path / "model.zip", env=gym.make("Pendulum-v1")).num_timesteps == 0
