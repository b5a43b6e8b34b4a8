"""Per-network learning-rate scales that survive SB3's learning-rate rewrite.

SB3's ``train()`` writes ``param_group["lr"] = schedule(progress)`` into every optimizer at every call,
so an actor learning rate set once at construction is lost after the first update. Here each param
group stores every learning rate written to it multiplied by its ``lr_scale``: the schedule still drives
both networks, ``param_group["lr"]`` always reads the rate actually applied, and the scale is kept in
the optimizer's state dict.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import torch as th
from torch.optim.adam import adam


class ScaledLRGroup(dict[str, Any]):
    """An optimizer param group that multiplies each learning rate written to it by ``lr_scale``."""

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "lr":
            value = value * self["lr_scale"]
        super().__setitem__(key, value)

    def __reduce__(self) -> tuple[Any, ...]:
        # Copies and pickles rebuild the group from its items as they are, not through __setitem__
        # (which would scale "lr" again, or before "lr_scale" exists).
        return (ScaledLRGroup, (dict(self),))


def make_scaled_optimizer(
    optimizer_class: Callable[..., th.optim.Optimizer],
    params: Iterable[th.nn.Parameter],
    base_lr: float,
    lr_scale: float,
    **optimizer_kwargs: Any,
) -> th.optim.Optimizer:
    """Build ``optimizer_class(params)`` whose learning rate is always ``lr_scale`` times the one written.

    :param optimizer_class: any torch optimizer class.
    :param params: the parameters to optimise.
    :param base_lr: the schedule's current learning rate.
    :param lr_scale: the factor applied to every learning rate written to the optimizer.
    :param optimizer_kwargs: other keyword arguments for the optimizer (weight_decay, eps, ...).
    """
    if not lr_scale > 0:
        raise ValueError(f"lr_scale must be positive, got {lr_scale}.")
    optimizer = optimizer_class(params, lr=base_lr * lr_scale, **optimizer_kwargs)
    _scale_groups(optimizer, lr_scale)
    # load_state_dict() replaces the groups with plain dicts from the saved state.
    optimizer.register_load_state_dict_post_hook(functools.partial(_scale_groups, lr_scale=lr_scale))
    return optimizer


def _scale_groups(optimizer: th.optim.Optimizer, lr_scale: float) -> None:
    groups: list[dict[str, Any]] = []
    for group in optimizer.param_groups:
        scaled = ScaledLRGroup(group)  # dict() copies without __setitem__: "lr" is already scaled
        dict.__setitem__(scaled, "lr_scale", lr_scale)
        groups.append(scaled)
    optimizer.param_groups = groups


class AdamStep:
    """``optimizer.step()`` for gradients given as a list, straight through torch's functional Adam.

    ``th.optim.Adam.step`` spends more time in Python (profiler hooks, re-collecting every parameter's
    state, grouping tensors) than its fused kernel takes for the paper's networks. When ``optimizer`` is
    a plain one-group Adam whose state exists, this calls the same function Adam's ``step`` calls, with
    the same state tensors, so the update and the saved optimizer state are Adam's own. Anything else
    (another optimizer, options such as amsgrad, the first step, a parameter without a gradient) goes
    through ``optimizer.step()``.

    :param optimizer: the optimizer to step.
    :param params: its parameters, in the order of the gradients that ``step`` will get.
    """

    def __init__(self, optimizer: th.optim.Optimizer, params: list[th.Tensor]):
        self.optimizer = optimizer
        self.params = params
        self._state: Any = None  # the optimizer.state the cached lists below were read from
        self._exp_avgs: list[th.Tensor] = []
        self._exp_avg_sqs: list[th.Tensor] = []
        self._steps: list[th.Tensor] = []

    def _functional_ready(self) -> bool:
        optimizer = self.optimizer
        if optimizer.state is self._state:
            return True
        if type(optimizer) is not th.optim.Adam or len(optimizer.param_groups) != 1:
            return False
        group = optimizer.param_groups[0]
        if (
            group["amsgrad"]
            or group["capturable"]
            or group["differentiable"]
            or len(group["params"]) != len(self.params)
        ):
            return False
        # No state before the first step; load_state_dict() replaces the state.
        if not all(optimizer.state.get(param) for param in self.params):
            return False
        states = [optimizer.state[param] for param in self.params]
        self._exp_avgs = [state["exp_avg"] for state in states]
        self._exp_avg_sqs = [state["exp_avg_sq"] for state in states]
        self._steps = [state["step"] for state in states]
        self._state = optimizer.state
        return True

    def step(self, grads: tuple[th.Tensor | None, ...]) -> None:
        given = [grad for grad in grads if grad is not None]
        if len(given) < len(grads) or not self._functional_ready():
            for param, grad in zip(self.params, grads, strict=True):
                param.grad = grad
            self.optimizer.step()
            for param in self.params:  # the other path leaves no gradients behind either
                param.grad = None
            return
        group = self.optimizer.param_groups[0]
        beta1, beta2 = group["betas"]
        with th.no_grad():
            adam(
                self.params,
                given,
                self._exp_avgs,
                self._exp_avg_sqs,
                [],
                self._steps,
                foreach=group["foreach"],
                fused=group["fused"],
                decoupled_weight_decay=group.get("decoupled_weight_decay", False),
                amsgrad=False,
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
            )


def with_fused_optimizer(policy_kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """``policy_kwargs`` asking for the optimizer's fused kernel (the same update in one call per step
    instead of several per parameter), where the optimizer has one and the user chose neither ``fused``
    nor ``foreach``. New dicts, because SB3 keeps and writes into the ones it is given."""
    policy_kwargs = dict(policy_kwargs or {})
    optimizer_kwargs = dict(policy_kwargs.get("optimizer_kwargs") or {})
    optimizer_class = policy_kwargs.get("optimizer_class", th.optim.Adam)
    if "fused" in inspect.signature(optimizer_class).parameters and not {"fused", "foreach"} & set(
        optimizer_kwargs
    ):
        optimizer_kwargs["fused"] = True
    policy_kwargs["optimizer_kwargs"] = optimizer_kwargs
    return policy_kwargs
