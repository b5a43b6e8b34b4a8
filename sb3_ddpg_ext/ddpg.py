"""DDPG: stock SB3 DDPG with the paper's defaults."""

from __future__ import annotations

import contextlib
import io
import pathlib
import zipfile
from collections.abc import Iterator
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import stable_baselines3
import torch as th
from stable_baselines3.common.base_class import maybe_make_env
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.noise import ActionNoise
from stable_baselines3.common.type_aliases import GymEnv, PyTorchObs, ReplayBufferSamples, Schedule
from stable_baselines3.td3.policies import TD3Policy
from torch.nn import functional as F

from sb3_ddpg_ext import model_files, paper, target_stats
from sb3_ddpg_ext.mlp_grads import ManualBackprop
from sb3_ddpg_ext.noise import OUNoise, set_action_noise
from sb3_ddpg_ext.optim import AdamStep, with_fused_optimizer
from sb3_ddpg_ext.policies import check_action_space
from sb3_ddpg_ext.target_stats import bootstrap_values

PAPER_NOISE: Final = "paper"
# How the gradient step computes its gradients (the ``backward`` argument of DDPG).
BACKWARD_CHOICES: Final = ("auto", "manual", "autograd")


class UpdateTensors(NamedTuple):
    """What every gradient step touches, collected once."""

    actor_params: list[th.Tensor]
    actor_targets: list[th.Tensor]
    critic_params: list[th.Tensor]
    critic_targets: list[th.Tensor]
    batch_norm_stats: list[th.Tensor]
    batch_norm_targets: list[th.Tensor]
    target_stats: str  # PaperPolicy's target_batch_stats ("copy" for other policies, as SB3)
    actor_step: AdamStep
    critic_step: AdamStep
    manual: ManualBackprop | None  # set when the networks can take the hand-written backward pass


@contextlib.contextmanager
def flushing_denormals() -> Iterator[None]:
    """Flush subnormal floats to zero on the CPU inside the block (``torch.set_flush_denormal``), then
    put the setting back as it was."""
    was_on = _flushes_denormals()
    if not was_on:
        th.set_flush_denormal(True)
    try:
        yield
    finally:
        if not was_on:
            th.set_flush_denormal(False)


def _flushes_denormals() -> bool:
    # torch has no getter for the flag; with it on, arithmetic reads a subnormal as zero.
    return (th.full((1,), 1e-40) * 1.0).item() == 0.0


