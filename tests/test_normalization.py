import re

import pytest
import torch as th
from torch import nn

from sb3_ddpg_ext.normalization import BatchRenorm1dRunningStats, check_batch_norm, norm_layer, per_network


@pytest.mark.parametrize(
    "value", [False, True, "renorm", {"pi": True, "qf": False}, {"pi": "renorm", "qf": True}]
)
def test_known_normalisations_pass(value):
    check_batch_norm(value, None)


UNKNOWN = (
    " is not a normalisation PaperPolicy knows. Use False (none), True (the paper's nn.BatchNorm1d) or "
    "'renorm' (sb3-contrib's BatchRenorm1d, as in CrossQ), or dict(pi=..., qf=...) of them for the actor "
    "and the critic."
)
OFF = "batch_norm_kwargs was given but batch_norm is off: set batch_norm=True or 'renorm'."


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (1, None, "batch_norm=1" + UNKNOWN),
        ("layer", None, "batch_norm='layer'" + UNKNOWN),
        (
            {"pi": True},
            None,
            "batch_norm={'pi': True}: per network, give dict(pi=..., qf=...) (the actor's and the critic's), "
            "as for net_arch.",
        ),
        ({"pi": True, "qf": "layer"}, None, "batch_norm={'pi': True, 'qf': 'layer'}" + UNKNOWN),
        (False, {"momentum": 0.01}, OFF),
        ({"pi": False, "qf": False}, {"momentum": 0.01}, OFF),
    ],
)
def test_unknown_normalisations_are_refused_naming_the_choices(value, kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_batch_norm(value, kwargs)


def test_per_network_splits_a_dict_and_repeats_a_single_value():
    assert per_network({"pi": True, "qf": "renorm"}) == (True, "renorm")
    assert per_network("renorm") == ("renorm", "renorm")


def test_norm_layer_builds_batch_norm_or_renorm_with_the_kwargs():
    plain = norm_layer(True, 8, {"momentum": 0.01})
    assert type(plain) is nn.BatchNorm1d
    assert plain.momentum == 0.01
    renorm = norm_layer("renorm", 8, {"warmup_steps": 3})
    assert isinstance(renorm, BatchRenorm1dRunningStats)
    assert renorm.warmup_steps == 3


def test_renorm_keeps_its_statistics_under_sb3s_names_and_updates_them_in_place():
    layer = BatchRenorm1dRunningStats(4, momentum=0.5)
    assert {"running_mean", "running_var"} <= dict(layer.named_buffers()).keys()
    assert "ra_mean" not in dict(layer.named_buffers())
    mean = layer.running_mean
    layer.train()
    layer(th.full((16, 4), 2.0) + th.randn(16, 4) * 0.01)
    assert layer.running_mean is mean  # the tensor SB3's copy lists point at
    th.testing.assert_close(layer.running_mean, th.full((4,), 1.0), atol=0.01, rtol=0)
