"""SB3 callbacks that RL Zoo configs can name: the paper's OU noise, and DDPG diagnostics.

rl_zoo3 reads its YAML with ``yaml.safe_load`` and builds stock SB3 algorithms, so a config cannot hold
an ``OUNoise`` object; its ``callback:`` entries (``{dotted.path: kwargs}``) can hold these instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch as th
from stable_baselines3 import TD3
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.type_aliases import ReplayBufferSamples

from sb3_ddpg_ext import paper
from sb3_ddpg_ext.noise import OUNoise, base_noise, set_action_noise

DIAGNOSTICS_STREAM = 0xD1A6  # DDPGDiagnostics' generator: the model's seed, on a stream of its own


class OUNoiseCallback(BaseCallback):
    """Give the model an ``OUNoise`` sized to its action space when training starts.

    A model that already carries an ``OUNoise`` (a resumed run, or one sampled by an Optuna search)
    keeps it, with its state. Otherwise any other noise is replaced. In an RL Zoo YAML::

        callback:
          - sb3_ddpg_ext.callbacks.OUNoiseCallback:
              sigma: 0.2
              theta: 0.15
              dt: 1.0

    :param mean: the level the noise reverts to (a scalar, the same on every action dimension).
    :param noise_kwargs: ``OUNoise`` arguments: ``sigma``, ``theta``, ``dt``, ``sigma_min``,
        ``anneal_steps``, ``start_stationary``, ``seed``.
    """

    def __init__(self, mean: float = 0.0, **noise_kwargs: Any):
        super().__init__()
        self.mean = mean
        noise_kwargs.setdefault("sigma", paper.OU_SIGMA)
        # Built once here so that a bad parameter fails before training, not at the first step.
        OUNoise(np.zeros(1) + mean, **noise_kwargs)
        self.noise_kwargs = noise_kwargs

    def _init_callback(self) -> None:
        if isinstance(base_noise(self.model.action_noise), OUNoise):
            return
        noise = OUNoise(np.full(self.model.action_space.shape, self.mean), **self.noise_kwargs)
        # SB3 vectorises the noise before callbacks start, so it is split per env here.
        set_action_noise(self.model, noise)

    def _on_step(self) -> bool:
        return True


class DDPGDiagnostics(BaseCallback):
    """Log what tells a DDPG run's health, to the console and TensorBoard, every ``log_freq`` steps.

    On a replay batch: ``diagnostics/mean_q`` (the critic's Q(s, mu(s))) and
    ``diagnostics/saturated_frac`` (the fraction of actor outputs with ``|a| > 0.99``). Also the noise's
    current ``diagnostics/noise_sigma`` and both networks' effective learning rates,
    ``train/actor_learning_rate`` and ``train/critic_learning_rate``. SB3 already logs
    ``train/critic_loss`` and ``train/actor_loss``.

    :param log_freq: how often, in calls (env steps per env), to compute and record the values.
    :param batch_size: the replay batch the Q and saturation figures are computed on.
    """

    model: TD3  # DDPG or TD3: what is read is their actor, critic and replay buffer

    def __init__(self, log_freq: int = 1000, batch_size: int = 256):
        super().__init__()
        if log_freq < 1 or batch_size < 1:
            raise ValueError(f"log_freq and batch_size must be >= 1, got {log_freq} and {batch_size}.")
        self.log_freq = log_freq
        self.batch_size = batch_size

    def _init_callback(self) -> None:
        # Its own generator, from the model's seed: SB3's buffers sample through numpy's global generator,
        # which training draws from, and a diagnostic must not change the run it watches.
        seed = self.model.seed
        self._rng = np.random.default_rng(None if seed is None else [seed, DIAGNOSTICS_STREAM])

    def _on_step(self) -> bool:
        if self.n_calls % self.log_freq == 0:
            self.record()
        return True

    def _sample(self, buffer: ReplayBuffer) -> ReplayBufferSamples:
        """A replay batch drawn from this callback's generator, numpy's global one left as it was (every
        SB3 buffer, HER's too, samples through the global one)."""
        if not hasattr(self, "_rng"):  # record() called directly, before training
            self._init_callback()
        global_state = np.random.get_state()  # noqa: NPY002
        np.random.seed(self._rng.integers(2**32))  # noqa: NPY002
        try:
            return buffer.sample(self.batch_size, env=self.model._vec_normalize_env)
        finally:
            np.random.set_state(global_state)  # noqa: NPY002

    def record(self) -> None:
        """Compute the diagnostics now and record them in the model's logger."""
        model = self.model
        self.logger.record("train/actor_learning_rate", model.actor.optimizer.param_groups[0]["lr"])
        self.logger.record("train/critic_learning_rate", model.critic.optimizer.param_groups[0]["lr"])
        noise = base_noise(model.action_noise)
        sigma = getattr(noise, "sigma", getattr(noise, "_sigma", None))
        if sigma is not None:
            self.logger.record("diagnostics/noise_sigma", float(np.mean(sigma)))
        buffer = model.replay_buffer
        if buffer is None or buffer.size() == 0:
            return
        obs = self._sample(buffer).observations
        # Eval mode: batch norm must not update its statistics from a diagnostic batch.
        was_training = model.policy.training
        model.policy.set_training_mode(False)
        with th.no_grad():
            actions = model.actor(obs)
            q = model.critic.q1_forward(obs, actions)
        model.policy.set_training_mode(was_training)
        self.logger.record("diagnostics/mean_q", q.mean().item())
        self.logger.record("diagnostics/saturated_frac", (actions.abs() > 0.99).float().mean().item())
