"""Ornstein-Uhlenbeck exploration noise with the DDPG paper's semantics."""

from __future__ import annotations

import copy

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import ActionNoise, VectorizedActionNoise

from sb3_ddpg_ext import paper


class OUNoise(ActionNoise):
    """Ornstein-Uhlenbeck action noise, a drop-in for SB3's ``OrnsteinUhlenbeckActionNoise``.

    Each call advances ``x <- x + theta * (mean - x) * dt + sigma * sqrt(dt) * N(0, 1)`` and returns x.
    The default ``dt=1`` is the plain discrete process of the DDPG paper (as rllab and rlkit run it):
    with theta 0.15 and sigma 0.2 its stationary std is ``sigma / sqrt(2 theta - theta^2 dt)`` = 0.38
    and its lag-1 autocorrelation ``1 - theta dt`` = 0.85. SB3 and RL Zoo default to dt 0.01, whose
    per-step kick is 10x smaller and whose correlation time is ~667 steps.

    Randomness comes from the noise's own generator, so its state is saved with the model. Without
    ``seed`` the generator is seeded on first use (the first call, not construction or ``reset``) from
    numpy's global generator, which SB3 seeds from the model's seed: the same model seed gives the same
    noise, whatever was drawn from numpy before the model was built. A deep copy is an exact clone
    (same position, same generator state). Independent streams for several envs come from
    :meth:`spawn` (``sb3_ddpg_ext.DDPG`` and ``OUNoiseCallback`` use it); stock SB3's
    ``VectorizedActionNoise`` deep-copies the noise once per env before its first use, and each copy of
    an unseeded noise then seeds itself, in env order, from numpy's global generator.

    Example:
        >>> noise = OUNoise(mean=np.zeros(2), sigma=0.2 * np.ones(2), seed=0)
        >>> noise().shape
        (2,)
        >>> round(float(noise.stationary_std[0]), 3)
        0.38

    :param mean: the level the process reverts to; its shape is the noise's shape.
    :param sigma: the scale of the random kicks; a scalar or an array broadcastable to ``mean``.
    :param theta: the rate of mean reversion, >= 0.
    :param dt: the time step; ``theta * dt`` must be below 2 or the process diverges.
    :param initial_noise: where the process starts after ``reset()`` (default: ``mean``).
    :param dtype: the dtype of the returned noise.
    :param sigma_min: the floor that ``sigma`` is annealed to, linearly, over ``anneal_steps`` calls.
    :param anneal_steps: the number of calls over which sigma goes from ``sigma`` to ``sigma_min``
        (0: no annealing). Progress is not reset between episodes.
    :param start_stationary: start each episode from a draw of the stationary distribution
        (``mean + stationary_std * N(0, 1)``) instead of from ``mean``.
    :param seed: a seed for this noise's own generator (default: drawn from numpy's global generator).
    """

    def __init__(
        self,
        mean: ArrayLike,
        sigma: ArrayLike,
        theta: float = paper.OU_THETA,
        dt: float = paper.OU_DT,
        initial_noise: ArrayLike | None = None,
        dtype: DTypeLike = np.float32,
        *,
        sigma_min: ArrayLike | None = None,
        anneal_steps: int = 0,
        start_stationary: bool = False,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self._mu = _broadcast("mean", mean, np.shape(mean))
        self._sigma = _broadcast("sigma", sigma, self._mu.shape)
        self._sigma_min = None if sigma_min is None else _broadcast("sigma_min", sigma_min, self._mu.shape)
        if theta < 0 or dt <= 0:
            raise ValueError(f"OUNoise needs theta >= 0 and dt > 0, got theta={theta}, dt={dt}.")
        if theta * dt >= 2:
            raise ValueError(
                f"OUNoise with theta*dt={theta * dt:g} >= 2 is unstable (each step multiplies x by "
                f"1 - theta*dt = {1 - theta * dt:g}); use a smaller theta or dt."
            )
        for name, value in (("sigma", self._sigma), ("sigma_min", self._sigma_min)):
            if value is not None and np.any(value < 0):
                raise ValueError(f"OUNoise needs {name} >= 0, got {value}.")
        if anneal_steps < 0 or (anneal_steps > 0) != (sigma_min is not None):
            raise ValueError(
                "OUNoise annealing needs both sigma_min and a positive anneal_steps (or neither); "
                f"got sigma_min={sigma_min!r}, anneal_steps={anneal_steps}."
            )
        if start_stationary and (theta == 0 or initial_noise is not None):
            raise ValueError(
                "OUNoise start_stationary needs theta > 0 (a random walk has no stationary distribution) "
                "and no initial_noise (the two choose different starting points)."
            )
        self._theta = float(theta)
        self._dt = float(dt)
        self._dtype = dtype
        self.initial_noise = (
            None
            if initial_noise is None
            else _broadcast("initial_noise", initial_noise, self._mu.shape, exact=True)
        )
        self.anneal_steps = int(anneal_steps)
        self.start_stationary = bool(start_stationary)
        self.n_calls = 0
        self._seed = seed
        self._seed_seq: np.random.SeedSequence | None = None
        self._rng: np.random.Generator | None = None
        self.reset()  # sets noise_prev and whether the first call draws a stationary start

    @property
    def shape(self) -> tuple[int, ...]:
        return self._mu.shape

    @property
    def sigma(self) -> np.ndarray:
        """The sigma of the next call, after annealing."""
        if self._sigma_min is None:
            return self._sigma
        progress = min(self.n_calls / self.anneal_steps, 1.0)
        return self._sigma + progress * (self._sigma_min - self._sigma)

    @property
    def stationary_std(self) -> np.ndarray:
        """The std the process settles to at the current sigma: ``sigma / sqrt(2 theta - theta^2 dt)``."""
        if self._theta == 0:
            return np.full(self.shape, np.inf)
        return self.sigma / np.sqrt(2 * self._theta - self._theta**2 * self._dt)

    def __call__(self) -> np.ndarray:
        """One step: ``x += theta (mean - x) dt + sigma sqrt(dt) N(0, 1)``, returned as ``dtype``."""
        # getattr: a noise pickled before stationary starts existed has no such attribute.
        if getattr(self, "_stationary_start_pending", False):
            self.noise_prev = self._mu + self.stationary_std * self._generator().standard_normal(self.shape)
            self._stationary_start_pending = False
        kick = self.sigma * np.sqrt(self._dt) * self._generator().standard_normal(self.shape)
        self.noise_prev = self.noise_prev + self._theta * (self._mu - self.noise_prev) * self._dt + kick
        self.n_calls += 1
        return self.noise_prev.astype(self._dtype)

    def reset(self) -> None:
        """Restart the process at ``initial_noise``, ``mean``, or a stationary draw; annealing goes on.

        The stationary draw is taken at the next call, so that building or resetting a noise draws
        nothing (an unseeded noise would otherwise seed itself before the model seeds numpy)."""
        self._stationary_start_pending = self.start_stationary
        if self.initial_noise is not None:
            self.noise_prev = self.initial_noise.copy()
        else:
            self.noise_prev = self._mu.copy()

    def _seed_sequence(self) -> np.random.SeedSequence:
        if self._seed_seq is None:
            # Drawn lazily from numpy's global generator, which SB3's set_random_seed() seeds after this
            # noise was built: the model's seed then decides the stream.
            entropy = self._seed if self._seed is not None else np.random.randint(2**32, size=4).tolist()  # noqa: NPY002
            self._seed_seq = np.random.SeedSequence(entropy)
        return self._seed_seq

    def _generator(self) -> np.random.Generator:
        if self._rng is None:
            self._rng = np.random.default_rng(self._seed_sequence())
        return self._rng

    def spawn(self, n: int) -> list[OUNoise]:
        """``n`` independent processes with this one's settings, each restarted, on child streams of this
        noise's seed sequence (what several envs need: deep copies would all draw the same noise).

        :param n: the number of processes.
        """
        children = []
        for child_seq in self._seed_sequence().spawn(n):
            child = copy.deepcopy(self)
            child._seed_seq = child_seq
            child._rng = np.random.default_rng(child_seq)
            child.reset()
            children.append(child)
        return children

    def __repr__(self) -> str:
        return (
            f"OUNoise(mean={self._mu}, sigma={self.sigma}, theta={self._theta}, dt={self._dt}, "
            f"stationary_std={self.stationary_std})"
        )


def _broadcast(name: str, value: ArrayLike, shape: tuple[int, ...], exact: bool = False) -> np.ndarray:
    array = np.array(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"OUNoise {name} must be finite, got {array}.")
    if exact and array.shape != shape:
        raise ValueError(f"OUNoise {name} has shape {array.shape}, but mean has shape {shape}.")
    try:
        return np.broadcast_to(array, shape).copy()
    except ValueError:
        raise ValueError(
            f"OUNoise {name} has shape {array.shape}, which does not broadcast to mean's shape {shape}."
        ) from None


def vectorize(noise: ActionNoise, n_envs: int) -> ActionNoise:
    """``noise`` for ``n_envs`` envs: an ``OUNoise`` as SB3's ``VectorizedActionNoise`` of independent
    spawned processes; any other noise (or one env) as SB3 itself would wrap it."""
    if n_envs == 1 or isinstance(noise, VectorizedActionNoise):
        return noise
    vectorized = VectorizedActionNoise(noise, n_envs)
    if isinstance(noise, OUNoise):
        noises: list[ActionNoise] = [*noise.spawn(n_envs)]
        vectorized.noises = noises
    return vectorized


def set_action_noise(model: BaseAlgorithm, noise: ActionNoise | None, per_env: bool = True) -> None:
    """Give ``model`` (SB3's DDPG or TD3, ours or stock) the exploration noise ``noise``: the one place
    this package sets a model's noise (DDPG's default, ``OUNoiseCallback``, a checkpoint's, a search
    trial's).

    :param model: the model.
    :param noise: the noise (``None``: none). An ``OUNoise`` must have the action space's shape.
    :param per_env: split the noise into one independent stream per env of the model (see
        :func:`vectorize`); ``False`` keeps it whole, for a model that is not learning yet.
    """
    base = base_noise(noise)
    shape = model.action_space.shape
    if isinstance(base, OUNoise) and base.shape != shape:
        raise ValueError(
            f"action_noise has shape {base.shape}, but the action space has shape {shape}: build the "
            f"noise with mean=np.zeros({shape})."
        )
    if noise is not None and per_env:
        noise = vectorize(noise, model.n_envs)
    model.action_noise = noise


def base_noise(noise: ActionNoise | None) -> ActionNoise | None:
    """The per-env noise behind SB3's ``VectorizedActionNoise`` (or the noise itself)."""
    return noise.noises[0] if isinstance(noise, VectorizedActionNoise) else noise
