"""PaperPolicy: the DDPG paper's actor and critic as an SB3 ``TD3Policy`` (usable by DDPG and TD3)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.policies import BaseModel, BasePolicy
from stable_baselines3.common.preprocessing import get_action_dim, is_image_space
from stable_baselines3.common.torch_layers import (
    BaseFeaturesExtractor,
    CombinedExtractor,
    FlattenExtractor,
    get_actor_critic_arch,
)
from stable_baselines3.common.type_aliases import PyTorchObs, Schedule
from stable_baselines3.td3.policies import TD3Policy
from torch import nn

from sb3_ddpg_ext import paper, target_stats
from sb3_ddpg_ext.initialization import fan_in_linear, uniform_linear
from sb3_ddpg_ext.normalization import (
    ACTOR_UPDATE_STATS,
    check_batch_norm,
    norm_layer,
    per_network,
    running_statistics,
)
from sb3_ddpg_ext.optim import make_scaled_optimizer


def _first_given(*values: float | None) -> float:
    return next(value for value in values if value is not None)


def _action_layer(action_layer: int | None, critic_arch: list[int]) -> int:
    """The critic layer the action joins: the paper's 2nd, or the last place a shallower critic has."""
    if action_layer is None:
        action_layer = min(paper.ACTION_LAYER, len(critic_arch) + 1)
    if not 1 <= action_layer <= len(critic_arch) + 1:
        raise ValueError(
            f"action_layer={action_layer} is outside the critic: with hidden layers {critic_arch} it "
            f"must be between 1 (with the observation) and {len(critic_arch) + 1} (the output layer)."
        )
    return action_layer


def _weight_decays(
    optimizer_kwargs: dict[str, Any] | None, actor: float | None, critic: float | None
) -> tuple[dict[str, Any], float, float]:
    """The optimizers' other arguments, and each network's weight decay: a per-network value, else an
    ``optimizer_kwargs`` ``weight_decay`` (both networks, as in SB3), else the paper's (critic only)."""
    optimizer_kwargs = dict(optimizer_kwargs or {})
    if "lr" in optimizer_kwargs:
        raise ValueError(
            "optimizer_kwargs 'lr' conflicts with the algorithm's learning_rate, which SB3 writes into "
            "every optimizer at each update: pass learning_rate= to the algorithm instead (PaperPolicy "
            "then scales it per network with actor_lr_scale and critic_lr_scale)."
        )
    shared = optimizer_kwargs.pop("weight_decay", None)
    decays = _first_given(actor, shared, 0.0), _first_given(critic, shared, paper.CRITIC_WEIGHT_DECAY)
    for name, value in zip(("actor_weight_decay", "critic_weight_decay"), decays, strict=True):
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {value}.")
    return optimizer_kwargs, *decays


def hidden_layers(
    in_dim: int,
    widths: list[int],
    activation_fn: type[nn.Module],
    batch_norm: bool | str,
    batch_norm_kwargs: dict[str, Any] | None = None,
) -> list[nn.Module]:
    """Fan-in-initialised ``Linear -> [BatchNorm] -> activation`` blocks, one per width."""
    layers: list[nn.Module] = []
    for width in widths:
        layers.append(fan_in_linear(in_dim, width))
        if batch_norm:
            layers.append(norm_layer(batch_norm, width, batch_norm_kwargs))
        layers.append(activation_fn())
        in_dim = width
    return layers


