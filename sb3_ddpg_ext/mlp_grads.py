"""DDPG's gradients for the paper's networks, with the backward pass written out by hand.

At the paper's sizes a gradient step is a few dozen small matrix products; on a CPU, building and walking
autograd's graph for them costs about as much again as the products. The paper's networks are
``nn.Sequential`` stacks of ``Linear``, ``BatchNorm1d``, ``ReLU`` and ``Tanh`` (the action joining the
critic at one hidden layer), and the backward pass of such a stack is a loop over its layers in reverse,
computed here with the kernels autograd itself would call (``mm``, ``native_batch_norm_backward``,
``threshold_backward``, ``tanh_backward``, ``mse_loss_backward``), so the gradients, and batch norm's
running statistics, are autograd's to rounding. Anything else (batch renorm, another activation, several
critics, a features extractor with weights) gets ``None`` from ``ManualBackprop.of`` and trains through
autograd.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast, overload

import torch as th
from stable_baselines3.common.torch_layers import FlattenExtractor
from torch import nn
from torch.nn import functional as F

from sb3_ddpg_ext.policies import PaperActor, PaperCritic

LAYERS = (nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Tanh)

Layer = nn.Linear | nn.BatchNorm1d | nn.ReLU | nn.Tanh
# What each layer's backward pass needs, recorded by _forward in order.
Tape = list[tuple[Layer, tuple[th.Tensor, ...]]]


def _supported(module: nn.Sequential) -> bool:
    return all(
        type(layer) in LAYERS
        and (type(layer) is not nn.Linear or layer.bias is not None)
        and (type(layer) is not nn.BatchNorm1d or (layer.affine and layer.track_running_stats))
        for layer in module
    )


def _walked(stacks: list[nn.Sequential]) -> list[th.Tensor | None]:
    """The parameters the passes compute gradients for, in the order they return them (``None`` for a
    missing bias)."""
    return [
        param
        for stack in stacks
        for layer in stack
        if isinstance(layer, (nn.Linear, nn.BatchNorm1d))
        for param in (layer.weight, layer.bias)
    ]


def _same_tensors(walked: list[th.Tensor | None], params: list[nn.Parameter]) -> bool:
    return len(walked) == len(params) and all(a is b for a, b in zip(walked, params, strict=True))


def _forward(x: th.Tensor, module: nn.Sequential, tape: Tape, running: bool = False) -> th.Tensor:
    """``module(x)``, recording on ``tape`` what the backward pass needs. Batch norm in training mode
    uses and updates its statistics exactly as ``nn.BatchNorm1d.forward`` does; ``running`` runs it on
    its running statistics whatever its mode (no gradient may then flow back through it)."""
    fresh = False  # whether x is a new tensor that no layer records (the stack's input is the caller's)
    for module_layer in module:
        layer = cast(Layer, module_layer)  # ManualBackprop.of checked that every layer is one of these
        if type(layer) is nn.Linear:
            tape.append((layer, (x,)))
            x = F.linear(x, layer.weight, layer.bias)
        elif type(layer) is nn.ReLU:
            x = th.relu_(x) if fresh else th.relu(x)
            tape.append((layer, (x,)))
        elif type(layer) is nn.Tanh:
            x = th.tanh(x)
            tape.append((layer, (x,)))
        elif type(layer) is nn.BatchNorm1d and layer.training and not running:  # on the batch's statistics
            tracked = cast(th.Tensor, layer.num_batches_tracked)  # track_running_stats, checked by of()
            tracked.add_(1)
            momentum = layer.momentum if layer.momentum is not None else 1.0 / float(tracked)
            out, mean, invstd = th.ops.aten.native_batch_norm(
                x, layer.weight, layer.bias, layer.running_mean, layer.running_var, True, momentum, layer.eps
            )
            tape.append((layer, (x, mean, invstd)))
            x = out
        elif type(layer) is nn.BatchNorm1d:  # on its running statistics (the target networks): no gradient
            x = F.batch_norm(
                x, layer.running_mean, layer.running_var, layer.weight, layer.bias, False, 0.0, layer.eps
            )
        fresh = type(layer) is not nn.ReLU and type(layer) is not nn.Tanh  # activations record their outputs
    return x


@overload
def _backward(
    grad: th.Tensor, tape: Tape, grads: list[th.Tensor] | None, input_columns: slice
) -> th.Tensor: ...


@overload
def _backward(
    grad: th.Tensor, tape: Tape, grads: list[th.Tensor] | None, input_columns: None = None
) -> None: ...


def _backward(
    grad: th.Tensor, tape: Tape, grads: list[th.Tensor] | None, input_columns: slice | None = None
) -> th.Tensor | None:
    """Backpropagate ``grad``, the gradient of the taped stack's output, through it. Prepends every
    layer's parameter gradients to ``grads`` (unless it is ``None``); returns the gradient of
    ``input_columns`` of the stack's input, or ``None`` when no columns are asked for."""
    for index in range(len(tape) - 1, -1, -1):
        layer, saved = tape[index]
        first = index == 0
        if type(layer) is nn.Linear:
            if grads is not None:
                grads[:0] = [grad.t().mm(saved[0]), grad.sum(0)]
            if first:
                return None if input_columns is None else grad.mm(layer.weight[:, input_columns])
            grad = grad.mm(layer.weight)
        elif type(layer) is nn.ReLU:
            grad = th.ops.aten.threshold_backward(grad, saved[0], 0)
        elif type(layer) is nn.Tanh:
            grad = th.ops.aten.tanh_backward(grad, saved[0])
        elif type(layer) is nn.BatchNorm1d:  # in training mode
            x, mean, invstd = saved
            want_input = not first or input_columns is not None
            grad_input, grad_weight, grad_bias = th.ops.aten.native_batch_norm_backward(
                grad, x, layer.weight, layer.running_mean, layer.running_var, mean, invstd, True, layer.eps,
                [want_input, grads is not None, grads is not None],
            )  # fmt: skip
            if grads is not None:
                grads[:0] = [grad_weight, grad_bias]
            grad = grad_input
    if input_columns is None:
        return None
    return grad[:, input_columns]


