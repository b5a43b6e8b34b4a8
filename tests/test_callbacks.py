import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
import torch as th
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.logger import configure
from stable_baselines3.common.noise import NormalActionNoise, VectorizedActionNoise

import sb3_ddpg_ext
from sb3_ddpg_ext import OUNoise
from sb3_ddpg_ext.callbacks import DDPGDiagnostics, OUNoiseCallback


def test_installs_ou_noise_sized_to_the_action_space_on_stock_ddpg():
    model = sb3.DDPG("PaperPolicy", "MountainCarContinuous-v0", learning_starts=10_000)
    model.learn(50, callback=OUNoiseCallback(sigma=0.3, theta=0.2, dt=0.5, sigma_min=0.1, anneal_steps=1000))
    noise = model.action_noise
    assert isinstance(noise, OUNoise)
    assert noise.shape == (1,)
    assert (noise._theta, noise._dt, noise.anneal_steps) == (0.2, 0.5, 1000)
    assert noise.n_calls == 50


def test_vectorises_for_several_envs_with_independent_streams():
    env = make_vec_env("Pendulum-v1", n_envs=3, seed=0)
    model = sb3.DDPG("PaperPolicy", env, seed=0, learning_starts=10_000)
    model.learn(300, callback=OUNoiseCallback(sigma=0.2))
    assert isinstance(model.action_noise, VectorizedActionNoise)
    positions = [n.noise_prev[0] for n in model.action_noise.noises]
    assert len(set(positions)) == 3


def test_keeps_an_ou_noise_the_model_already_has_and_replaces_other_noise():
    own = OUNoise(np.zeros(1), 0.05, seed=0)
    model = sb3.DDPG("PaperPolicy", "Pendulum-v1", learning_starts=10_000, action_noise=own)
    model.learn(20, callback=OUNoiseCallback(sigma=0.4))
    assert model.action_noise is own
    gaussian = NormalActionNoise(np.zeros(1), np.ones(1))
    model = sb3.DDPG("PaperPolicy", "Pendulum-v1", learning_starts=10_000, action_noise=gaussian)
    model.learn(20, callback=OUNoiseCallback(sigma=0.4))
    assert isinstance(model.action_noise, OUNoise)


def test_bad_noise_parameters_fail_at_construction():
    with pytest.raises(ValueError, match="unstable"):
        OUNoiseCallback(theta=1.5, dt=2.0)


def test_diagnostics_are_logged_without_touching_batch_norm_statistics(tmp_path):
    model = sb3.DDPG(
        "PaperPolicy",
        gym.make("Pendulum-v1"),
        seed=0,
        learning_starts=100,
        batch_size=32,
        policy_kwargs=dict(batch_norm=True),
    )
    model.set_logger(configure(str(tmp_path), ["csv"]))
    diagnostics = DDPGDiagnostics(log_freq=100)
    model.learn(400, callback=[OUNoiseCallback(sigma=0.25), diagnostics], log_interval=1)
    header, *rows = (tmp_path / "progress.csv").read_text().splitlines()
    last = dict(zip(header.split(","), rows[-1].split(","), strict=True))
    assert float(last["diagnostics/noise_sigma"]) == pytest.approx(0.25)
    assert float(last["train/actor_learning_rate"]) == pytest.approx(1e-4)
    assert float(last["train/critic_learning_rate"]) == pytest.approx(1e-3)
    assert 0.0 <= float(last["diagnostics/saturated_frac"]) <= 1.0
    assert np.isfinite(float(last["diagnostics/mean_q"]))
    assert "train/critic_loss" in last
    assert "train/actor_loss" in last
    stats = model.actor.mu[0].running_mean.clone()
    model.policy.set_training_mode(True)
    diagnostics.record()
    assert th.equal(model.actor.mu[0].running_mean, stats)
    assert model.policy.training


@pytest.mark.parametrize("algo", [sb3_ddpg_ext.DDPG, sb3.DDPG], ids=["ours", "stock"])
def test_diagnostics_do_not_change_the_run_they_watch(algo):
    def run(callbacks):
        model = algo("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=100, batch_size=32)
        model.learn(400, callback=callbacks)
        return model

    plain = run([])
    watched = run([DDPGDiagnostics(log_freq=50, batch_size=16)])
    for (name, a), b in zip(
        plain.policy.state_dict().items(), watched.policy.state_dict().values(), strict=True
    ):
        assert th.equal(a, b), name


def test_diagnostics_record_the_critics_q_and_the_actors_saturation_on_a_known_batch(tmp_path):
    model = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1", seed=0, buffer_size=100)
    obs = np.array([[0.5, -0.3, 1.2]], dtype=np.float32)
    for _ in range(10):  # every transition the same: any batch the callback draws is known
        model.replay_buffer.add(obs, obs, np.zeros((1, 1)), np.zeros(1), np.zeros(1), [{}])
    model.set_logger(configure(str(tmp_path), ["csv"]))
    diagnostics = DDPGDiagnostics(batch_size=8)
    diagnostics.init_callback(model)
    for bias, saturated in ((5.0, 1.0), (0.0, 0.0)):  # tanh(5) = 0.9999: saturated; tanh(~0): not
        with th.no_grad():
            model.actor.mu[-2].bias.fill_(bias)
            state = th.as_tensor(obs)
            expected_q = model.critic.q1_forward(state, model.actor(state)).item()
        diagnostics.record()
        values = model.logger.name_to_value
        assert values["diagnostics/mean_q"] == pytest.approx(expected_q, rel=1e-6)
        assert values["diagnostics/saturated_frac"] == saturated
