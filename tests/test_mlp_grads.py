import pytest
import torch as th
from stable_baselines3.common.torch_layers import FlattenExtractor
from torch import nn
from torch.nn import functional as F

from sb3_ddpg_ext import DDPG, PaperPolicy
from sb3_ddpg_ext.mlp_grads import ManualBackprop
from sb3_ddpg_ext.policies import PaperActor, PaperCritic


def manual_of(model):
    return ManualBackprop.of(model.actor, model.critic, model.actor_target, model.critic_target)


def ordinary_weights(model, generator):
    """Every parameter redrawn at an ordinary scale. At the paper's init the final layers are within
    +-3e-3, so the actor's gradients are ~1e-6: below any absolute tolerance, where halving one passes."""
    with th.no_grad():
        for network in (model.actor, model.critic, model.actor_target, model.critic_target):
            for module in network.modules():
                if isinstance(module, nn.Linear):
                    module.weight.normal_(0, 1 / module.in_features**0.5, generator=generator)
                    module.bias.normal_(0, 0.1, generator=generator)
                elif isinstance(module, nn.BatchNorm1d):
                    module.weight.uniform_(0.5, 1.5, generator=generator)
                    module.bias.normal_(0, 0.1, generator=generator)
                    module.running_mean.normal_(0, 0.5, generator=generator)
                    module.running_var.uniform_(0.5, 2.0, generator=generator)


def assert_close_relative(grads, expected):
    """Each tensor within 1e-4 of autograd's, relative to its own size. The floor, relative to the whole
    network's gradient, is for tensors whose gradient is zero but for rounding (a bias that a batch norm
    right after it cancels); the network's gradient itself must be of ordinary size, or this tests nothing."""
    assert len(grads) == len(expected)
    total = th.cat([want.flatten() for want in expected]).norm()
    assert total > 1e-2
    for index, (grad, want) in enumerate(zip(grads, expected, strict=True)):
        error = (grad - want).norm()
        assert error <= 1e-4 * want.norm() + 1e-7 * total, f"tensor {index} differs from autograd's: {error}"


@pytest.mark.parametrize(
    "policy_kwargs",
    [
        {"action_layer": 1},
        {"action_layer": 2},
        {"action_layer": 3},
        {"batch_norm": True},
        {"batch_norm": True, "target_batch_stats": "batch"},
        {"batch_norm": True, "actor_update_stats": "running"},
        # A larger eps than PyTorch's default: the actor's update reads the critic on running statistics.
        {"batch_norm": True, "actor_update_stats": "running", "batch_norm_kwargs": {"eps": 1e-2}},
        {"activation_fn": nn.Tanh, "net_arch": [32, 24, 16]},
    ],
)
def test_gradients_equal_autograds(policy_kwargs):
    model = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=policy_kwargs)
    model.policy.set_training_mode(True)  # as in train(): batch norm on the batch's statistics
    manual = manual_of(model)
    assert manual is not None
    generator = th.Generator().manual_seed(1)
    ordinary_weights(model, generator)
    obs, next_obs = th.randn(32, 3, generator=generator), th.randn(32, 3, generator=generator)
    actions = th.rand(32, 1, generator=generator) * 2 - 1
    with th.no_grad():
        target_q = model.critic_target(next_obs, model.actor_target(next_obs))[0]
        th.testing.assert_close(manual.target_q(next_obs), target_q)
        critic_loss, critic_grads = manual.critic_grads(obs, actions, target_q)
        actor_loss, actor_grads = manual.actor_grads(obs)

    # Before the critic's forward below, which moves the running statistics "running" reads.
    expected_loss = -model.critic.q1_forward(obs, model.actor(obs)).mean()
    expected = th.autograd.grad(expected_loss, list(model.actor.parameters()))
    th.testing.assert_close(actor_loss, expected_loss.detach())
    assert_close_relative(actor_grads, expected)

    expected_loss = F.mse_loss(model.critic(obs, actions)[0], target_q)
    expected = th.autograd.grad(expected_loss, list(model.critic.parameters()))
    th.testing.assert_close(critic_loss, expected_loss.detach())
    assert_close_relative(critic_grads, expected)


@pytest.mark.parametrize(
    "policy_kwargs",
    [
        {"batch_norm": "renorm"},
        {"batch_norm": True, "batch_norm_kwargs": {"affine": False}},
        {"batch_norm": True, "batch_norm_kwargs": {"track_running_stats": False}},
        {"activation_fn": nn.LeakyReLU},
        {"n_critics": 2},
    ],
)
def test_other_networks_are_left_to_autograd(policy_kwargs):
    model = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=policy_kwargs)
    assert manual_of(model) is None


