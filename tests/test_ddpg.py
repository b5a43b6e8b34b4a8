import zipfile

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


def test_two_envs_fill_the_buffer_side_by_side_train_and_reproduce():
    import torch as th
    from stable_baselines3.common.env_util import make_vec_env

    def run(seed):
        model = DDPG(
            PaperPolicy, make_vec_env("Pendulum-v1", n_envs=2, seed=seed), seed=seed, learning_starts=64
        )
        start = [p.detach().clone() for p in model.actor.parameters()]
        model.learn(256)
        return model, start

    model, start = run(0)
    assert model.num_timesteps == 256
    buffer = model.replay_buffer
    assert (buffer.pos, buffer.n_envs) == (128, 2)  # 128 steps of 2 envs each
    observations = buffer.observations[:128]
    assert not np.allclose(observations[:, 0], observations[:, 1])  # two different episodes
    assert not np.allclose(buffer.actions[:128, 0], buffer.actions[:128, 1])  # each with its own noise
    # (256 - 64) / 2 rollouts of both envs after learning_starts, one gradient step each
    assert model._n_updates == 96
    assert any(not th.equal(a, b) for a, b in zip(start, model.actor.parameters(), strict=True))
    again, _ = run(0)
    for a, b in zip(model.actor.parameters(), again.actor.parameters(), strict=True):
        assert th.equal(a, b)


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
    with pytest.raises(ValueError, match=r"not a readable model zip .*: the file is truncated or damaged"):
        DDPG.load(truncated)
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("notes.txt", "not a model")
    with pytest.raises(ValueError, match="a zip file but not an SB3 model"):
        DDPG.load(tmp_path / "other.zip")
    with pytest.raises(ValueError, match=r"cannot act in this env: Observation spaces do not match"):
        DDPG.load(tmp_path / "model.zip", env=gym.make("MountainCarContinuous-v0"))
    assert DDPG.load(tmp_path / "model.zip", env=gym.make("Pendulum-v1")).num_timesteps == 0


def damaged_member(source, target, member, cut):
    """A copy of the zip ``source`` whose ``member`` is cut to its first ``cut`` bytes."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            copy.writestr(name, data[:cut] if name == member else data)
    return target


@pytest.mark.parametrize(
    ("member", "cut"), [("policy.pth", 500), ("data", 300), ("pytorch_variables.pth", 10)]
)
def test_a_model_zip_with_a_damaged_member_says_which_and_what_to_do(member, cut, tmp_path):
    DDPG("PaperPolicy", "Pendulum-v1", seed=0).save(tmp_path / "model.zip")
    damaged = damaged_member(tmp_path / "model.zip", tmp_path / "damaged.zip", member, cut)
    with pytest.raises(ValueError, match=r"damaged\.zip is not a readable model zip .*truncated or damaged"):
        DDPG.load(damaged)


def test_load_keeps_sb3s_signature_and_passes_its_arguments_on(tmp_path):
    import inspect

    import stable_baselines3 as sb3

    assert (
        inspect.signature(DDPG.load).parameters.keys() == inspect.signature(sb3.DDPG.load).parameters.keys()
    )
    DDPG("PaperPolicy", "Pendulum-v1", seed=0).save(tmp_path / "model.zip")
    loaded = DDPG.load(
        tmp_path / "model.zip", device="cpu", custom_objects={"learning_rate": 5e-4}, batch_size=32
    )
    assert (loaded.learning_rate, loaded.batch_size, loaded.device.type) == (5e-4, 32, "cpu")


@pytest.mark.parametrize("flag_before", [False, True])
def test_the_train_step_flushes_subnormals_and_restores_the_setting(flag_before, monkeypatch):
    import torch as th

    from sb3_ddpg_ext.ddpg import _flushes_denormals

    model = DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=10)
    seen = []
    step = model._train
    monkeypatch.setattr(model, "_train", lambda *args: (seen.append(_flushes_denormals()), step(*args)))
    weight = model.critic.q_networks[0].joint_net[0].weight
    with th.no_grad():
        weight[0, :5] = 1e-39  # subnormal: what the critic's L2 leaves of a dead unit's weights
    th.set_flush_denormal(flag_before)
    try:
        model.learn(20)
        assert _flushes_denormals() is flag_before
    finally:
        th.set_flush_denormal(False)
    assert seen
    assert all(seen)
    assert not ((weight != 0) & (weight.abs() < th.finfo(th.float32).tiny)).any()


def test_a_td3_model_is_refused_naming_td3(tmp_path):
    from stable_baselines3 import TD3

    TD3("MlpPolicy", "Pendulum-v1", seed=0).save(tmp_path / "td3.zip")
    with pytest.raises(
        ValueError, match=r"td3\.zip is a TD3 model \(policy_delay 2, target policy noise 0\.2\)"
    ):
        DDPG.load(tmp_path / "td3.zip")
    with pytest.raises(ValueError, match=r"stable_baselines3\.TD3\.load"):
        DDPG.load(tmp_path / "td3.zip")
