"""The normalisation layers PaperPolicy can place where the paper puts batch norm."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch as th
from sb3_contrib.common.torch_layers import BatchRenorm1d
from torch import nn

NORMALIZATIONS = (False, True, "renorm")
# What the critic normalises with when it scores the actor's actions (see PaperPolicy's actor_update_stats).
ACTOR_UPDATE_STATS = ("batch", "running")


def check_batch_norm(batch_norm: Any, batch_norm_kwargs: dict[str, Any] | None) -> None:
    """Refuse a ``batch_norm`` value that is not one of :data:`NORMALIZATIONS` (or a ``dict(pi=..., qf=...)``
    of them), naming them."""
    values = list(batch_norm.values()) if isinstance(batch_norm, dict) else [batch_norm]
    if isinstance(batch_norm, dict) and set(batch_norm) != {"pi", "qf"}:
        raise ValueError(
            f"batch_norm={batch_norm!r}: per network, give dict(pi=..., qf=...) (the actor's and the "
            "critic's), as for net_arch."
        )
    for value in values:
        if value not in NORMALIZATIONS or (isinstance(value, int) and not isinstance(value, bool)):
            raise ValueError(
                f"batch_norm={batch_norm!r} is not a normalisation PaperPolicy knows. Use False (none), True "
                "(the paper's nn.BatchNorm1d) or 'renorm' (sb3-contrib's BatchRenorm1d, as in CrossQ), or "
                "dict(pi=..., qf=...) of them for the actor and the critic."
            )
    if batch_norm_kwargs and not any(values):
        raise ValueError(
            "batch_norm_kwargs was given but batch_norm is off: set batch_norm=True or 'renorm'."
        )


@contextmanager
def running_statistics(module: nn.Module) -> Iterator[None]:
    """Run ``module``'s normalisation layers on their running statistics (eval mode), whatever its mode,
    for the duration: their statistics are neither used from the batch nor updated."""
    layers = [layer for layer in module.modules() if isinstance(layer, (nn.BatchNorm1d, BatchRenorm1d))]
    modes = [layer.training for layer in layers]
    for layer in layers:
        layer.training = False
    try:
        yield
    finally:
        for layer, mode in zip(layers, modes, strict=True):
            layer.training = mode


def per_network(batch_norm: bool | str | dict[str, bool | str]) -> tuple[bool | str, bool | str]:
    """The actor's and the critic's normalisation from PaperPolicy's ``batch_norm``."""
    if isinstance(batch_norm, dict):
        return batch_norm["pi"], batch_norm["qf"]
    return batch_norm, batch_norm


def norm_layer(batch_norm: bool | str, width: int, batch_norm_kwargs: dict[str, Any] | None) -> nn.Module:
    """One normalisation layer of ``width`` features (``batch_norm`` must be on)."""
    if batch_norm == "renorm":
        return BatchRenorm1dRunningStats(width, **(batch_norm_kwargs or {}))
    return nn.BatchNorm1d(width, **(batch_norm_kwargs or {}))


class BatchRenorm1dRunningStats(BatchRenorm1d):
    """sb3-contrib's ``BatchRenorm1d`` with its running statistics stored as ``running_mean`` and
    ``running_var``.

    SB3 (``TD3._setup_model``) copies a network's batch-norm statistics to its target network by
    matching ``running_`` in the buffer names; under sb3-contrib's names (``ra_mean``, ``ra_var``) the
    target networks, which always run in eval mode, would normalise with their initial statistics
    forever. The layer's maths is sb3-contrib's, unchanged.

    Example:
        >>> layer = BatchRenorm1dRunningStats(400, warmup_steps=10_000)
        >>> sorted(name for name, _ in layer.named_buffers())
        ['running_mean', 'running_var', 'steps']

    :param num_features: the number of features.
    :param kwargs: ``eps``, ``momentum``, ``affine``, ``warmup_steps`` of ``BatchRenorm1d``.
    """

    def __init__(self, num_features: int, **kwargs: Any):
        super().__init__(num_features, **kwargs)
        self._buffers["running_mean"] = self._buffers.pop("ra_mean")
        self._buffers["running_var"] = self._buffers.pop("ra_var")

    # sb3-contrib's forward reads and updates (in place, then re-assigns) ra_mean and ra_var. The getters
    # raise AttributeError until the buffers are renamed, so that register_buffer("ra_mean") still works.
    @property
    def ra_mean(self) -> th.Tensor:
        return self._renamed("running_mean")

    @ra_mean.setter
    def ra_mean(self, value: th.Tensor) -> None:
        self._buffers["running_mean"] = value

    @property
    def ra_var(self) -> th.Tensor:
        return self._renamed("running_var")

    @ra_var.setter
    def ra_var(self, value: th.Tensor) -> None:
        self._buffers["running_var"] = value

    def _renamed(self, name: str) -> th.Tensor:
        buffer = self._buffers.get(name)
        if buffer is None:
            raise AttributeError(name)
        return buffer
