"""PaperPolicy's optimisation: per-network learning rates and weight decay under SB3's train loop."""

import copy
import pickle

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
import torch as th
from conftest import make_policy

import sb3_ddpg_ext
from sb3_ddpg_ext import DDPG


def decays(policy):
    return [g["weight_decay"] for g in policy.actor.optimizer.param_groups], [
        g["weight_decay"] for g in policy.critic.optimizer.param_groups
    ]


def assert_same_parameters(a, b):
    for (name, x), y in zip(a.policy.state_dict().items(), b.policy.state_dict().values(), strict=True):
        assert th.equal(x, y), name


def test_per_network_learning_rates_hold_under_sb3_train_loop_and_follow_a_schedule():
    env = gym.make("Pendulum-v1")
    model = sb3.DDPG("PaperPolicy", env, seed=0, learning_starts=50)
    model.learn(100)
    assert model.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert model.critic.optimizer.param_groups[0]["lr"] == pytest.approx(1e-3)

    def schedule(progress_remaining):
        return 1e-3 * progress_remaining

    model = DDPG("PaperPolicy", env, seed=0, learning_starts=50, learning_rate=schedule)
    model.learn(200)
    lr_actor = model.actor.optimizer.param_groups[0]["lr"]
    lr_critic = model.critic.optimizer.param_groups[0]["lr"]
    assert lr_critic < 1e-5  # near the end of the linear schedule
    assert lr_actor == pytest.approx(0.1 * lr_critic)


def test_weight_decay_is_on_the_critic_only_and_changes_the_update():
    policy = make_policy()
    assert all(g["weight_decay"] == 1e-2 for g in policy.critic.optimizer.param_groups)
    assert all(g["weight_decay"] == 0.0 for g in policy.actor.optimizer.param_groups)
    # One Adam step with a zero loss moves the critic (decay) but not the actor.
    for net in (policy.actor, policy.critic):
        before = [p.detach().clone() for p in net.parameters()]
        net.optimizer.zero_grad()
        sum((p * 0).sum() for p in net.parameters()).backward()
        net.optimizer.step()
        moved = any(not th.equal(b, p) for b, p in zip(before, net.parameters(), strict=True))
        assert moved == (net is policy.critic)


def test_optimizer_kwargs_weight_decay_applies_to_both_networks_unless_one_is_given_per_network():
    assert decays(make_policy(optimizer_kwargs=dict(weight_decay=1e-3))) == ([1e-3], [1e-3])
    assert decays(make_policy(optimizer_kwargs=dict(weight_decay=1e-3), critic_weight_decay=0.0)) == (
        [1e-3],
        [0.0],
    )
    assert decays(make_policy(optimizer_kwargs=dict(weight_decay=1e-3), actor_weight_decay=5e-4)) == (
        [5e-4],
        [1e-3],
    )
    assert decays(make_policy()) == ([0.0], [1e-2])  # the paper's, when nothing is given


def test_optimizer_kwargs_lr_is_refused_naming_learning_rate():
    with pytest.raises(ValueError, match="pass learning_rate= to the algorithm"):
        make_policy(optimizer_kwargs=dict(lr=3e-4))


@pytest.mark.parametrize("optimizer_class", [th.optim.RMSprop, th.optim.SGD, th.optim.AdamW])
@pytest.mark.parametrize("algo", [sb3_ddpg_ext.DDPG, sb3.DDPG], ids=["ours", "stock"])
def test_any_optimizer_class_trains(optimizer_class, algo):
    model = algo(
        "PaperPolicy",
        "Pendulum-v1",
        seed=0,
        learning_starts=50,
        policy_kwargs=dict(optimizer_class=optimizer_class),
    )
    before = [p.detach().clone() for p in model.actor.parameters()]
    model.learn(100)
    assert type(model.actor.optimizer) is optimizer_class
    assert model.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert any(not th.equal(b, p) for b, p in zip(before, model.actor.parameters(), strict=True))


def test_deep_copies_and_pickled_optimizers_act_exactly_like_the_original():
    model = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=50)
    model.learn(150)
    policy = copy.deepcopy(model.policy)
    obs = np.stack([model.observation_space.sample() for _ in range(8)])
    np.testing.assert_array_equal(policy.predict(obs)[0], model.predict(obs)[0])
    optimizer = pickle.loads(pickle.dumps(model.critic.optimizer))
    assert optimizer.param_groups[0]["lr"] == model.critic.optimizer.param_groups[0]["lr"]
    optimizer.param_groups[0]["lr"] = 1.0  # still scaled as it is written
    assert optimizer.param_groups[0]["lr"] == pytest.approx(model.policy.critic_lr_scale)

    clone = copy.deepcopy(model)
    for m in (model, clone):  # the same random draws from here on, as a restarted run would have
        m.set_random_seed(1)
        m.learn(150, reset_num_timesteps=False)
    assert_same_parameters(model, clone)
    assert clone.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)


def test_loaded_model_keeps_per_network_rates_after_more_training(tmp_path):
    model = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=50)
    model.learn(100)
    model.save(tmp_path / "m.zip")
    loaded = sb3_ddpg_ext.DDPG.load(tmp_path / "m.zip", env=gym.make("Pendulum-v1"))
    assert loaded.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    loaded.learn(100, reset_num_timesteps=False)
    assert loaded.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert loaded.critic.optimizer.param_groups[0]["lr"] == pytest.approx(1e-3)
