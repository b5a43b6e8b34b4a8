"""DDPG's gradients for the paper's plain networks, with the backward pass written out by hand.

At the paper's sizes a gradient step is a few dozen small matrix products; on a CPU, building and walking
autograd's graph for them costs about as much again as the products. For networks made only of
``Linear`` layers with ReLU between them (a tanh at the actor's output, the action joining the critic at
one hidden layer), the backward pass is a handful of lines, computed here with the same kernels autograd
would call (``mm``, ``threshold_backward``, ``tanh_backward``, ``mse_loss_backward``), so the gradients
are autograd's to rounding. Anything else (batch norm, another activation, several critics, a features
extractor with weights) gets ``None`` from ``PlainNetworks.of`` and trains through autograd.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch as th
from stable_baselines3.common.torch_layers import FlattenExtractor
from torch import nn
from torch.nn import functional as F

from sb3_ddpg_ext.policies import PaperActor, PaperCritic


def _linears(module: nn.Sequential, last: type[nn.Module] | None) -> list[nn.Linear] | None:
    """The ``Linear`` layers of ``module`` if it is ``Linear -> ReLU -> ... -> Linear [-> last]``, else
    ``None``."""
    layers = list(module)
    n_linear = sum(type(layer) is nn.Linear for layer in layers)
    expected = [nn.Linear, nn.ReLU] * (n_linear - 1) + [nn.Linear] + ([last] if last else [])
    if n_linear == 0 or [type(layer) for layer in layers] != expected:
        return None
    return [layer for layer in layers if type(layer) is nn.Linear]  # type: ignore[misc]


def _forward(x: th.Tensor, linears: list[nn.Linear], relu_last: bool = False) -> list[th.Tensor]:
    """Each layer's input, then the last layer's output: ReLU between layers, and after the last one
    with ``relu_last``."""
    inputs = [x]
    for index, linear in enumerate(linears):
        x = F.linear(x, linear.weight, linear.bias)
        if relu_last or index < len(linears) - 1:
            x = th.relu_(x)
        inputs.append(x)
    return inputs


def _backward(
    grad: th.Tensor,
    inputs: list[th.Tensor],
    linears: list[nn.Linear],
    grads: list[th.Tensor] | None,
    input_columns: slice | None = None,
) -> th.Tensor | None:
    """Backpropagate ``grad``, the gradient of the last layer's output before any activation, through
    ``_forward``'s layers. Prepends each layer's weight and bias gradients to ``grads`` (unless it is
    ``None``); returns the gradient of ``input_columns`` of the first input (``None`` if not asked)."""
    for index in range(len(linears) - 1, -1, -1):
        weight = linears[index].weight
        if grads is not None:
            grads[:0] = [grad.t().mm(inputs[index]), grad.sum(0)]
        if index == 0:
            return None if input_columns is None else grad.mm(weight[:, input_columns])
        grad = th.ops.aten.threshold_backward(grad.mm(weight), inputs[index], 0)
    raise ValueError("no layers to backpropagate through")


@dataclass
class PlainNetworks:
    """The ``Linear`` layers of a DDPG actor, critic and their targets, in order.

    :param actor: the actor's layers; ReLU between them, tanh after the last.
    :param critic_state: the critic's layers before the action joins, each followed by ReLU (may be empty).
    :param critic_joint: its layers from the one the action joins; ReLU between them.
    :param actor_target: the target actor's layers.
    :param critic_state_target: the target critic's layers before the action.
    :param critic_joint_target: the target critic's layers from the action on.
    """

    actor: list[nn.Linear]
    critic_state: list[nn.Linear]
    critic_joint: list[nn.Linear]
    actor_target: list[nn.Linear]
    critic_state_target: list[nn.Linear]
    critic_joint_target: list[nn.Linear]

    @classmethod
    def of(
        cls, actor: nn.Module, critic: nn.Module, actor_target: nn.Module, critic_target: nn.Module
    ) -> PlainNetworks | None:
        """The layers of these networks, or ``None`` if they are not the plain networks described above."""
        layers: list[list[nn.Linear]] = []
        for actor_net, critic_net in ((actor, critic), (actor_target, critic_target)):
            if not (
                type(actor_net) is PaperActor
                and type(critic_net) is PaperCritic
                and critic_net.n_critics == 1
                and type(actor_net.features_extractor) is FlattenExtractor
                and type(critic_net.features_extractor) is FlattenExtractor
            ):
                return None
            q_net = critic_net.q_networks[0]
            found = (
                _linears(actor_net.mu, nn.Tanh),
                _linears(q_net.state_net, nn.ReLU) if len(q_net.state_net) else [],
                _linears(q_net.joint_net, None),
            )
            if any(linears is None for linears in found):
                return None
            layers.extend(found)  # type: ignore[arg-type]
        actor_layers, critic_state, critic_joint, *targets = layers
        return cls(actor_layers, critic_state, critic_joint, *targets)

    def target_q(self, next_features: th.Tensor) -> th.Tensor:
        """Q'(s', mu'(s')) from the target networks."""
        next_actions = th.tanh(_forward(next_features, self.actor_target)[-1])
        state = _forward(next_features, self.critic_state_target, relu_last=True)[-1]
        return _forward(th.cat([state, next_actions], dim=1), self.critic_joint_target)[-1]

    def critic_grads(
        self, features: th.Tensor, actions: th.Tensor, target_q: th.Tensor
    ) -> tuple[th.Tensor, list[th.Tensor]]:
        """The critic's MSE loss against ``target_q`` and its gradients (weights and biases, in
        ``critic.parameters()`` order)."""
        state_inputs = _forward(features, self.critic_state, relu_last=True)
        state = state_inputs[-1]
        joint_inputs = _forward(th.cat([state, actions], dim=1), self.critic_joint)
        q = joint_inputs[-1]
        loss = F.mse_loss(q, target_q)
        grad = th.ops.aten.mse_loss_backward(th.ones_like(loss), q, target_q, 1)
        joint_grads: list[th.Tensor] = []
        columns = slice(0, state.shape[1]) if self.critic_state else None
        grad = _backward(grad, joint_inputs, self.critic_joint, joint_grads, columns)
        if not self.critic_state:
            return loss, joint_grads
        grads: list[th.Tensor] = []
        _backward(th.ops.aten.threshold_backward(grad, state, 0), state_inputs, self.critic_state, grads)
        return loss, grads + joint_grads

    def actor_grads(self, features: th.Tensor) -> tuple[th.Tensor, list[th.Tensor]]:
        """The actor's loss, -mean Q(s, mu(s)), and its gradients (in ``actor.parameters()`` order). The
        critic's own weight gradients are not formed."""
        actor_inputs = _forward(features, self.actor)
        actions = th.tanh(actor_inputs[-1])
        state = _forward(features, self.critic_state, relu_last=True)[-1]
        joint_inputs = _forward(th.cat([state, actions], dim=1), self.critic_joint)
        q = joint_inputs[-1]
        loss = -q.mean()
        grad = th.full_like(q, -1.0 / q.numel())
        action_columns = slice(state.shape[1], None)
        grad = _backward(grad, joint_inputs, self.critic_joint, None, action_columns)
        grads: list[th.Tensor] = []
        _backward(th.ops.aten.tanh_backward(grad, actions), actor_inputs, self.actor, grads)
        return loss, grads
