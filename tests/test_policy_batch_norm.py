"""PaperPolicy's batch norm: placement, per network, renorm, statistics when acting and in the targets."""

import re

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
import torch as th
from conftest import make_policy
from sb3_contrib.common.torch_layers import BatchRenorm1d
from torch import nn

import sb3_ddpg_ext
from sb3_ddpg_ext import DDPG


def test_batch_norm_placement():
    policy = make_policy(batch_norm=True)
    actor_kinds = [type(m).__name__ for m in policy.actor.mu]
    assert actor_kinds == [
        "BatchNorm1d",
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Linear",
        "Tanh",
    ]
    q_net = policy.critic.q_networks[0]
    assert [type(m).__name__ for m in q_net.state_net] == ["BatchNorm1d", "Linear", "BatchNorm1d", "ReLU"]
    assert not any(isinstance(m, nn.BatchNorm1d) for m in q_net.joint_net)


def test_batch_norm_can_be_given_per_network():
    def norms(module):
        return sum(isinstance(m, nn.BatchNorm1d) for m in module.modules())

    actor_only = make_policy(batch_norm=dict(pi=True, qf=False))
    assert (norms(actor_only.actor), norms(actor_only.critic)) == (3, 0)
    critic_only = make_policy(batch_norm=dict(pi=False, qf=True))
    assert (norms(critic_only.actor), norms(critic_only.critic)) == (0, 2)
    assert (norms(critic_only.actor_target), norms(critic_only.critic_target)) == (0, 2)
    with pytest.raises(ValueError, match=r"give dict\(pi=\.\.\., qf=\.\.\.\)"):
        make_policy(batch_norm=dict(pi=True))
    with pytest.raises(ValueError, match="is not a normalisation"):
        make_policy(batch_norm=dict(pi=True, qf="layer"))


def test_renorm_uses_sb3_contribs_batch_renorm_where_the_paper_puts_batch_norm():
    policy = make_policy(batch_norm="renorm", batch_norm_kwargs=dict(warmup_steps=7))
    layers = [m for m in policy.actor.mu if isinstance(m, BatchRenorm1d)]
    assert len(layers) == 3
    assert all(layer.warmup_steps == 7 for layer in layers)
    q_net = policy.critic.q_networks[0]
    assert [type(m).__name__ for m in q_net.state_net] == [
        "BatchRenorm1dRunningStats",
        "Linear",
        "BatchRenorm1dRunningStats",
        "ReLU",
    ]
    assert not any(isinstance(m, BatchRenorm1d) for m in q_net.joint_net)


@pytest.mark.parametrize("algo", [sb3.DDPG, sb3_ddpg_ext.DDPG])
def test_renorm_statistics_reach_the_target_networks(algo):
    model = algo(
        "PaperPolicy",
        "Pendulum-v1",
        seed=0,
        learning_starts=50,
        batch_size=32,
        # "copy": the targets use the online networks' running statistics (SB3's way).
        policy_kwargs=dict(
            batch_norm="renorm", batch_norm_kwargs=dict(warmup_steps=20), target_batch_stats="copy"
        ),
    )
    model.learn(150)
    layer, target = model.critic.qf0.state_net[0], model.critic_target.qf0.state_net[0]
    assert layer.steps > 20  # past warm-up: renormalising with the running statistics
    assert not th.allclose(layer.running_var, th.ones(3))
    th.testing.assert_close(target.running_mean, layer.running_mean)
    th.testing.assert_close(target.running_var, layer.running_var)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(batch_norm="layer"), "Use False (none), True"),
        (dict(batch_norm=1), "is not a normalisation"),
        (dict(batch_norm_kwargs=dict(momentum=0.1)), "batch_norm is off"),
    ],
)
def test_bad_batch_norm_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make_policy(**kwargs)


def test_batch_norm_uses_running_stats_when_acting_and_targets_get_them():
    env = gym.make("Pendulum-v1")
    model = sb3.DDPG(
        "PaperPolicy", env, seed=0, learning_starts=100, batch_size=32, policy_kwargs=dict(batch_norm=True)
    )
    model.learn(300)
    actor_bn = model.actor.mu[0]
    assert actor_bn.num_batches_tracked > 0  # trained in training mode
    assert not th.allclose(actor_bn.running_mean, th.zeros(3))
    th.testing.assert_close(model.actor_target.mu[0].running_mean, actor_bn.running_mean)
    th.testing.assert_close(
        model.critic_target.qf0.state_net[0].running_var, model.critic.qf0.state_net[0].running_var
    )
    # Acting is in eval mode: a single observation is fine, and the result does not depend on the batch.
    obs = env.observation_space.sample()
    single, _ = model.predict(obs, deterministic=True)
    batch, _ = model.predict(np.stack([obs, env.observation_space.sample()]), deterministic=True)
    np.testing.assert_allclose(single, batch[0], rtol=1e-5)
    assert np.isfinite(single).all()


