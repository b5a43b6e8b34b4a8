import math

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
import torch as th
from gymnasium import spaces
from stable_baselines3.common.utils import FloatSchedule
from torch import nn

import sb3_ddpg_ext
from sb3_ddpg_ext import CnnPaperPolicy, PaperPolicy
from sb3_ddpg_ext.buffers import PixelReplayBuffer
from sb3_ddpg_wrappers import NormalizedActions, PaperPixels

PIXELS = spaces.Box(0, 255, (9, 64, 64), np.uint8)  # channel-first, as SB3 hands it to the policy
ACT = spaces.Box(-1.0, 1.0, (2,), np.float32)


def make_policy(**kwargs):
    kwargs.setdefault("n_critics", 1)
    return CnnPaperPolicy(PIXELS, ACT, FloatSchedule(1e-3), **kwargs)


def test_paper_pixel_architecture_and_init():
    policy = make_policy()
    trunk = policy.actor.features_extractor.cnn
    convs = [m for m in trunk if isinstance(m, nn.Conv2d)]
    assert [(c.in_channels, c.out_channels) for c in convs] == [(9, 32), (32, 32), (32, 32)]
    assert not any(isinstance(m, nn.MaxPool2d | nn.AvgPool2d) for m in trunk.modules())
    assert convs[0].weight.abs().max() <= 1 / math.sqrt(9 * 3 * 3)
    assert convs[1].weight.abs().max() <= 1 / math.sqrt(32 * 3 * 3)
    assert policy.actor.features_extractor.features_dim == 32 * 7 * 7
    actor_linears = [m for m in policy.actor.mu if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in actor_linears] == [(1568, 200), (200, 200), (200, 2)]
    q_net = policy.critic.q_networks[0]
    assert q_net.joint_net[0].in_features == 200 + 2  # the action joins at the 2nd fully connected layer
    for final in (actor_linears[-1], q_net.joint_net[-1]):
        assert final.weight.abs().max() <= 3e-4
        assert final.weight.abs().max() > 2e-4
    # Separate trunks unless sharing is asked for.
    assert policy.actor.features_extractor is not policy.critic.features_extractor
    shared = make_policy(share_features_extractor=True)
    assert shared.actor.features_extractor is shared.critic.features_extractor


def test_batch_norm_reaches_the_convolutions_and_renorm_is_refused():
    trunk = make_policy(batch_norm=True).actor.features_extractor.cnn
    assert sum(isinstance(m, nn.BatchNorm2d) for m in trunk) == 3
    with pytest.raises(ValueError, match="batch renormalisation has no convolutional layer"):
        make_policy(batch_norm="renorm")


def test_the_image_policy_refuses_vectors_and_the_vector_policy_flattens_images_naming_it():
    with pytest.raises(ValueError, match=r"Render the env to pixels with sb3_ddpg_wrappers\.PaperPixels"):
        CnnPaperPolicy(spaces.Box(-1, 1, (3,), np.float32), ACT, FloatSchedule(1e-3))
    with pytest.warns(UserWarning, match="the paper's pixel networks are 'CnnPaperPolicy'"):
        PaperPolicy(PIXELS, ACT, FloatSchedule(1e-3))  # as MlpPolicy does


def test_stock_td3_takes_the_alias_with_twin_pixel_critics():
    env = PaperPixels(NormalizedActions(gym.make("Pendulum-v1", render_mode="rgb_array")))
    model = sb3.TD3("CnnPaperPolicy", env, buffer_size=100, seed=0)
    assert isinstance(model.policy, CnnPaperPolicy)
    assert len(model.critic.q_networks) == 2


@pytest.mark.parametrize(("algo", "buffer"), [(sb3.DDPG, None), (sb3_ddpg_ext.DDPG, PixelReplayBuffer)])
def test_short_training_run_from_pixels_and_reload(tmp_path, algo, buffer):
    env = PaperPixels(NormalizedActions(gym.make("Pendulum-v1", render_mode="rgb_array")))
    model = algo(
        "CnnPaperPolicy",
        env,
        buffer_size=1000,
        learning_starts=40,
        batch_size=8,
        seed=0,
        replay_buffer_class=buffer,
    )
    assert model.observation_space.shape == (9, 64, 64)  # SB3 transposed the channel-last frames
    before = [p.detach().clone() for p in model.critic.features_extractor.parameters()]
    model.learn(80)
    after = list(model.critic.features_extractor.parameters())
    assert all(not th.equal(b, a) for b, a in zip(before, after, strict=True))  # the critic trains its trunk
    obs, _ = env.reset(seed=1)
    model.save(tmp_path / "pixels.zip")
    model.save_replay_buffer(tmp_path / "buffer.pkl")
    loaded = algo.load(tmp_path / "pixels.zip")
    loaded.load_replay_buffer(tmp_path / "buffer.pkl")
    assert loaded.replay_buffer.size() == 80
    np.random.seed(0)  # noqa: NPY002 (SB3's buffers sample from numpy's global generator)
    expected = model.replay_buffer.sample(4)
    np.random.seed(0)  # noqa: NPY002
    assert th.equal(loaded.replay_buffer.sample(4).next_observations, expected.next_observations)
    np.testing.assert_array_equal(
        loaded.predict(obs, deterministic=True)[0], model.predict(obs, deterministic=True)[0]
    )