class PaperActor(BasePolicy):
    """The paper's actor: ``obs -> [BN] -> 400 -> [BN] -> ReLU -> 300 -> [BN] -> ReLU -> action -> tanh``.

    :param observation_space: observation space.
    :param action_space: action space (a bounded Box).
    :param net_arch: hidden layer widths.
    :param features_extractor: the module that turns observations into features (a flatten layer).
    :param features_dim: the width of those features.
    :param activation_fn: hidden-layer activation.
    :param normalize_images: whether SB3 scales image observations to [0, 1].
    :param batch_norm: normalise the input and every hidden layer: True for the paper's batch norm,
        ``"renorm"`` for batch renormalisation.
    :param batch_norm_kwargs: keyword arguments of the normalisation layers.
    :param final_layer_bound: the final layer's weights and biases are uniform in +-this.
    """

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Box,
        net_arch: list[int],
        features_extractor: BaseFeaturesExtractor,
        features_dim: int,
        activation_fn: type[nn.Module] = nn.ReLU,
        normalize_images: bool = True,
        batch_norm: bool | str = False,
        batch_norm_kwargs: dict[str, Any] | None = None,
        final_layer_bound: float = paper.FINAL_LAYER_BOUND,
    ):
        super().__init__(
            observation_space,
            action_space,
            features_extractor=features_extractor,
            normalize_images=normalize_images,
            squash_output=True,
        )
        self.net_arch = net_arch
        self.features_dim = features_dim
        self.activation_fn = activation_fn
        self.batch_norm = batch_norm
        self.batch_norm_kwargs = batch_norm_kwargs
        self.final_layer_bound = final_layer_bound
        last = net_arch[-1] if net_arch else features_dim
        layers = [norm_layer(batch_norm, features_dim, batch_norm_kwargs)] if batch_norm else []
        layers += hidden_layers(features_dim, net_arch, activation_fn, batch_norm, batch_norm_kwargs)
        layers += [uniform_linear(last, get_action_dim(action_space), final_layer_bound), nn.Tanh()]
        self.mu = nn.Sequential(*layers)

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(
            net_arch=self.net_arch,
            features_dim=self.features_dim,
            activation_fn=self.activation_fn,
            features_extractor=self.features_extractor,
            batch_norm=self.batch_norm,
            batch_norm_kwargs=self.batch_norm_kwargs,
            final_layer_bound=self.final_layer_bound,
        )
        return data

    def forward(self, obs: th.Tensor) -> th.Tensor:
        """The deterministic action for a batch of observations, in [-1, 1] (tanh output)."""
        return self.mu(self.extract_features(obs, self.features_extractor))

    def _predict(self, observation: PyTorchObs, deterministic: bool = False) -> th.Tensor:
        return self(observation)


class PaperQNetwork(nn.Module):
    """One Q-network whose action joins the state features at hidden layer ``action_layer`` (1-based).

    ``action_layer=1`` concatenates the action with the observation (SB3's layout); 2 is the paper's;
    ``len(net_arch) + 1`` feeds it to the output layer. Batch norm, when on, covers the state input and
    every layer before the action, as in the paper.
    """

    def __init__(
        self,
        features_dim: int,
        action_dim: int,
        net_arch: list[int],
        action_layer: int,
        activation_fn: type[nn.Module],
        batch_norm: bool | str,
        batch_norm_kwargs: dict[str, Any] | None,
        final_layer_bound: float,
    ):
        super().__init__()
        before, after = net_arch[: action_layer - 1], net_arch[action_layer - 1 :]
        state_layers = [norm_layer(batch_norm, features_dim, batch_norm_kwargs)] if batch_norm else []
        state_layers += hidden_layers(features_dim, before, activation_fn, batch_norm, batch_norm_kwargs)
        self.state_net = nn.Sequential(*state_layers)
        joined_dim = (before[-1] if before else features_dim) + action_dim
        joint_layers = hidden_layers(joined_dim, after, activation_fn, batch_norm=False)
        joint_layers.append(uniform_linear(after[-1] if after else joined_dim, 1, final_layer_bound))
        self.joint_net = nn.Sequential(*joint_layers)

    def forward(self, features: th.Tensor, actions: th.Tensor) -> th.Tensor:
        return self.joint_net(th.cat([self.state_net(features), actions], dim=1))


