"""Target batch statistics (PaperPolicy's target_batch_stats): one module decides what each choice does."""

import warnings

import pytest
import stable_baselines3 as sb3
import torch as th

from sb3_ddpg_ext import DDPG, target_stats
from sb3_ddpg_ext.target_stats import bootstrap_values


def test_nonterminal_targets_normalise_over_the_next_states_that_are_not_terminal():
    policy_kwargs = dict(batch_norm=True, target_batch_stats="nonterminal")
    policy = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=policy_kwargs).policy
    assert policy.critic_target.training  # on the batch's statistics, as with "batch"
    next_obs = th.randn(8, 3, generator=th.Generator().manual_seed(0))
    next_obs[0] = 50.0  # a terminal next state far from the others, as a fallen pendulum is
    dones = th.zeros(8, 1)
    dones[0] = 1.0

    def values(obs):
        return policy.critic_target(obs, policy.actor_target(obs))[0]

    with th.no_grad():
        got = bootstrap_values(values, next_obs, dones, "nonterminal")
        assert got[0] == 0.0
        th.testing.assert_close(got[1:], values(next_obs[1:]))
        # "batch" lets the terminal state set everyone's normalisation
        assert not th.allclose(got[1:], bootstrap_values(values, next_obs, dones, "batch")[1:])
        # batch norm needs two rows: with one live next state, all of them are used
        one_live = th.ones(8, 1)
        one_live[3] = 0.0
        th.testing.assert_close(bootstrap_values(values, next_obs, one_live, "nonterminal"), values(next_obs))


@pytest.mark.parametrize("target_batch_stats", ["nonterminal", "soft"])
def test_stock_sb3_running_targets_it_cannot_honour_warns_naming_the_fix(target_batch_stats):
    policy_kwargs = dict(batch_norm=True, target_batch_stats=target_batch_stats)
    stock = sb3.DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=0, policy_kwargs=policy_kwargs)
    with pytest.warns(UserWarning, match=r"needs sb3_ddpg_ext\.DDPG.*choose 'batch' or 'copy'"):
        stock.learn(2)
    ours = DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=0, policy_kwargs=policy_kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.learn(2)


def test_a_bad_choice_is_refused_naming_every_choice():
    with pytest.raises(
        ValueError, match=r"target_batch_stats='running' is not one of .*'copy'.*'nonterminal'"
    ):
        DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=dict(target_batch_stats="running"))


def test_running_statistics_are_copied_or_soft_updated():
    online, targets = [th.ones(3)], [th.zeros(3)]
    target_stats.update_statistics(targets, online, "soft", 0.25)
    th.testing.assert_close(targets[0], th.full((3,), 0.25))
    for choice in ("copy", "batch", "nonterminal"):
        targets = [th.zeros(3)]
        target_stats.update_statistics(targets, online, choice, 0.25)
        th.testing.assert_close(targets[0], online[0])


def test_our_algorithm_writes_nothing_onto_the_policy():
    """The train step decides how it honours the choice; the policy holds only its own settings, the
    same under our DDPG as under stock SB3's."""

    def settings(policy):
        return {k: v for k, v in vars(policy).items() if isinstance(v, (bool, int, float, str, type(None)))}

    policy_kwargs = dict(batch_norm=True, target_batch_stats="soft")
    model = DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=policy_kwargs, learning_starts=0)
    stock = sb3.DDPG("PaperPolicy", "Pendulum-v1", policy_kwargs=policy_kwargs)
    assert settings(model.policy) == settings(stock.policy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.learn(2)
