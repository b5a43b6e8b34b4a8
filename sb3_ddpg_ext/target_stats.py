"""What the target networks' batch norm normalises with when they compute the critic's target
(PaperPolicy's ``target_batch_stats``): the choices, and what each one does in the train step.

- ``"copy"``: SB3's way: the targets in eval mode, on running statistics copied from the online
  networks at every update.
- ``"soft"``: the same, with the running statistics soft-updated with tau, like the weights.
- ``"batch"``: the targets in training mode, on the statistics of the batch of next states.
- ``"nonterminal"``: as ``"batch"``, on the next states that are not terminal only.

``"soft"`` and ``"nonterminal"`` need ``sb3_ddpg_ext.DDPG``'s train step, which runs inside
:func:`honoured`; a policy trained by another step warns once (:func:`warn_if_ignored`).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Final

import torch as th
from stable_baselines3.common.type_aliases import PyTorchObs

CHOICES: Final = ("copy", "soft", "batch", "nonterminal")
# The choices that run the target networks in training mode, on their batch's statistics.
TRAINING_MODE: Final = ("batch", "nonterminal")
# The choices only sb3_ddpg_ext.DDPG's train step honours (stock SB3's copies running statistics).
NEED_OUR_STEP: Final = ("soft", "nonterminal")

# Set while sb3_ddpg_ext.DDPG's train step runs: the step that honours every choice.
_OUR_STEP: ContextVar[bool] = ContextVar("sb3_ddpg_ext_target_stats_honoured", default=False)


def check(choice: str) -> None:
    """Refuse a ``target_batch_stats`` that is not one of :data:`CHOICES`, saying what each means."""
    if choice not in CHOICES:
        raise ValueError(
            f"target_batch_stats={choice!r} is not one of {CHOICES}: 'copy' (SB3's running statistics "
            "copied every update), 'soft' (soft-updated with tau), 'batch' (the next states' batch "
            "statistics) or 'nonterminal' (the non-terminal next states')."
        )


def in_effect(policy: Any, has_batch_norm: bool) -> str:
    """The choice the train step runs: the policy's, or ``"copy"`` (SB3's) for a policy without that
    setting, and without batch norm, where every choice is the same computation."""
    return getattr(policy, "target_batch_stats", "copy") if has_batch_norm else "copy"


def bootstrap_values(
    target_values: Callable[[Any], th.Tensor], next_obs: PyTorchObs, dones: th.Tensor, choice: str
) -> th.Tensor:
    """Q'(s', mu'(s')) for a batch. With ``"nonterminal"`` the target networks see only the next states
    that are not terminal (their batch norm then normalises with those states' statistics); the terminal
    rows, which the target multiplies by zero, get 0."""
    if choice != "nonterminal":  # checked first: this runs at every gradient step
        return target_values(next_obs)
    live = dones[:, 0] == 0
    if int(live.sum()) < 2:  # batch norm needs two rows
        return target_values(next_obs)
    if isinstance(next_obs, dict):
        live_obs: PyTorchObs = {key: value[live] for key, value in next_obs.items()}
    else:
        live_obs = next_obs[live]
    next_q = th.zeros_like(dones)
    next_q[live] = target_values(live_obs)
    return next_q


def update_statistics(targets: list[th.Tensor], online: list[th.Tensor], choice: str, tau: float) -> None:
    """The targets' running statistics after an update: soft-updated with ``"soft"``, else copied, as SB3
    does (what batch renorm's corrections read in the targets with ``"batch"``)."""
    if not online:
        return
    if choice == "soft":
        th._foreach_lerp_(targets, online, tau)
    else:
        th._foreach_copy_(targets, online)


@contextlib.contextmanager
def honoured() -> Iterator[None]:
    """Mark the code inside as a train step that honours every choice (sb3_ddpg_ext.DDPG's)."""
    token = _OUR_STEP.set(True)
    try:
        yield
    finally:
        _OUR_STEP.reset(token)


def warn_if_ignored(choice: str, has_batch_norm: bool) -> None:
    """Warn when a train step other than sb3_ddpg_ext.DDPG's runs a choice only that step honours."""
    if _OUR_STEP.get() or choice not in NEED_OUR_STEP or not has_batch_norm:
        return
    instead = {
        "nonterminal": "the statistics of every next state, terminal ones included (as 'batch')",
        "soft": "running statistics copied at every update (as 'copy')",
    }[choice]
    warnings.warn(
        f"target_batch_stats={choice!r} needs sb3_ddpg_ext.DDPG's train step; this algorithm's own step "
        f"runs the target networks on {instead}. Train with sb3_ddpg_ext.DDPG (or `sb3-ddpg train`), or "
        "choose 'batch' or 'copy'.",
        stacklevel=3,
    )