class PaperCritic(BaseModel):
    """``n_critics`` paper Q-networks with the interface of SB3's ``ContinuousCritic``.

    :param observation_space: observation space.
    :param action_space: action space.
    :param net_arch: hidden layer widths of each Q-network.
    :param features_extractor: the module that turns observations into features.
    :param features_dim: the width of those features.
    :param activation_fn: hidden-layer activation.
    :param normalize_images: whether SB3 scales image observations to [0, 1].
    :param n_critics: the number of independent Q-networks (1 for DDPG, 2 for TD3).
    :param share_features_extractor: whether the features extractor is the actor's (then it is
        trained by the actor's loss only).
    :param action_layer: the hidden layer (1-based) whose input receives the action.
    :param batch_norm: normalise the state input and the layers before the action (True: batch norm,
        ``"renorm"``: batch renormalisation).
    :param batch_norm_kwargs: keyword arguments of the normalisation layers.
    :param final_layer_bound: the output layer's weights and biases are uniform in +-this.
    :param actor_update_stats: what ``q1_forward`` (the actor's loss) normalises with in training mode:
        ``"batch"`` (the batch's statistics) or ``"running"`` (the running averages).
    """

    features_extractor: BaseFeaturesExtractor

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Box,
        net_arch: list[int],
        features_extractor: BaseFeaturesExtractor,
        features_dim: int,
        activation_fn: type[nn.Module] = nn.ReLU,
        normalize_images: bool = True,
        n_critics: int = 2,
        share_features_extractor: bool = True,
        action_layer: int = 2,
        batch_norm: bool | str = False,
        batch_norm_kwargs: dict[str, Any] | None = None,
        final_layer_bound: float = paper.FINAL_LAYER_BOUND,
        actor_update_stats: str = "batch",
    ):
        super().__init__(
            observation_space,
            action_space,
            features_extractor=features_extractor,
            normalize_images=normalize_images,
        )
        self.actor_update_stats = actor_update_stats
        self.share_features_extractor = share_features_extractor
        self.n_critics = n_critics
        self.q_networks: list[PaperQNetwork] = []
        for idx in range(n_critics):
            q_net = PaperQNetwork(
                features_dim,
                get_action_dim(action_space),
                net_arch,
                action_layer,
                activation_fn,
                batch_norm,
                batch_norm_kwargs,
                final_layer_bound,
            )
            self.add_module(f"qf{idx}", q_net)
            self.q_networks.append(q_net)

    def forward(self, obs: th.Tensor, actions: th.Tensor) -> tuple[th.Tensor, ...]:
        """Q-values of a batch of (observation, action) pairs, one ``(batch, 1)`` tensor per Q-network."""
        # A shared features extractor learns from the actor's loss only, as in SB3.
        with th.set_grad_enabled(not self.share_features_extractor):
            features = self.extract_features(obs, self.features_extractor)
        return tuple(q_net(features, actions) for q_net in self.q_networks)

    def q1_forward(self, obs: th.Tensor, actions: th.Tensor) -> th.Tensor:
        """The first Q-network's value only (what the actor's loss needs)."""
        with th.no_grad():
            features = self.extract_features(obs, self.features_extractor)
        if self.actor_update_stats == "running":
            with running_statistics(self.q_networks[0]):
                return self.q_networks[0](features, actions)
        return self.q_networks[0](features, actions)