@pytest.mark.filterwarnings("ignore:target_batch_stats=.* needs sb3_ddpg_ext.DDPG")  # a bare policy here
@pytest.mark.parametrize(
    ("target_batch_stats", "targets_train"),
    [("batch", True), ("nonterminal", True), ("copy", False), ("soft", False)],
)
def test_training_mode_switches_actor_and_critic_but_never_the_targets(target_batch_stats, targets_train):
    """The targets normalise with their batch's statistics (training mode) for "batch", with running
    statistics (eval mode, as SB3 leaves them) otherwise; switching the policy's mode never changes them."""
    policy = make_policy(batch_norm=True, target_batch_stats=target_batch_stats)
    online = [*policy.actor.modules(), *policy.critic.modules()]
    targets = [*policy.actor_target.modules(), *policy.critic_target.modules()]
    for mode in (True, False):
        policy.set_training_mode(mode)
        assert all(module.training is mode for module in online)
        assert policy.training is mode
        assert all(module.training is targets_train for module in targets)


def test_batch_statistics_targets_normalise_the_next_states_batch_as_the_online_critic_does():
    policy = make_policy(batch_norm=True)
    policy.set_training_mode(True)
    policy.critic_target.load_state_dict(policy.critic.state_dict())
    obs, actions = th.randn(16, 5) * 3 + 1, th.rand(16, 2)
    with th.no_grad():
        th.testing.assert_close(policy.critic_target(obs, actions)[0], policy.critic(obs, actions)[0])
    copied = make_policy(batch_norm=True, target_batch_stats="copy")
    copied.set_training_mode(True)
    copied.critic_target.load_state_dict(copied.critic.state_dict())
    with th.no_grad():  # running statistics (zero mean, unit variance at first): another output
        assert not th.allclose(copied.critic_target(obs, actions)[0], copied.critic(obs, actions)[0])


def test_an_unknown_target_batch_stats_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"'copy' \(SB3's running statistics"):
        make_policy(batch_norm=True, target_batch_stats="running")


@pytest.mark.parametrize("actor_update_stats", ["batch", "running"])
def test_actor_update_stats_sets_what_the_critic_scores_actions_with(actor_update_stats):
    policy = make_policy(batch_norm=True, actor_update_stats=actor_update_stats)
    policy.set_training_mode(True)
    state = policy.critic.qf0.state_net
    with th.no_grad():
        for _ in range(3):  # running statistics away from their initial 0 and 1
            policy.critic(th.randn(16, 5) * 3 + 1, th.rand(16, 2))
    stats = [t.clone() for t in (state[0].running_mean, state[0].running_var)]
    obs, actions = th.randn(16, 5) * 3 + 1, th.rand(16, 2)
    other = obs.clone()
    other[1:] = th.randn(15, 5) * 3 - 2  # the same first state among other states
    with th.no_grad():
        first, first_elsewhere = (policy.critic.q1_forward(o, actions)[0] for o in (obs, other))
    if actor_update_stats == "running":
        th.testing.assert_close(first, first_elsewhere)  # no dependence on the rest of the batch
        for before, after in zip(stats, (state[0].running_mean, state[0].running_var), strict=True):
            th.testing.assert_close(before, after)  # used, not updated
        assert state.training  # the critic's own update still normalises with the batch's statistics
        policy.set_training_mode(False)
        with th.no_grad():
            th.testing.assert_close(policy.critic.q1_forward(obs, actions)[0], first)
    else:
        assert not th.allclose(first, first_elsewhere)
        assert not th.allclose(stats[0], state[0].running_mean)


def test_actor_update_stats_is_saved_with_the_model(tmp_path):
    policy_kwargs = dict(batch_norm=True, actor_update_stats="running")
    model = DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=policy_kwargs)
    model.save(tmp_path / "model.zip")
    loaded = DDPG.load(tmp_path / "model.zip")
    assert loaded.policy.actor_update_stats == loaded.critic.actor_update_stats == "running"


def test_an_unknown_actor_update_stats_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"actor_update_stats='copy' is not one of \('batch', 'running'\)"):
        make_policy(batch_norm=True, actor_update_stats="copy")