def test_a_features_extractor_with_weights_is_left_to_autograd():
    model = DDPG("CnnPaperPolicy", "PendulumPixels-v1", seed=0, buffer_size=100, learning_starts=10)
    assert manual_of(model) is None


class BiasFreeActorPolicy(PaperPolicy):
    def make_actor(self, features_extractor=None):
        actor = super().make_actor(features_extractor)
        layer = actor.mu[2]
        actor.mu[2] = nn.Linear(layer.in_features, layer.out_features, bias=False)
        return actor


class ExtraParameterPolicy(PaperPolicy):
    def make_critic(self, features_extractor=None):
        critic = super().make_critic(features_extractor)
        critic.register_parameter("temperature", nn.Parameter(th.ones(1)))  # no Linear holds it
        return critic


class ScaledFlatten(FlattenExtractor):
    def forward(self, observations):
        return 2 * super().forward(observations)


class OwnActorPolicy(PaperPolicy):
    """An actor of its own class (which may act differently), with PaperActor's layers."""

    def make_actor(self, features_extractor=None):
        actor = super().make_actor(features_extractor)
        actor.__class__ = type("OwnActor", (PaperActor,), {})
        return actor


class OwnCriticPolicy(PaperPolicy):
    def make_critic(self, features_extractor=None):
        critic = super().make_critic(features_extractor)
        critic.__class__ = type("OwnCritic", (PaperCritic,), {})
        return critic


class ScaledActorInputPolicy(PaperPolicy):
    """The actor's features extractor is not a plain flatten; the critic's is."""

    def make_actor(self, features_extractor=None):
        actor = super().make_actor(features_extractor)
        actor.features_extractor = ScaledFlatten(self.observation_space)
        return actor


class ScaledCriticInputPolicy(PaperPolicy):
    def make_critic(self, features_extractor=None):
        critic = super().make_critic(features_extractor)
        critic.features_extractor = ScaledFlatten(self.observation_space)
        return critic


class ReorderedCriticPolicy(PaperPolicy):
    """The critic's parameters() list its joint layers before its state layers: as many tensors as its
    stacks hold, in another order."""

    def make_critic(self, features_extractor=None):
        critic = super().make_critic(features_extractor)
        q_net = critic.q_networks[0]
        q_net._modules["state_net"] = q_net._modules.pop("state_net")  # now after joint_net
        assert len(list(critic.parameters())) == len(list(q_net.state_net.parameters())) + len(
            list(q_net.joint_net.parameters())
        )
        return critic


@pytest.mark.parametrize(
    "policy",
    [
        BiasFreeActorPolicy,
        ExtraParameterPolicy,
        OwnActorPolicy,
        OwnCriticPolicy,
        ScaledActorInputPolicy,
        ScaledCriticInputPolicy,
        ReorderedCriticPolicy,
    ],
)
def test_layers_that_are_not_exactly_the_networks_parameters_are_refused(policy):
    model = DDPG(policy, "Pendulum-v1", seed=0, learning_starts=50)
    assert manual_of(model) is None
    before = [p.detach().clone() for p in model.actor.parameters()]
    model.learn(100)  # trains through autograd instead
    assert model.backward_in_use == "autograd"
    assert any(not th.equal(b, p) for b, p in zip(before, model.actor.parameters(), strict=True))


@pytest.mark.parametrize("batch_norm_kwargs", [{"momentum": None}, {"momentum": 0.3, "eps": 1e-2}])
def test_the_critics_running_statistics_move_as_batchnorm1d_moves_them(batch_norm_kwargs):
    """momentum None is BatchNorm1d's cumulative average, which counts the batches it has seen."""
    import copy

    kwargs = {"batch_norm": True, "batch_norm_kwargs": batch_norm_kwargs}
    model = DDPG("PaperPolicy", "Pendulum-v1", seed=0, policy_kwargs=kwargs)
    model.policy.set_training_mode(True)
    twin = copy.deepcopy(model.critic)
    manual = manual_of(model)
    generator = th.Generator().manual_seed(2)
    for _ in range(3):
        obs = th.randn(32, 3, generator=generator) * 2 + 1
        actions = th.rand(32, 1, generator=generator) * 2 - 1
        with th.no_grad():
            manual.critic_grads(obs, actions, th.zeros(32, 1))
            twin(obs, actions)  # one training-mode forward, as the critic's update makes
    norms = [m for m in model.critic.modules() if isinstance(m, nn.BatchNorm1d)]
    twins = [m for m in twin.modules() if isinstance(m, nn.BatchNorm1d)]
    assert norms
    for norm, reference in zip(norms, twins, strict=True):
        assert int(norm.num_batches_tracked) == int(reference.num_batches_tracked) == 3
        th.testing.assert_close(norm.running_mean, reference.running_mean)
        th.testing.assert_close(norm.running_var, reference.running_var)