class PaperPolicy(TD3Policy):
    """The DDPG paper's networks and optimisation as an SB3 policy for ``DDPG`` and ``TD3``.

    Actor 400-300 with tanh output; critic ``obs -> 400 -> [concat action] -> 300 -> 1``; hidden layers
    uniform in +-1/sqrt(fan_in) and final layers in +-3e-3; optional batch norm where the paper puts it.
    The actor and critic learn at ``actor_lr_scale`` and ``critic_lr_scale`` times the algorithm's
    learning rate (schedule included), which holds although SB3 rewrites the optimizers' rates at every
    ``train()``: with SB3's default 1e-3 the critic learns at 1e-3 and the actor at 1e-4, as in the
    paper. Weight decay is per network: 1e-2 on the critic only by default.

    Example:
        >>> import gymnasium as gym
        >>> from stable_baselines3 import DDPG
        >>> import sb3_ddpg_ext  # registers "PaperPolicy"
        >>> model = DDPG("PaperPolicy", gym.make("Pendulum-v1"), policy_kwargs=dict(batch_norm=True))

    :param observation_space: observation space: Box, Discrete, MultiDiscrete or MultiBinary, preprocessed
        by SB3 as for ``MlpPolicy`` (one-hot encoding, float casting, flattening).
    :param action_space: action space (a bounded Box).
    :param lr_schedule: the algorithm's learning-rate schedule.
    :param net_arch: hidden widths, one list for both networks or ``dict(pi=[...], qf=[...])``.
    :param activation_fn: hidden-layer activation.
    :param features_extractor_class: features extractor (default: flatten the observation).
    :param features_extractor_kwargs: its keyword arguments.
    :param normalize_images: whether SB3 scales image observations to [0, 1].
    :param optimizer_class: the optimizer for both networks (Adam, as in the paper; any torch optimizer).
    :param optimizer_kwargs: other optimizer arguments for both networks. A ``weight_decay`` here applies
        to both networks, as in SB3, unless ``actor_weight_decay`` or ``critic_weight_decay`` is given,
        which wins for its network. ``lr`` is refused: SB3 writes ``learning_rate`` into every optimizer
        at each update.
    :param n_critics: the number of Q-networks (DDPG sets 1, TD3 uses 2).
    :param share_features_extractor: share the features extractor between actor and critic.
    :param action_layer: the critic hidden layer (1-based) whose input receives the action; 2 is the
        paper's, 1 is SB3's (action with the observation). Default: 2, or the output layer of a critic
        with fewer hidden layers (``net_arch=[]`` or ``[64]``).
    :param batch_norm: normalisation on the state input, every actor layer, and the critic layers
        before the action: False (none), True (the paper's batch norm) or ``"renorm"`` (sb3-contrib's
        ``BatchRenorm1d``, the normalisation CrossQ uses in its critic), or ``dict(pi=..., qf=...)`` of
        these for the actor and the critic apart. Running statistics are used while acting.
    :param batch_norm_kwargs: keyword arguments of those layers, e.g. ``momentum`` or, for
        ``"renorm"``, ``warmup_steps`` (forward passes in training mode that use plain batch statistics).
    :param target_batch_stats: what the target networks' batch norm uses when they compute the critic's
        target: ``"batch"`` (default: the statistics of the batch of next states, as the online networks
        use the batch's in training; running averages serve only when acting, as in the paper),
        ``"copy"`` (SB3's way: running statistics copied from the online networks at every update, the
        targets in eval mode) or ``"soft"`` (running statistics soft-updated with ``tau``, like the
        weights; needs ``sb3_ddpg_ext.DDPG``, as stock SB3's train step copies them), or ``"nonterminal"``
        (the statistics of the next states that are not terminal, the only ones whose values the target
        uses: terminal next states are outliers on tasks that end in failure, and with ``"batch"`` they
        set the normalisation of every other target; needs ``sb3_ddpg_ext.DDPG``). How each choice
        learns with the paper profile (Pendulum-v1, and InvertedDoublePendulum-v5, which ends in
        failure and where the profile uses ``"nonterminal"``) is measured in docs/benchmarks.md. The
        default stays ``"batch"``, which stock SB3's train step also runs.
    :param actor_update_stats: what the critic's batch norm uses when it scores the actor's actions in
        the actor's update: ``"batch"`` (default: the batch's statistics, as in the critic's own update)
        or ``"running"`` (its running averages, as rllab's DDPG does; the action gradient the actor
        follows then does not depend on which other states share the batch). The paper does not say.
    :param actor_lr_scale: actor learning rate / algorithm learning rate (paper: 1e-4 / 1e-3).
    :param critic_lr_scale: critic learning rate / algorithm learning rate.
    :param actor_weight_decay: L2 weight decay on the actor (default: ``optimizer_kwargs``'
        ``weight_decay`` if given, else none, as in the paper).
    :param critic_weight_decay: L2 weight decay on every critic parameter (default:
        ``optimizer_kwargs``' ``weight_decay`` if given, else the paper's 1e-2).
    :param final_layer_bound: the final layers' weights and biases are uniform in +-this.
    """

    accepted_observations = "vector"  # what check_spaces lets in: "vector", "image" (CnnPaperPolicy), "dict"

    def __init__(
        self,
        observation_space: spaces.Space,
        action_space: spaces.Box,
        lr_schedule: Schedule,
        net_arch: list[int] | dict[str, list[int]] | None = None,
        activation_fn: type[nn.Module] = nn.ReLU,
        features_extractor_class: type[BaseFeaturesExtractor] = FlattenExtractor,
        features_extractor_kwargs: dict[str, Any] | None = None,
        normalize_images: bool = True,
        optimizer_class: type[th.optim.Optimizer] = th.optim.Adam,
        optimizer_kwargs: dict[str, Any] | None = None,
        n_critics: int = 2,
        share_features_extractor: bool = False,
        action_layer: int | None = None,
        batch_norm: bool | str | dict[str, bool | str] = False,
        batch_norm_kwargs: dict[str, Any] | None = None,
        target_batch_stats: str = "batch",
        actor_update_stats: str = "batch",
        actor_lr_scale: float = paper.ACTOR_LR_SCALE,
        critic_lr_scale: float = 1.0,
        actor_weight_decay: float | None = None,
        critic_weight_decay: float | None = None,
        final_layer_bound: float = paper.FINAL_LAYER_BOUND,
    ):
        check_spaces(observation_space, action_space, type(self).__name__, self.accepted_observations)
        check_batch_norm(batch_norm, batch_norm_kwargs)
        target_stats.check(target_batch_stats)
        if actor_update_stats not in ACTOR_UPDATE_STATS:
            raise ValueError(
                f"actor_update_stats={actor_update_stats!r} is not one of {ACTOR_UPDATE_STATS}: 'batch' (the "
                "batch's statistics) or 'running' (the critic's running averages)."
            )
        net_arch = list(paper.NET_ARCH) if net_arch is None else net_arch
        action_layer = _action_layer(action_layer, get_actor_critic_arch(net_arch)[1])
        optimizer_kwargs, actor_weight_decay, critic_weight_decay = _weight_decays(
            optimizer_kwargs, actor_weight_decay, critic_weight_decay
        )
        self._mode_modules: list[nn.Module] | None = None  # filled on first use, after _build
        # Checked once, at the first update, so that stock SB3 running "soft" or "nonterminal" (which only
        # sb3_ddpg_ext.DDPG's train step honours) does not go unnoticed.
        self._target_stats_checked = False
        # Read by make_actor / make_critic / _build, which TD3Policy.__init__ calls.
        self.action_layer = action_layer
        self.batch_norm = batch_norm
        self.batch_norm_kwargs = batch_norm_kwargs
        self.target_batch_stats = target_batch_stats
        self.actor_update_stats = actor_update_stats
        self.actor_lr_scale = actor_lr_scale
        self.critic_lr_scale = critic_lr_scale
        self.actor_weight_decay = actor_weight_decay
        self.critic_weight_decay = critic_weight_decay
        self.final_layer_bound = final_layer_bound
        super().__init__(
            observation_space,
            action_space,
            lr_schedule,
            net_arch,
            activation_fn,
            features_extractor_class,
            features_extractor_kwargs,
            normalize_images,
            optimizer_class,
            optimizer_kwargs,
            n_critics,
            share_features_extractor,
        )

    def _build(self, lr_schedule: Schedule) -> None:
        super()._build(lr_schedule)
        # SB3 leaves the targets in eval mode; training mode makes their batch norm use the batch's
        # statistics. set_training_mode below never touches them.
        self.actor_target.set_training_mode(self.target_batch_stats in target_stats.TRAINING_MODE)
        self.critic_target.set_training_mode(self.target_batch_stats in target_stats.TRAINING_MODE)
        for net, lr_scale, weight_decay in (
            (self.actor, self.actor_lr_scale, self.actor_weight_decay),
            (self.critic, self.critic_lr_scale, self.critic_weight_decay),
        ):
            net.optimizer = make_scaled_optimizer(
                self.optimizer_class,
                net.parameters(),
                lr_schedule(1),
                lr_scale,
                weight_decay=weight_decay,
                **self.optimizer_kwargs,
            )

    def set_training_mode(self, mode: bool) -> None:
        """Put the actor and critic (not the targets, which stay in eval mode) in training or eval mode.

        The same flags as ``nn.Module.train``, set on a flat list: SB3 switches modes at every env step
        and every update, and the recursive walk through ``nn.Module.__setattr__`` showed in profiles.
        """
        if self._mode_modules is None:
            self._mode_modules = [*self.actor.modules(), *self.critic.modules()]
        if mode and not self._target_stats_checked:
            self._target_stats_checked = True
            target_stats.warn_if_ignored(self.target_batch_stats, any(per_network(self.batch_norm)))
        for module in self._mode_modules:
            module.__dict__["training"] = mode
        self.training = mode

    # PaperActor and PaperCritic offer the interface of SB3's Actor and ContinuousCritic without being
    # subclasses of them (their constructors build other networks).
    def make_actor(self, features_extractor: BaseFeaturesExtractor | None = None) -> PaperActor:  # type: ignore[override]
        kwargs = self._update_features_extractor(self.actor_kwargs, features_extractor)
        return PaperActor(
            **kwargs,
            batch_norm=per_network(self.batch_norm)[0],
            batch_norm_kwargs=self.batch_norm_kwargs,
            final_layer_bound=self.final_layer_bound,
        ).to(self.device)

    def make_critic(self, features_extractor: BaseFeaturesExtractor | None = None) -> PaperCritic:  # type: ignore[override]
        kwargs = self._update_features_extractor(self.critic_kwargs, features_extractor)
        return PaperCritic(
            **kwargs,
            action_layer=self.action_layer,
            batch_norm=per_network(self.batch_norm)[1],
            batch_norm_kwargs=self.batch_norm_kwargs,
            final_layer_bound=self.final_layer_bound,
            actor_update_stats=self.actor_update_stats,
        ).to(self.device)

    def _get_constructor_parameters(self) -> dict[str, Any]:
        data = super()._get_constructor_parameters()
        data.update(
            action_layer=self.action_layer,
            batch_norm=self.batch_norm,
            batch_norm_kwargs=self.batch_norm_kwargs,
            target_batch_stats=self.target_batch_stats,
            actor_update_stats=self.actor_update_stats,
            actor_lr_scale=self.actor_lr_scale,
            critic_lr_scale=self.critic_lr_scale,
            actor_weight_decay=self.actor_weight_decay,
            critic_weight_decay=self.critic_weight_decay,
            final_layer_bound=self.final_layer_bound,
        )
        return data


