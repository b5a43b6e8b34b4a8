"""Per-network learning-rate scales that survive SB3's learning-rate rewrite.

SB3's ``train()`` writes ``param_group["lr"] = schedule(progress)`` into every optimizer at every call,
so an actor learning rate set once at construction is lost after the first update. Here each param
group stores every learning rate written to it multiplied by its ``lr_scale``: the schedule still drives
both networks, ``param_group["lr"]`` always reads the rate actually applied, and the scale is kept in
the optimizer's state dict.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import torch as th


class ScaledLRGroup(dict):
    """An optimizer param group that multiplies each learning rate written to it by ``lr_scale``."""

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "lr":
            value = value * self["lr_scale"]
        super().__setitem__(key, value)


def make_scaled_optimizer(
    optimizer_class: type[th.optim.Optimizer],
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
    groups = []
    for group in optimizer.param_groups:
        scaled = ScaledLRGroup(group)  # dict() copies without __setitem__: "lr" is already scaled
        dict.__setitem__(scaled, "lr_scale", lr_scale)
        groups.append(scaled)
    optimizer.param_groups = groups
