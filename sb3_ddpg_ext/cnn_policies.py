"""CnnPaperPolicy: the DDPG paper's networks for learning from pixels."""

from __future__ import annotations

from typing import Any

import torch as th
from gymnasium import spaces
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor
from stable_baselines3.common.type_aliases import Schedule
from torch import nn

from sb3_ddpg_ext.initialization import fan_in_conv
from sb3_ddpg_ext.paper import PIXEL_FINAL_LAYER_BOUND
from sb3_ddpg_ext.policies import PaperPolicy


class PaperCnnExtractor(BaseFeaturesExtractor):
    """The paper's convolutional trunk: 3 layers of 32 filters, ReLU, no pooling, then flatten.

    The paper gives the filter count but not the kernels or strides. Without pooling, the strides do
    the downsampling: 3x3 kernels with stride 2 take a 64x64 input to 31, 15 and 7 pixels a side, so the
    first fully connected layer sees 32 * 7 * 7 = 1568 features (a 15-pixel receptive field, enough for
    the paper's 64x64 frames), and a 200-unit layer on top stays small (314k weights). Layers are
    fan-in initialised (fan_in = in_channels * kernel area), as the paper's other hidden layers.

    :param observation_space: a channel-first image space (SB3 transposes channel-last images).
    :param filters: filters per layer (paper: 32).
    :param kernel_sizes: kernel side of each layer.
    :param strides: stride of each layer.
    :param batch_norm: ``nn.BatchNorm2d`` after each convolution (the paper's batch-norm option).
    """

    def __init__(
        self,
        observation_space: spaces.Box,
        filters: int = 32,
        kernel_sizes: tuple[int, ...] = (3, 3, 3),
        strides: tuple[int, ...] = (2, 2, 2),
        batch_norm: bool = False,
    ):
        if len(kernel_sizes) != len(strides):
            raise ValueError(f"kernel_sizes {kernel_sizes} and strides {strides} must have the same length.")
        channels = observation_space.shape[0]
        layers: list[nn.Module] = []
        for kernel_size, stride in zip(kernel_sizes, strides, strict=True):
            layers.append(fan_in_conv(channels, filters, kernel_size, stride))
            if batch_norm:
                layers.append(nn.BatchNorm2d(filters))
            layers.append(nn.ReLU())
            channels = filters
        trunk = nn.Sequential(*layers, nn.Flatten())
        with th.no_grad():
            features_dim = trunk(th.zeros(1, *observation_space.shape)).shape[1]
        if features_dim == 0:
            raise ValueError(
                f"Images of shape {observation_space.shape} are too small for kernels {kernel_sizes} with "
                f"strides {strides}: use larger frames (e.g. PaperPixels(size=64)) or smaller strides."
            )
        super().__init__(observation_space, features_dim)
        self.cnn = trunk

    def forward(self, observations: th.Tensor) -> th.Tensor:
        """Flattened features of a batch of ``(channels, height, width)`` images."""
        return self.cnn(observations)


class CnnPaperPolicy(PaperPolicy):
    """The DDPG paper's pixel networks as an SB3 policy for ``DDPG`` and ``TD3``.

    Each network has its own :class:`PaperCnnExtractor` trunk (``share_features_extractor=True`` shares
    the actor's, which the critic's loss then does not train), followed by two fully connected layers of
    200; the action enters the critic at the second (``action_layer``); final layers are uniform in
    +-3e-4. Learning rates, weight decay and batch norm work as in :class:`PaperPolicy`; with
    ``batch_norm=True`` the convolutions are batch-normalised too. SB3 scales uint8 pixels to [0, 1] and
    transposes channel-last images for it.

    Example:
        >>> import gymnasium as gym
        >>> from stable_baselines3 import DDPG
        >>> from sb3_ddpg_wrappers import NormalizedActions, PaperPixels
        >>> import sb3_ddpg_ext  # registers "CnnPaperPolicy"
        >>> env = PaperPixels(NormalizedActions(gym.make("Pendulum-v1", render_mode="rgb_array")))
        >>> model = DDPG("CnnPaperPolicy", env, buffer_size=10_000)

    :param observation_space: an image space.
    :param action_space: a bounded Box.
    :param lr_schedule: the algorithm's learning-rate schedule.
    :param net_arch: the fully connected widths (paper: [200, 200]).
    :param features_extractor_class: the convolutional trunk.
    :param features_extractor_kwargs: its keyword arguments (filters, kernel_sizes, strides).
    :param share_features_extractor: one trunk for actor and critic.
    :param batch_norm: batch norm in the trunk and where PaperPolicy puts it (True), or not (False).
    :param final_layer_bound: the final layers' weights and biases are uniform in +-this.
    :param kwargs: the other :class:`PaperPolicy` arguments.
    """

    accepted_observations = "image"

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Box,
        lr_schedule: Schedule,
        net_arch: list[int] | dict[str, list[int]] | None = None,
        features_extractor_class: type[BaseFeaturesExtractor] = PaperCnnExtractor,
        features_extractor_kwargs: dict[str, Any] | None = None,
        share_features_extractor: bool = False,
        batch_norm: bool = False,
        final_layer_bound: float = PIXEL_FINAL_LAYER_BOUND,
        **kwargs: Any,
    ):
        if isinstance(batch_norm, dict):
            raise ValueError(
                "CnnPaperPolicy takes batch_norm=True or False for the whole network (its convolutions "
                "included); per-network batch norm is PaperPolicy's."
            )
        if batch_norm == "renorm":
            raise ValueError(
                "CnnPaperPolicy offers batch_norm=True or False: batch renormalisation has no "
                "convolutional layer in sb3-contrib."
            )
        if features_extractor_class is PaperCnnExtractor:
            features_extractor_kwargs = {"batch_norm": bool(batch_norm), **(features_extractor_kwargs or {})}
        super().__init__(
            observation_space,
            action_space,
            lr_schedule,
            net_arch=[200, 200] if net_arch is None else net_arch,
            features_extractor_class=features_extractor_class,
            features_extractor_kwargs=features_extractor_kwargs,
            share_features_extractor=share_features_extractor,
            batch_norm=batch_norm,
            final_layer_bound=final_layer_bound,
            **kwargs,
        )
