"""The DDPG paper's weight initialisation, in one place (its bounds are in :mod:`sb3_ddpg_ext.paper`)."""

from __future__ import annotations

import math

from torch import nn


def fan_in_linear(in_features: int, out_features: int) -> nn.Linear:
    """A hidden layer with weights and biases uniform in +-1/sqrt(fan_in), fan_in = its input width.

    :param in_features: the layer's real input width (for the critic's action layer: hidden + action).
    :param out_features: the layer's output width.
    """
    return uniform_linear(in_features, out_features, 1.0 / math.sqrt(in_features))


def uniform_linear(in_features: int, out_features: int, bound: float) -> nn.Linear:
    """A linear layer with weights and biases uniform in [-bound, bound] (the paper's final layers).

    :param in_features: input width.
    :param out_features: output width.
    :param bound: the half-width of the uniform distribution.
    """
    layer = nn.Linear(in_features, out_features)
    nn.init.uniform_(layer.weight, -bound, bound)
    nn.init.uniform_(layer.bias, -bound, bound)
    return layer


def fan_in_conv(in_channels: int, out_channels: int, kernel_size: int, stride: int) -> nn.Conv2d:
    """A convolution with weights and biases uniform in +-1/sqrt(fan_in), fan_in = in_channels * k * k.

    :param in_channels: input channels.
    :param out_channels: filters.
    :param kernel_size: square kernel side.
    :param stride: stride in both directions.
    """
    conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride)
    bound = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)
    nn.init.uniform_(conv.weight, -bound, bound)
    nn.init.uniform_(conv.get_parameter("bias"), -bound, bound)
    return conv