VECTOR_SPACES = (spaces.Box, spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)


def check_spaces(
    observation_space: spaces.Space,
    action_space: spaces.Space,
    policy_name: str,
    accepted: str = "vector",
) -> None:
    """Raise a clear error for spaces these networks cannot take. ``accepted`` says what the policy
    takes: ``"vector"`` (what SB3's ``MlpPolicy`` takes), ``"image"`` or ``"dict"``."""
    if accepted == "dict" and not isinstance(observation_space, spaces.Dict):
        raise ValueError(
            f"{policy_name} takes Dict observations, but got {observation_space}: use 'PaperPolicy' for "
            "Box, Discrete, MultiDiscrete and MultiBinary observations."
        )
    if accepted != "dict" and isinstance(observation_space, spaces.Dict):
        raise ValueError(
            f"{policy_name} takes a single observation space, but got {observation_space}: use "
            "'MultiInputPaperPolicy' for Dict observations (goal-conditioned envs and HER included)."
        )
    if accepted != "dict" and not isinstance(observation_space, VECTOR_SPACES):
        raise ValueError(
            f"{policy_name} takes Box, Discrete, MultiDiscrete or MultiBinary observations, but got "
            f"{observation_space}: flatten it first, e.g. with gymnasium.wrappers.FlattenObservation."
        )
    is_image = is_image_space(observation_space, check_channels=False)
    if accepted == "image" and not is_image:
        raise ValueError(
            f"{policy_name} takes image observations (uint8, (H, W, C) or (C, H, W)), but got "
            f"{observation_space}. Render the env to pixels with sb3_ddpg_wrappers.PaperPixels, or use "
            "PaperPolicy for vector observations."
        )
    if accepted == "vector" and is_image:
        # What MlpPolicy does with images too; said, since the paper has networks for them.
        warnings.warn(
            f"{policy_name} flattens the image observations {observation_space} into a vector; the paper's "
            "pixel networks are 'CnnPaperPolicy'.",
            stacklevel=3,
        )
    check_action_space(action_space, policy_name)