class DDPG(stable_baselines3.DDPG):
    """SB3's DDPG with the defaults of Lillicrap et al. (2016); ``learn()``, callbacks and saving are SB3's.

    Differences from ``stable_baselines3.DDPG``: the default policy is ``PaperPolicy``; tau 0.001 and
    batch 64; unless ``action_noise`` is given (``None`` for no noise), the paper's
    ``OUNoise(theta=0.15, sigma=0.2, dt=1)`` sized to the action space; the actor's and critic's
    effective learning rates are logged as ``train/actor_learning_rate`` and
    ``train/critic_learning_rate``; and a faster gradient step with the same math (see ``train``):
    fused Adam unless ``optimizer_kwargs`` say otherwise, no critic weight gradients in the actor update,
    one fused call per target update, and for the paper's layers (``PaperPolicy`` with ReLU or tanh, with
    or without batch norm) the backward passes written out by hand (``sb3_ddpg_ext.mlp_grads``) instead
    of autograd. Subnormal floats are flushed to zero during the gradient step (see ``train``).

    Example:
        >>> import gymnasium as gym
        >>> from sb3_ddpg_ext import DDPG, PaperPolicy
        >>> model = DDPG(PaperPolicy, gym.make("Pendulum-v1"), seed=0).learn(200)

    :param policy: the policy class or its registered name (default ``PaperPolicy``).
    :param env: the environment, or its registered id.
    :param learning_rate: the learning rate or schedule; ``PaperPolicy`` scales it per network.
    :param buffer_size: replay buffer capacity (paper: 1e6).
    :param learning_starts: steps of random actions before learning starts.
    :param batch_size: minibatch size (paper: 64).
    :param tau: soft target update coefficient (paper: 0.001).
    :param gamma: discount factor (paper: 0.99).
    :param train_freq: update the model every ``train_freq`` steps (or ``(n, "episode")``).
    :param gradient_steps: gradient steps after each rollout (paper: 1 per env step).
    :param action_noise: exploration noise: ``"paper"`` (default) for the paper's OU noise, ``None``
        for none, or any SB3 ``ActionNoise``.
    :param replay_buffer_class: replay buffer class (default: SB3's ``ReplayBuffer``).
    :param replay_buffer_kwargs: its keyword arguments.
    :param optimize_memory_usage: SB3's memory-efficient replay buffer variant.
    :param n_steps: n-step returns (1 as in the paper).
    :param tensorboard_log: TensorBoard log folder (None: no TensorBoard).
    :param policy_kwargs: keyword arguments for the policy (see ``PaperPolicy``).
    :param verbose: 0 silent, 1 info, 2 debug.
    :param seed: the seed of every random source: torch, numpy, the env, and the default noise.
    :param device: torch device ("auto": CUDA if available).
    :param backward: how the gradient step computes its gradients: ``"auto"`` (default) the
        hand-written backward passes where the networks are the paper's layers, autograd for anything
        else; ``"manual"`` those passes, refusing networks they cannot take; ``"autograd"`` PyTorch's
        autograd always (the reference the hand-written passes are tested against). Saved with the model;
        ``backward_in_use`` says which one runs.
    :param _init_setup_model: build the networks now (False when loading).
    """

    def __init__(
        self,
        policy: str | type[TD3Policy] = "PaperPolicy",
        env: GymEnv | str | None = None,
        learning_rate: float | Schedule = paper.CRITIC_LEARNING_RATE,
        buffer_size: int = paper.BUFFER_SIZE,
        learning_starts: int = 100,
        batch_size: int = paper.BATCH_SIZE,
        tau: float = paper.TAU,
        gamma: float = paper.GAMMA,
        train_freq: int | tuple[int, str] = 1,
        gradient_steps: int = 1,
        action_noise: ActionNoise | Literal["paper"] | None = PAPER_NOISE,
        replay_buffer_class: type[ReplayBuffer] | None = None,
        replay_buffer_kwargs: dict[str, Any] | None = None,
        optimize_memory_usage: bool = False,
        n_steps: int = 1,
        tensorboard_log: str | None = None,
        policy_kwargs: dict[str, Any] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: th.device | str = "auto",
        backward: Literal["auto", "manual", "autograd"] = "auto",
        _init_setup_model: bool = True,
    ):
        if backward not in BACKWARD_CHOICES:
            raise ValueError(
                f"backward={backward!r} is not one of {BACKWARD_CHOICES}: 'auto' (the hand-written passes "
                "where the networks allow them), 'manual' (only those) or 'autograd' (PyTorch's autograd)."
            )
        if not (action_noise is None or action_noise == PAPER_NOISE or isinstance(action_noise, ActionNoise)):
            raise ValueError(
                f"action_noise must be an SB3 ActionNoise (e.g. sb3_ddpg_ext.OUNoise), None for no noise, "
                f"or {PAPER_NOISE!r} for the paper's OU noise; got {action_noise!r}."
            )
        if env is not None:  # as SB3 does next, but checked first, with errors that say why
            env = maybe_make_env(env, verbose)
            check_action_space(env.action_space, "DDPG")
        super().__init__(
            policy=policy,
            env=env,  # type: ignore[arg-type]
            learning_rate=learning_rate,
            buffer_size=buffer_size,
            learning_starts=learning_starts,
            batch_size=batch_size,
            tau=tau,
            gamma=gamma,
            train_freq=train_freq,
            gradient_steps=gradient_steps,
            action_noise=None if action_noise == PAPER_NOISE else action_noise,
            replay_buffer_class=replay_buffer_class,
            replay_buffer_kwargs=replay_buffer_kwargs,
            optimize_memory_usage=optimize_memory_usage,
            n_steps=n_steps,
            tensorboard_log=tensorboard_log,
            policy_kwargs=with_fused_optimizer(policy_kwargs),
            verbose=verbose,
            seed=seed,
            device=device,
            _init_setup_model=False,
        )
        self.backward = backward
        if _init_setup_model:
            self._setup_model()
            if action_noise == PAPER_NOISE:  # sized to the action space, known now (not when loading)
                set_action_noise(
                    self, OUNoise(np.zeros(self.action_space.shape), paper.OU_SIGMA), per_env=False
                )

    def _setup_model(self) -> None:
        super()._setup_model()
        self._update_tensors_cache: UpdateTensors | None = None
        if self.backward == "manual" and self._manual_backprop() is None:
            raise ValueError(
                "backward='manual' needs the paper's layers (PaperPolicy with one Q-network, ReLU or tanh, "
                "a flatten features extractor), and these networks are not that: the hand-written passes "
                "cannot train them. Use backward='auto' (autograd for such networks) or 'autograd'."
            )
        # The given noise (or a loaded model's) checked against the action space; it is split per env when
        # learning starts, where the streams have always been drawn.
        set_action_noise(self, self.action_noise, per_env=False)

    def _setup_learn(self, *args: Any, **kwargs: Any) -> Any:
        # Before SB3 vectorises the noise by deep copies, which clone an OUNoise exactly.
        if self.action_noise is not None and self.env is not None:
            set_action_noise(self, self.action_noise)
        return super()._setup_learn(*args, **kwargs)

    def _update_learning_rate(self, optimizers: list[th.optim.Optimizer] | th.optim.Optimizer) -> None:
        super()._update_learning_rate(optimizers)
        self.logger.record("train/actor_learning_rate", self.actor.optimizer.param_groups[0]["lr"])
        self.logger.record("train/critic_learning_rate", self.critic.optimizer.param_groups[0]["lr"])

    def train(self, gradient_steps: int, batch_size: int = 100) -> None:
        """DDPG's update, ``gradient_steps`` times: the same math as SB3's ``TD3.train`` with DDPG's
        settings (``policy_delay=1``, zero target noise), done with fewer operations.

        Subnormal floats (below float32's smallest normal number, 1.2e-38) are flushed to zero while it
        runs: the critic's L2 decay drives the weights of dead ReLU units into that range, where every
        matrix product with them takes the CPU's slow path (the paper profile ran 2-7x slower)."""
        with flushing_denormals(), target_stats.honoured():
            self._train(gradient_steps, batch_size)

    def _train(self, gradient_steps: int, batch_size: int) -> None:
        self.policy.set_training_mode(True)
        self._update_learning_rate([self.actor.optimizer, self.critic.optimizer])
        assert self.replay_buffer is not None  # set up by _setup_model
        tensors = self._update_tensors()
        critic_losses, actor_losses = [], []
        for _ in range(gradient_steps):
            self._n_updates += 1
            batch = self.replay_buffer.sample(batch_size, env=self._vec_normalize_env)
            discounts = batch.discounts if batch.discounts is not None else self.gamma

            # The paper's layers take the hand-written backward pass; anything else, autograd.
            step = self._manual_step if tensors.manual is not None else self._autograd_step
            critic_loss, actor_loss = step(tensors, batch, discounts)

            # Soft target updates, then the targets' batch-norm running statistics.
            with th.no_grad():
                th._foreach_lerp_(tensors.critic_targets, tensors.critic_params, self.tau)
                th._foreach_lerp_(tensors.actor_targets, tensors.actor_params, self.tau)
                target_stats.update_statistics(
                    tensors.batch_norm_targets, tensors.batch_norm_stats, tensors.target_stats, self.tau
                )
            critic_losses.append(critic_loss.detach())
            actor_losses.append(actor_loss.detach())

        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/actor_loss", th.stack(actor_losses).mean().item())
        self.logger.record("train/critic_loss", th.stack(critic_losses).mean().item())

    def _autograd_step(
        self, tensors: UpdateTensors, batch: ReplayBufferSamples, discounts: th.Tensor | float
    ) -> tuple[th.Tensor, th.Tensor]:
        # Critic: regress Q(s, a) on r + gamma * min_i Q'_i(s', mu'(s')).
        with th.no_grad():

            def target_values(next_obs: PyTorchObs) -> th.Tensor:
                next_q = th.cat(self.critic_target(next_obs, self.actor_target(next_obs)), dim=1)
                return next_q.min(dim=1, keepdim=True).values

            next_obs, dones = batch.next_observations, batch.dones
            next_q = bootstrap_values(target_values, next_obs, dones, tensors.target_stats)
            target_q = batch.rewards + (1 - batch.dones) * discounts * next_q
        critic_loss = sum(F.mse_loss(q, target_q) for q in self.critic(batch.observations, batch.actions))
        assert isinstance(critic_loss, th.Tensor)  # one Q-network at least: never sum()'s start, 0
        tensors.critic_step.step(th.autograd.grad(critic_loss, tensors.critic_params, allow_unused=True))

        # Actor: ascend Q_1(s, mu(s)). Gradients for the actor's parameters only: the critic's weight
        # gradients, which SB3 computes and then discards, are never formed.
        actor_loss = -self.critic.q1_forward(batch.observations, self.actor(batch.observations)).mean()
        tensors.actor_step.step(th.autograd.grad(actor_loss, tensors.actor_params, allow_unused=True))
        return critic_loss, actor_loss

    @th.no_grad()
    def _manual_step(
        self, tensors: UpdateTensors, batch: ReplayBufferSamples, discounts: th.Tensor | float
    ) -> tuple[th.Tensor, th.Tensor]:
        """The same two updates with the backward passes written out (``mlp_grads``): the critic on
        r + gamma * Q'(s', mu'(s')), then the actor on -Q(s, mu(s))."""
        manual = tensors.manual
        assert manual is not None
        # Parameter-free (FlattenExtractor): the actor's features are the critic's.
        features = self.actor.extract_features(batch.observations, self.actor.features_extractor)
        next_features = self.actor.extract_features(batch.next_observations, self.actor.features_extractor)
        next_q = bootstrap_values(manual.target_q, next_features, batch.dones, tensors.target_stats)
        target_q = batch.rewards + (1 - batch.dones) * discounts * next_q
        critic_loss, critic_grads = manual.critic_grads(features, batch.actions, target_q)
        tensors.critic_step.step(tuple(critic_grads))
        actor_loss, actor_grads = manual.actor_grads(features)
        tensors.actor_step.step(tuple(actor_grads))
        return critic_loss, actor_loss

    @property
    def backward_in_use(self) -> Literal["manual", "autograd"]:
        """Which backward pass the gradient step runs: ``"manual"`` (hand-written) or ``"autograd"``."""
        return "manual" if self._update_tensors().manual is not None else "autograd"

    def _manual_backprop(self) -> ManualBackprop | None:
        if self.backward == "autograd":
            return None
        return ManualBackprop.of(self.actor, self.critic, self.actor_target, self.critic_target)

    def _update_tensors(self) -> UpdateTensors:
        # Cached: walking the module tree for them at every step showed in profiles. The tensors stay the
        # same objects for the model's life (loading copies into them), so the cache stays valid.
        if self._update_tensors_cache is None:
            actor_params: list[th.Tensor] = list(self.actor.parameters())
            critic_params: list[th.Tensor] = list(self.critic.parameters())
            batch_norm_stats = self.critic_batch_norm_stats + self.actor_batch_norm_stats
            self._update_tensors_cache = UpdateTensors(
                actor_params=actor_params,
                actor_targets=list(self.actor_target.parameters()),
                critic_params=critic_params,
                critic_targets=list(self.critic_target.parameters()),
                batch_norm_stats=batch_norm_stats,
                batch_norm_targets=self.critic_batch_norm_stats_target + self.actor_batch_norm_stats_target,
                target_stats=target_stats.in_effect(self.policy, bool(batch_norm_stats)),
                actor_step=AdamStep(self.actor.optimizer, actor_params),
                critic_step=AdamStep(self.critic.optimizer, critic_params),
                manual=self._manual_backprop(),
            )
        return self._update_tensors_cache

    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), "_update_tensors_cache"]

    @classmethod
    def load(
        cls,
        path: str | pathlib.Path | io.BufferedIOBase,
        env: GymEnv | None = None,
        device: th.device | str = "auto",
        custom_objects: dict[str, Any] | None = None,
        print_system_info: bool = False,
        force_reset: bool = True,
        **kwargs: Any,
    ) -> DDPG:
        """SB3's ``load`` (same arguments), refusing with an error that says what to do a file that is not
        a model (damaged, or a run's checkpoint) and an env the model cannot act in.

        :param path: the model zip (or an open file of it).
        :param env: the env to act and train in; its spaces must be the model's.
        :param device: the torch device to load onto ("auto": CUDA if available).
        :param custom_objects: objects to use instead of the saved ones (SB3's ``load``).
        :param print_system_info: print the saving and the loading machine's library versions.
        :param force_reset: reset the env before training goes on (SB3's ``load``).
        :param kwargs: attributes to set on the loaded model (SB3's ``load``).
        """
        data = model_files.ddpg_model_data(path, custom_objects)
        if env is not None and data is not None:
            env = cls._wrap_env(env, data.get("verbose", 0))  # as SB3 checks it, then loads it
            model_files.check_env_fits(path, env, data)
        try:
            return super().load(
                path,
                env=env,
                device=device,
                custom_objects=custom_objects,
                print_system_info=print_system_info,
                force_reset=force_reset,
                **kwargs,
            )
        except zipfile.BadZipFile as error:
            raise ValueError(model_files.damaged(path, error)) from error
