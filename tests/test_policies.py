"""PaperPolicy's networks: layer widths, where the action enters, the paper's initialisation."""

import math

import gymnasium as gym
import pytest
import stable_baselines3 as sb3
import torch as th
from conftest import make_policy
from torch import nn

import sb3_ddpg_ext
from sb3_ddpg_ext.policies import PaperCritic


def linears(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def assert_uniform_in(layer, bound):
    for tensor in (layer.weight, layer.bias):
        assert tensor.abs().max().item() <= bound
        # Uniform over the whole range, not a narrower default.
        assert tensor.abs().max().item() > 0.9 * bound or tensor.numel() < 50


def test_the_final_layers_are_the_papers_not_pytorchs_default():
    th.manual_seed(0)
    default = nn.Linear(300, 50)  # 15,000 weights and 50 biases from PyTorch's U(+-0.058)
    assert default.weight.abs().max() > 10 * 3e-3
    assert default.bias.abs().max() > 5 * 3e-3
    policy = make_policy()
    for network in (policy.actor, policy.actor_target, policy.critic, policy.critic_target):
        final = linears(network)[-1]
        assert final.in_features == 300
        assert_uniform_in(final, 3e-3)
    # Hidden layers: the default's bound (see above), which the paper shares.
    hidden = linears(policy.actor)[0]
    assert hidden.weight.abs().max() <= 1 / math.sqrt(5)
    assert hidden.bias.abs().max() <= 1 / math.sqrt(5)


def test_actor_architecture_and_init():
    policy = make_policy()
    layers = linears(policy.actor)
    assert [(layer.in_features, layer.out_features) for layer in layers] == [(5, 400), (400, 300), (300, 2)]
    assert_uniform_in(layers[2], 3e-3)
    assert isinstance(policy.actor.mu[-1], nn.Tanh)
    assert [type(m) for m in policy.actor.mu] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU, nn.Linear, nn.Tanh]


def test_critic_takes_the_action_at_its_second_layer_with_fan_in_of_that_width():
    critic = make_policy().critic
    layers = linears(critic)
    assert [(layer.in_features, layer.out_features) for layer in layers] == [(5, 400), (402, 300), (300, 1)]
    assert_uniform_in(layers[2], 3e-3)
    obs = th.randn(8, 5)
    q1 = critic(obs, th.zeros(8, 2))[0]
    q2 = critic(obs, th.ones(8, 2))[0]
    assert q1.shape == (8, 1)
    assert not th.allclose(q1, q2)


def test_initial_outputs_are_near_zero():
    policy = make_policy()
    obs = th.randn(64, 5)
    assert policy.actor(obs).abs().max() < 0.05
    assert policy.critic(obs, policy.actor(obs))[0].abs().max() < 0.05


@pytest.mark.parametrize(
    ("action_layer", "shapes"),
    [
        (1, [(7, 400), (400, 300), (300, 1)]),
        (3, [(5, 400), (400, 300), (302, 1)]),
    ],
)
def test_action_layer_is_configurable(action_layer, shapes):
    layers = linears(make_policy(action_layer=action_layer).critic)
    assert [(layer.in_features, layer.out_features) for layer in layers] == shapes


def test_net_arch_dict_sets_actor_and_critic_separately():
    policy = make_policy(net_arch=dict(pi=[64], qf=[32, 16, 8]))
    assert [layer.out_features for layer in linears(policy.actor)] == [64, 2]
    assert [(layer.in_features, layer.out_features) for layer in linears(policy.critic)] == [
        (5, 32),
        (34, 16),
        (16, 8),
        (8, 1),
    ]


def test_action_layer_outside_the_critic_is_refused():
    with pytest.raises(ValueError, match=r"between 1 .* and 3"):
        make_policy(action_layer=4)


@pytest.mark.parametrize(
    ("net_arch", "action_layer", "critic_shapes"),
    [
        ([], 1, [(7, 1)]),
        ([64], 2, [(5, 64), (66, 1)]),
        ([64, 32], 2, [(5, 64), (66, 32), (32, 1)]),
    ],
)
def test_action_layer_defaults_to_the_last_place_a_shallow_critic_has(net_arch, action_layer, critic_shapes):
    policy = make_policy(net_arch=net_arch)
    assert policy.action_layer == action_layer
    assert [(m.in_features, m.out_features) for m in linears(policy.critic)] == critic_shapes
    assert policy.critic(th.randn(4, 5), th.zeros(4, 2))[0].shape == (4, 1)


def test_an_explicit_impossible_action_layer_keeps_its_error():
    with pytest.raises(ValueError, match=r"between 1 .* and 1"):
        make_policy(net_arch=[], action_layer=2)


def test_td3_gets_twin_paper_critics():
    model = sb3.TD3("PaperPolicy", gym.make("Pendulum-v1"), seed=0, learning_starts=50)
    assert isinstance(model.critic, PaperCritic)
    assert len(model.critic.q_networks) == 2
    assert not th.equal(model.critic.qf0.joint_net[0].weight, model.critic.qf1.joint_net[0].weight)
    model.learn(120)
    assert model.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)


def test_parameter_counts_on_pendulum():
    """The README's figures: 3 -> 400 -> 300 -> 1 actor, 3 -> 400 -> [400 + 1] -> 300 -> 1 critic."""
    model = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1")
    assert sum(p.numel() for p in model.actor.parameters()) == 122_201
    assert sum(p.numel() for p in model.critic.parameters()) == 122_501
