"""PixelReplayBuffer: a replay buffer for image observations that stores each observation once, compressed."""

from __future__ import annotations

import sys
import zlib
from typing import Any

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.buffers import BaseBuffer, ReplayBuffer
from stable_baselines3.common.type_aliases import ReplayBufferSamples
from stable_baselines3.common.vec_env import VecNormalize


class PixelReplayBuffer(ReplayBuffer):
    """SB3's ``ReplayBuffer``, sampling exactly what it samples, in a fraction of its memory.

    SB3's default buffer keeps every observation twice: once as ``observations[t]`` and again as
    ``next_observations[t - 1]``. Here each observation is stored once, zlib-compressed (lossless; rendered
    frames are mostly flat colour), and a transition's next observation is the next slot's observation.
    Only where they differ (the end of an episode, whose next observation is the terminal one while the
    next slot holds the reset) is the next observation stored on its own. SB3's
    ``optimize_memory_usage=True`` shares the array too, but gets those transitions wrong, which is why
    SB3 refuses it together with ``handle_timeout_termination``; this buffer handles both. Sampling draws
    the same random numbers as SB3's default buffer, so with the same seed it returns the same batches.

    Example:
        >>> from stable_baselines3 import DDPG
        >>> from sb3_ddpg_ext.buffers import PixelReplayBuffer
        >>> model = DDPG("CnnPaperPolicy", env, replay_buffer_class=PixelReplayBuffer)  # doctest: +SKIP

    :param buffer_size: the capacity in transitions.
    :param observation_space: the observation space (any Box; meant for uint8 images).
    :param action_space: the action space.
    :param device: the torch device of the sampled tensors.
    :param n_envs: the number of parallel envs.
    :param optimize_memory_usage: must be False (this buffer is the memory-optimised variant).
    :param handle_timeout_termination: treat time-limit truncations as not done, as SB3 does.
    :param compress_level: zlib level, 1 (fastest) to 9; 0 stores raw bytes.
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        device: th.device | str = "auto",
        n_envs: int = 1,
        optimize_memory_usage: bool = False,
        handle_timeout_termination: bool = True,
        compress_level: int = 1,
    ):
        if optimize_memory_usage:
            raise ValueError(
                "PixelReplayBuffer already stores each observation once: leave optimize_memory_usage=False."
            )
        if not isinstance(observation_space, spaces.Box):
            raise ValueError(f"PixelReplayBuffer takes Box observations, got {observation_space}.")
        # BaseBuffer, not ReplayBuffer: its __init__ would allocate the two full observation arrays.
        BaseBuffer.__init__(self, buffer_size, observation_space, action_space, device, n_envs=n_envs)
        self.buffer_size = max(buffer_size // n_envs, 1)
        self.optimize_memory_usage = False
        self.handle_timeout_termination = handle_timeout_termination
        self.compress_level = compress_level
        self.obs_dtype = observation_space.dtype
        shape = (self.buffer_size, self.n_envs)
        self.actions = np.zeros((*shape, self.action_dim), dtype=self._maybe_cast_dtype(action_space.dtype))
        self.rewards = np.zeros(shape, dtype=np.float32)
        self.dones = np.zeros(shape, dtype=np.float32)
        self.timeouts = np.zeros(shape, dtype=np.float32)
        self.stored_obs = np.full(shape, None, dtype=object)
        # A next observation of its own, only where it is not the next slot's observation.
        self.stored_next_obs = np.full(shape, None, dtype=object)
        # The newest transition's next observation: the next add() tells whether it is kept.
        self.last_next_obs: np.ndarray | None = None

    def _encode(self, obs: np.ndarray) -> bytes:
        raw = np.ascontiguousarray(obs, dtype=self.obs_dtype).tobytes()
        return zlib.compress(raw, self.compress_level) if self.compress_level else raw

    def _decode(self, data: bytes) -> np.ndarray:
        raw = zlib.decompress(data) if self.compress_level else data
        return np.frombuffer(raw, dtype=self.obs_dtype).reshape(self.obs_shape)

    def add(
        self,
        obs: np.ndarray,
        next_obs: np.ndarray,
        action: np.ndarray,
        reward: np.ndarray,
        done: np.ndarray,
        infos: list[dict[str, Any]],
    ) -> None:
        obs = np.asarray(obs).reshape((self.n_envs, *self.obs_shape))
        next_obs = np.array(next_obs).reshape((self.n_envs, *self.obs_shape))
        if self.last_next_obs is not None:
            newest = (self.pos - 1) % self.buffer_size
            for env_index in range(self.n_envs):
                if not np.array_equal(self.last_next_obs[env_index], obs[env_index]):
                    self.stored_next_obs[newest, env_index] = self._encode(self.last_next_obs[env_index])
        for env_index in range(self.n_envs):
            self.stored_obs[self.pos, env_index] = self._encode(obs[env_index])
            self.stored_next_obs[self.pos, env_index] = None
        self.last_next_obs = next_obs
        self.actions[self.pos] = np.array(action).reshape((self.n_envs, self.action_dim))
        self.rewards[self.pos] = np.array(reward)
        self.dones[self.pos] = np.array(done)
        if self.handle_timeout_termination:
            self.timeouts[self.pos] = np.array([info.get("TimeLimit.truncated", False) for info in infos])
        self.pos += 1
        if self.pos == self.buffer_size:
            self.full = True
            self.pos = 0

    def reset(self) -> None:
        super().reset()
        self.stored_obs[:] = None
        self.stored_next_obs[:] = None
        self.last_next_obs = None

    def _next_observation(self, index: int, env_index: int) -> np.ndarray:
        if index == (self.pos - 1) % self.buffer_size:
            assert self.last_next_obs is not None
            return self.last_next_obs[env_index]
        own = self.stored_next_obs[index, env_index]
        if own is not None:
            return self._decode(own)
        return self._decode(self.stored_obs[(index + 1) % self.buffer_size, env_index])

    def _get_samples(self, batch_inds: np.ndarray, env: VecNormalize | None = None) -> ReplayBufferSamples:
        # The same random draws, in the same order, as ReplayBuffer._get_samples (SB3 seeds numpy's global
        # generator from the model's seed).
        env_indices = np.random.randint(0, high=self.n_envs, size=(len(batch_inds),))  # noqa: NPY002
        pairs = list(zip(batch_inds.tolist(), env_indices.tolist(), strict=True))
        obs = np.stack([self._decode(self.stored_obs[i, e]) for i, e in pairs])
        next_obs = np.stack([self._next_observation(i, e) for i, e in pairs])
        # Only dones that are not time-limit truncations, as in SB3.
        dones = self.dones[batch_inds, env_indices] * (1 - self.timeouts[batch_inds, env_indices])
        data = (
            self._normalize_obs(obs, env),
            self.actions[batch_inds, env_indices, :],
            self._normalize_obs(next_obs, env),
            dones.reshape(-1, 1),
            self._normalize_reward(self.rewards[batch_inds, env_indices].reshape(-1, 1), env),
        )
        return ReplayBufferSamples(*tuple(map(self.to_torch, data)))

    def nbytes(self) -> int:
        """Bytes held: the arrays, and every stored observation with its Python object overhead."""
        tables = (self.stored_obs, self.stored_next_obs)
        arrays = (self.actions, self.rewards, self.dones, self.timeouts, *tables)
        stored = [data for table in tables for data in table.flat if data]
        pending = 0 if self.last_next_obs is None else self.last_next_obs.nbytes
        return sum(array.nbytes for array in arrays) + sum(sys.getsizeof(data) for data in stored) + pending


def replay_buffer_nbytes(buffer: ReplayBuffer) -> int:
    """Bytes a replay buffer holds once full: ``nbytes()`` where defined, else SB3's array sizes."""
    if isinstance(buffer, PixelReplayBuffer):
        return buffer.nbytes()
    names = ("observations", "next_observations", "actions", "rewards", "dones", "timeouts")
    return sum(getattr(buffer, name).nbytes for name in names if hasattr(buffer, name))
