import math

import pytest
import torch as th

from sb3_ddpg_ext.initialization import fan_in_conv, fan_in_linear, uniform_linear
from sb3_ddpg_ext.paper import FINAL_LAYER_BOUND


def spans(tensor, bound):
    """Inside +-bound, and spread over it (not a narrower default initialisation)."""
    return tensor.abs().max().item() <= bound and tensor.abs().max().item() > 0.9 * bound


@pytest.mark.parametrize(("fan_in", "width"), [(3, 400), (402, 300)])
def test_fan_in_layers_are_uniform_in_one_over_root_fan_in(fan_in, width):
    layer = fan_in_linear(fan_in, width)
    bound = 1 / math.sqrt(fan_in)
    assert (layer.in_features, layer.out_features) == (fan_in, width)
    assert spans(layer.weight, bound)
    assert spans(layer.bias, bound)
    assert abs(layer.weight.mean().item()) < 0.05 * bound  # centred


def test_final_layers_take_the_given_bound():
    layer = uniform_linear(300, 6, FINAL_LAYER_BOUND)
    assert spans(layer.weight, 3e-3)
    assert layer.bias.abs().max().item() <= 3e-3


def test_fan_in_convolutions_count_channels_and_kernel():
    conv = fan_in_conv(9, 32, kernel_size=3, stride=2)
    assert conv.stride == (2, 2)
    assert spans(conv.weight, 1 / math.sqrt(9 * 3 * 3))
    assert conv(th.zeros(1, 9, 64, 64)).shape == (1, 32, 31, 31)


def test_the_old_module_name_still_imports_with_a_deprecation_warning():
    import importlib
    import sys

    sys.modules.pop("sb3_ddpg_ext.init", None)
    with pytest.warns(DeprecationWarning, match=r"sb3_ddpg_ext\.initialization"):
        old = importlib.import_module("sb3_ddpg_ext.init")
    assert old.uniform_linear is uniform_linear
    assert old.PAPER_FINAL_BOUND == FINAL_LAYER_BOUND