@dataclass
class ManualBackprop:
    """A DDPG actor, its critic and their targets, as the stacks the hand-written passes run.

    :param actor: the actor's ``mu`` stack.
    :param critic_state: the critic's layers before the action joins (may be empty).
    :param critic_joint: its layers from the one the action joins.
    :param actor_target: the target actor's stack.
    :param critic_state_target: the target critic's layers before the action.
    :param critic_joint_target: the target critic's layers from the action on.
    :param actor_update_running: score the actor's actions with the critic's running statistics.
    """

    actor: nn.Sequential
    critic_state: nn.Sequential
    critic_joint: nn.Sequential
    actor_target: nn.Sequential
    critic_state_target: nn.Sequential
    critic_joint_target: nn.Sequential
    actor_update_running: bool = False  # the critic's actor_update_stats == "running"

    @classmethod
    def of(
        cls, actor: nn.Module, critic: nn.Module, actor_target: nn.Module, critic_target: nn.Module
    ) -> ManualBackprop | None:
        """The stacks of these networks, or ``None`` if they hold anything the passes do not know."""
        stacks: list[nn.Sequential] = []
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
            # The gradients are handed to the optimizers in parameters() order: the stacks must hold
            # exactly the networks' parameters, in that order (no extra or bias-free layer).
            if not (
                _same_tensors(_walked([actor_net.mu]), list(actor_net.parameters()))
                and _same_tensors(_walked([q_net.state_net, q_net.joint_net]), list(critic_net.parameters()))
            ):
                return None
            stacks += [actor_net.mu, q_net.state_net, q_net.joint_net]
        if not all(_supported(stack) for stack in stacks):
            return None
        actor_stack, state, joint, actor_target_stack, state_target, joint_target = stacks
        return cls(
            actor_stack,
            state,
            joint,
            actor_target_stack,
            state_target,
            joint_target,
            actor_update_running=cast(PaperCritic, critic).actor_update_stats == "running",
        )

    def target_q(self, next_features: th.Tensor) -> th.Tensor:
        """Q'(s', mu'(s')) from the target networks."""
        next_actions = _forward(next_features, self.actor_target, [])
        state = _forward(next_features, self.critic_state_target, [])
        return _forward(th.cat([state, next_actions], dim=1), self.critic_joint_target, [])

    def critic_grads(
        self, features: th.Tensor, actions: th.Tensor, target_q: th.Tensor
    ) -> tuple[th.Tensor, list[th.Tensor]]:
        """The critic's MSE loss against ``target_q`` and its gradients (in ``critic.parameters()``
        order)."""
        state_tape: Tape = []
        joint_tape: Tape = []
        state = _forward(features, self.critic_state, state_tape)
        q = _forward(th.cat([state, actions], dim=1), self.critic_joint, joint_tape)
        loss = F.mse_loss(q, target_q)
        grad = th.ops.aten.mse_loss_backward(th.ones_like(loss), q, target_q, 1)
        grads: list[th.Tensor] = []
        if state_tape:
            state_grad = _backward(grad, joint_tape, grads, slice(0, state.shape[1]))
            _backward(state_grad, state_tape, grads)
        else:
            _backward(grad, joint_tape, grads)
        return loss, grads

    def actor_grads(self, features: th.Tensor) -> tuple[th.Tensor, list[th.Tensor]]:
        """The actor's loss, -mean Q(s, mu(s)), and its gradients (in ``actor.parameters()`` order). The
        critic's own parameter gradients are not formed."""
        actor_tape: Tape = []
        joint_tape: Tape = []
        actions = _forward(features, self.actor, actor_tape)
        state = _forward(features, self.critic_state, [], running=self.actor_update_running)
        q = _forward(th.cat([state, actions], dim=1), self.critic_joint, joint_tape)
        loss = -q.mean()
        grad = th.full_like(q, -1.0 / q.numel())
        action_grad = _backward(grad, joint_tape, None, slice(state.shape[1], None))
        grads: list[th.Tensor] = []
        _backward(action_grad, actor_tape, grads)
        return loss, grads