def check_action_space(action_space: spaces.Space, owner: str) -> None:
    """Raise a clear error, naming the fix, for an action space DDPG cannot act in."""
    if not isinstance(action_space, spaces.Box):
        raise ValueError(
            f"{owner} needs a continuous (Box) action space, but got {action_space}. DDPG cannot act "
            "in discrete spaces: use DQN or PPO, or a continuous version of the env."
        )
    if not (np.all(np.isfinite(action_space.low)) and np.all(np.isfinite(action_space.high))):
        raise ValueError(
            f"{owner} needs finite action bounds, but got low={action_space.low}, "
            f"high={action_space.high}. Give the env finite bounds, then wrap it with "
            "sb3_ddpg_wrappers.NormalizedActions."
        )


class MultiInputPaperPolicy(PaperPolicy):
    """PaperPolicy for Dict observations: SB3's ``CombinedExtractor`` (each key flattened, or a CNN for
    image keys), then the paper's actor and critic. With SB3's ``HerReplayBuffer`` this is DDPG + HER
    with the paper's networks.

    Example:
        >>> from stable_baselines3 import HerReplayBuffer
        >>> from stable_baselines3.common.envs import BitFlippingEnv
        >>> from sb3_ddpg_ext import DDPG
        >>> model = DDPG("MultiInputPaperPolicy", BitFlippingEnv(n_bits=4, continuous=True),
        ...              replay_buffer_class=HerReplayBuffer)

    :param observation_space: a Dict observation space.
    :param action_space: action space (a bounded Box).
    :param lr_schedule: the algorithm's learning-rate schedule.
    :param features_extractor_class: features extractor (default: SB3's ``CombinedExtractor``).
    :param kwargs: every other option of ``PaperPolicy``.
    """

    accepted_observations = "dict"

    def __init__(
        self,
        observation_space: spaces.Dict,
        action_space: spaces.Box,
        lr_schedule: Schedule,
        features_extractor_class: type[BaseFeaturesExtractor] = CombinedExtractor,
        **kwargs: Any,
    ):
        super().__init__(
            observation_space,
            action_space,
            lr_schedule,
            features_extractor_class=features_extractor_class,
            **kwargs,
        )
