import copy
import math
import pickle
import re
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
import torch as th
from conftest import SpacesEnv
from gymnasium import spaces
from sb3_contrib.common.torch_layers import BatchRenorm1d
from stable_baselines3 import HerReplayBuffer
from stable_baselines3.common.envs import BitFlippingEnv
from stable_baselines3.common.torch_layers import CombinedExtractor
from stable_baselines3.common.utils import FloatSchedule
from torch import nn

import sb3_ddpg_ext
from sb3_ddpg_ext import DDPG, PaperPolicy
from sb3_ddpg_ext.policies import MultiInputPaperPolicy, PaperActor, PaperCritic

OBS = spaces.Box(-np.inf, np.inf, shape=(5,), dtype=np.float32)
ACT = spaces.Box(-2.0, 3.0, shape=(2,), dtype=np.float32)


def make_policy(**kwargs):
    kwargs.setdefault("n_critics", 1)
    return PaperPolicy(OBS, ACT, FloatSchedule(1e-3), **kwargs)


def linears(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def assert_uniform_in(layer, bound):
    for tensor in (layer.weight, layer.bias):
        assert tensor.abs().max().item() <= bound
        # Uniform over the whole range, not a narrower default.
        assert tensor.abs().max().item() > 0.9 * bound or tensor.numel() < 50


# The paper's hidden-layer rule, U(+-1/sqrt(fan_in)) for weights and biases, is what PyTorch's default
# nn.Linear init already draws (kaiming_uniform with a=sqrt(5), and its bias rule): a bound check there
# cannot fail on a bug that leaves a hidden layer at the default, so for hidden layers the tests check the
# fan-in itself (the widths; 402 for the critic's action layer). What the paper changes is the final
# layers, U(+-3e-3) for weights and biases, which the default would draw from +-1/sqrt(300) = +-0.058.


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


def decays(policy):
    return [g["weight_decay"] for g in policy.actor.optimizer.param_groups], [
        g["weight_decay"] for g in policy.critic.optimizer.param_groups
    ]


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


def assert_same_parameters(a, b):
    for (name, x), y in zip(a.policy.state_dict().items(), b.policy.state_dict().values(), strict=True):
        assert th.equal(x, y), name


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


def test_td3_gets_twin_paper_critics():
    model = sb3.TD3("PaperPolicy", gym.make("Pendulum-v1"), seed=0, learning_starts=50)
    assert isinstance(model.critic, PaperCritic)
    assert len(model.critic.q_networks) == 2
    assert not th.equal(model.critic.qf0.joint_net[0].weight, model.critic.qf1.joint_net[0].weight)
    model.learn(120)
    assert model.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)


def test_registration_adds_paper_policy_to_ddpg_and_td3_only():
    assert sb3.DDPG.policy_aliases["PaperPolicy"] is PaperPolicy
    assert sb3.TD3.policy_aliases["PaperPolicy"] is PaperPolicy
    for algo in (sb3.SAC, sb3.PPO, sb3.A2C, sb3.DQN):
        assert "PaperPolicy" not in algo.policy_aliases
    model = sb3.DDPG("PaperPolicy", gym.make("Pendulum-v1"))
    assert isinstance(model.actor, PaperActor)
    assert sb3_ddpg_ext.DDPG("MlpPolicy", "Pendulum-v1").policy_class is sb3.td3.policies.MlpPolicy


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (spaces.Dict({"a": OBS}), "use 'MultiInputPaperPolicy' for Dict observations"),
        (spaces.Graph(spaces.Box(0, 1, (2,)), None), "Box, Discrete, MultiDiscrete or MultiBinary"),
    ],
)
def test_unsupported_observation_spaces_get_a_clear_error(space, message):
    with pytest.raises(ValueError, match=message):
        PaperPolicy(space, ACT, FloatSchedule(1e-3))


def test_image_observations_are_flattened_as_by_mlp_policy_with_a_warning():
    with pytest.warns(UserWarning, match="CnnPaperPolicy"):
        policy = PaperPolicy(spaces.Box(0, 255, (8, 8, 3), np.uint8), ACT, FloatSchedule(1e-3), n_critics=1)
    assert linears(policy.actor)[0].in_features == 8 * 8 * 3


@pytest.mark.parametrize(
    ("space", "features"),
    [
        (spaces.Discrete(5), 5),  # one-hot, as MlpPolicy
        (spaces.MultiDiscrete([3, 4]), 7),
        (spaces.MultiBinary(6), 6),
        (spaces.Box(-1, 1, (2, 3), np.float32), 6),
    ],
)
@pytest.mark.parametrize("algo", [sb3_ddpg_ext.DDPG, sb3.DDPG, sb3.TD3], ids=["ours", "stock", "td3"])
def test_paper_policy_takes_what_mlp_policy_takes(space, features, algo):
    env = SpacesEnv(space)
    model = algo("PaperPolicy", env, seed=0, learning_starts=20, batch_size=16)
    mlp = algo("MlpPolicy", env, seed=0)
    assert linears(model.actor)[0].in_features == features == mlp.actor.features_dim
    model.learn(60)
    obs, _ = env.reset(seed=1)
    assert env.action_space.contains(model.predict(obs, deterministic=True)[0])


