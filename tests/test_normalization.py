import pytest
import torch as th
from torch import nn

from sb3_ddpg_ext.normalization import BatchRenorm1dRunningStats, check_batch_norm, norm_layer, per_network


@pytest.mark.parametrize(
    "value", [False, True, "renorm", {"pi": True, "qf": False}, {"pi": "renorm", "qf": True}]
)
def test_known_normalisations_pass(value):
    check_batch_norm(value, None)


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (1, None, "is not a normalisation"),
        ("layer", None, "is not a normalisation"),
        ({"pi": True}, None, "give dict"),
        ({"pi": True, "qf": "layer"}, None, "is not a normalisation"),
        (False, {"momentum": 0.01}, "batch_norm is off"),
        ({"pi": False, "qf": False}, {"momentum": 0.01}, "batch_norm is off"),
    ],
)
def test_unknown_normalisations_are_refused_naming_the_choices(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
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
