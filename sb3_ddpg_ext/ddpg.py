"""DDPG: stock SB3 DDPG with the paper's defaults."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import stable_baselines3
import torch as th
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.noise import ActionNoise, VectorizedActionNoise
from stable_baselines3.common.type_aliases import GymEnv, Schedule
from stable_baselines3.td3.policies import TD3Policy

from sb3_ddpg_ext.noise import OUNoise

PAPER_NOISE = "paper"


class DDPG(stable_baselines3.DDPG):
    """SB3's DDPG with the defaults of Lillicrap et al. (2016); ``learn()``, callbacks and saving are SB3's.

    Differences from ``stable_baselines3.DDPG``: the default policy is ``PaperPolicy``; tau 0.001 and
    batch 64; unless ``action_noise`` is given (``None`` for no noise), the paper's
    ``OUNoise(theta=0.15, sigma=0.2, dt=1)`` sized to the action space; and the actor's and critic's
    effective learning rates are logged as ``train/actor_learning_rate`` and
    ``train/critic_learning_rate``.

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
    :param _init_setup_model: build the networks now (False when loading).
    """

    def __init__(
        self,
        policy: str | type[TD3Policy] = "PaperPolicy",
        env: GymEnv | str | None = None,
        learning_rate: float | Schedule = 1e-3,
        buffer_size: int = 1_000_000,
        learning_starts: int = 100,
        batch_size: int = 64,
        tau: float = 0.001,
        gamma: float = 0.99,
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
        _init_setup_model: bool = True,
    ):
        if not (action_noise is None or action_noise == PAPER_NOISE or isinstance(action_noise, ActionNoise)):
            raise ValueError(
                f"action_noise must be an SB3 ActionNoise (e.g. sb3_ddpg_ext.OUNoise), None for no noise, "
                f"or {PAPER_NOISE!r} for the paper's OU noise; got {action_noise!r}."
            )
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
            action_noise=None,
            replay_buffer_class=replay_buffer_class,
            replay_buffer_kwargs=replay_buffer_kwargs,
            optimize_memory_usage=optimize_memory_usage,
            n_steps=n_steps,
            tensorboard_log=tensorboard_log,
            policy_kwargs=policy_kwargs,
            verbose=verbose,
            seed=seed,
            device=device,
            _init_setup_model=False,
        )
        # Sized in _setup_model, once the action space is known (it is not when loading).
        self.action_noise = action_noise  # type: ignore[assignment]
        if _init_setup_model:
            self._setup_model()

    def _setup_model(self) -> None:
        super()._setup_model()
        if isinstance(self.action_noise, str):
            self.action_noise = OUNoise(np.zeros(self.action_space.shape), 0.2, theta=0.15, dt=1.0)
        noise = self.action_noise
        if isinstance(noise, VectorizedActionNoise):
            noise = noise.base_noise
        if isinstance(noise, OUNoise) and noise.shape != self.action_space.shape:
            raise ValueError(
                f"action_noise has shape {noise.shape}, but the action space has shape "
                f"{self.action_space.shape}: build the noise with mean=np.zeros({self.action_space.shape})."
            )

    def _update_learning_rate(self, optimizers: list[th.optim.Optimizer] | th.optim.Optimizer) -> None:
        super()._update_learning_rate(optimizers)
        self.logger.record("train/actor_learning_rate", self.actor.optimizer.param_groups[0]["lr"])
        self.logger.record("train/critic_learning_rate", self.critic.optimizer.param_groups[0]["lr"])