def test_multi_input_paper_policy_puts_the_papers_networks_on_sb3s_combined_extractor():
    env = BitFlippingEnv(n_bits=4, continuous=True)
    for algo, n_critics in ((sb3_ddpg_ext.DDPG, 1), (sb3.DDPG, 1), (sb3.TD3, 2)):
        model = algo("MultiInputPaperPolicy", env, seed=0)
        assert isinstance(model.policy, MultiInputPaperPolicy)
        assert isinstance(model.actor.features_extractor, CombinedExtractor)
        features = model.actor.features_extractor.features_dim  # 4 + 4 + 4 bits
        assert [m.in_features for m in linears(model.actor)] == [features, 400, 300]
        assert [m.in_features for m in linears(model.critic)][:3] == [features, 400 + 4, 300]
        assert len(model.critic.q_networks) == n_critics
    with pytest.raises(ValueError, match="use 'PaperPolicy'"):
        sb3_ddpg_ext.DDPG("MultiInputPaperPolicy", "Pendulum-v1")


def success_rate(model, env, episodes):
    successes = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=episode)
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(model.predict(obs, deterministic=True)[0])
            done = terminated or truncated
        successes.append(info["is_success"])
    return float(np.mean(successes))


def test_ddpg_with_her_and_the_papers_networks_learns_bit_flipping():
    """DDPG + HER (the HER paper's algorithm) with the DDPG paper's networks: 6 bits, 6 steps an episode.
    A random policy succeeds in ~10% of episodes; the HER paper's optimisation settings (equal learning
    rates, no critic L2, tau 0.05) solve it in 3,000 steps."""
    env = BitFlippingEnv(n_bits=6, continuous=True, max_steps=6)
    model = sb3_ddpg_ext.DDPG(
        "MultiInputPaperPolicy",
        env,
        replay_buffer_class=HerReplayBuffer,
        replay_buffer_kwargs=dict(n_sampled_goal=4, goal_selection_strategy="future"),
        learning_starts=60,
        tau=0.05,
        gamma=0.95,
        policy_kwargs=dict(actor_lr_scale=1.0, critic_weight_decay=0.0),
        seed=0,
    )
    eval_env = BitFlippingEnv(n_bits=6, continuous=True, max_steps=6)
    assert success_rate(model, eval_env, 50) < 0.3  # untrained: about chance
    model.learn(3_000)
    assert success_rate(model, eval_env, 50) >= 0.9


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (spaces.Discrete(3), "continuous \\(Box\\) action space"),
        (spaces.Box(-np.inf, np.inf, shape=(2,)), "finite action bounds"),
    ],
)
def test_unsupported_action_spaces_get_a_clear_error(space, message):
    with pytest.raises(ValueError, match=message):
        PaperPolicy(OBS, space, FloatSchedule(1e-3))


LOAD_AND_ACT = """
import sys, numpy as np, torch as th
from stable_baselines3 import DDPG
from sb3_ddpg_ext import PaperPolicy
kind, path, obs_path = sys.argv[1:]
obs = np.load(obs_path)
if kind == "model":
    model = DDPG.load(path)
    print(model.actor.optimizer.param_groups[0]["lr"], model.policy.critic_weight_decay)
    actions = model.predict(obs, deterministic=True)[0]
else:
    policy = PaperPolicy.load(path)
    actions = policy.predict(obs, deterministic=True)[0]
np.save(obs_path.replace("obs", "actions_" + kind), actions)
"""


@pytest.mark.parametrize("batch_norm", [False, True, "renorm"])
def test_save_and_load_in_a_fresh_process_gives_identical_actions(tmp_path, batch_norm):
    env = gym.make("Pendulum-v1")
    model = sb3_ddpg_ext.DDPG(
        "PaperPolicy",
        env,
        seed=0,
        learning_starts=100,
        batch_size=32,
        policy_kwargs=dict(batch_norm=batch_norm, actor_lr_scale=0.5),
    )
    model.learn(250)
    obs = np.stack([env.observation_space.sample() for _ in range(16)])
    np.save(tmp_path / "obs.npy", obs)
    model.save(tmp_path / "model.zip")
    model.policy.save(tmp_path / "policy.pt")
    expected = model.predict(obs, deterministic=True)[0]
    script = tmp_path / "load.py"
    script.write_text(LOAD_AND_ACT)
    for kind, path in (("model", "model.zip"), ("policy", "policy.pt")):
        out = subprocess.run(
            [sys.executable, str(script), kind, str(tmp_path / path), str(tmp_path / "obs.npy")],
            capture_output=True,
            text=True,
            check=True,
        )
        np.testing.assert_array_equal(np.load(tmp_path / f"actions_{kind}.npy"), expected)
        if kind == "model":
            lr, decay = out.stdout.split()
            assert float(lr) == pytest.approx(5e-4)
            assert float(decay) == 1e-2


def test_loaded_model_keeps_per_network_rates_after_more_training(tmp_path):
    model = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=50)
    model.learn(100)
    model.save(tmp_path / "m.zip")
    loaded = sb3_ddpg_ext.DDPG.load(tmp_path / "m.zip", env=gym.make("Pendulum-v1"))
    assert loaded.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    loaded.learn(100, reset_num_timesteps=False)
    assert loaded.actor.optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert loaded.critic.optimizer.param_groups[0]["lr"] == pytest.approx(1e-3)


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


def test_parameter_counts_on_pendulum():
    """The README's figures: 3 -> 400 -> 300 -> 1 actor, 3 -> 400 -> [400 + 1] -> 300 -> 1 critic."""
    model = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1")
    assert sum(p.numel() for p in model.actor.parameters()) == 122_201
    assert sum(p.numel() for p in model.critic.parameters()) == 122_501
