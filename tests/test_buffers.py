import numpy as np
import pytest
import torch as th
from gymnasium import spaces
from stable_baselines3.common.buffers import ReplayBuffer

from sb3_ddpg_ext.buffers import PixelReplayBuffer, replay_buffer_nbytes

OBS = spaces.Box(0, 255, (9, 16, 16), np.uint8)
ACT = spaces.Box(-1, 1, (2,), np.float32)


def fill(buffers, steps, n_envs, seed=0):
    """Feed every buffer the same stream, shaped as SB3's collection loop makes it: the next add's obs
    is this add's next_obs, except after an episode end, where next_obs is the terminal observation and
    the next obs is a reset."""
    rng = np.random.default_rng(seed)

    def frame(n):
        # Mostly flat frames with some detail, like rendered ones.
        images = np.full((n, *OBS.shape), 200, np.uint8)
        images[:, :, 4:9, 4:9] = rng.integers(0, 256, (n, 9, 5, 5), dtype=np.uint8)
        return images

    obs = frame(n_envs)
    for _ in range(steps):
        next_obs = frame(n_envs)
        done = rng.random(n_envs) < 0.1
        truncated = done & (rng.random(n_envs) < 0.5)
        infos = [{"TimeLimit.truncated": bool(t)} for t in truncated]
        action = rng.uniform(-1, 1, (n_envs, 2)).astype(np.float32)
        reward = rng.normal(size=n_envs).astype(np.float32)
        for buffer in buffers:
            buffer.add(obs, next_obs, action, reward, done.astype(np.float32), infos)
        obs = np.where(done[:, None, None, None], frame(n_envs), next_obs)


@pytest.mark.parametrize(("n_envs", "steps"), [(1, 50), (1, 130), (3, 95)])
def test_samples_exactly_what_sb3s_default_buffer_samples(n_envs, steps):
    size = 60 * n_envs  # 130 and 95 steps wrap around the ring
    stock = ReplayBuffer(size, OBS, ACT, "cpu", n_envs=n_envs)
    ours = PixelReplayBuffer(size, OBS, ACT, "cpu", n_envs=n_envs)
    fill([stock, ours], steps, n_envs)
    for draw in range(5):
        np.random.seed(draw)  # noqa: NPY002 (both buffers draw from numpy's global generator)
        expected = stock.sample(32)
        np.random.seed(draw)  # noqa: NPY002
        got = ours.sample(32)
        for name in ("observations", "actions", "next_observations", "dones", "rewards"):
            assert th.equal(getattr(got, name), getattr(expected, name)), name
    assert ours.size() == stock.size()


def test_is_at_most_half_of_sb3s_default_memory():
    size = 200
    stock = ReplayBuffer(size, OBS, ACT, "cpu")
    ours = PixelReplayBuffer(size, OBS, ACT, "cpu")
    fill([stock, ours], size + 17, 1)
    assert replay_buffer_nbytes(ours) <= replay_buffer_nbytes(stock) / 2
    raw = PixelReplayBuffer(size, OBS, ACT, "cpu", compress_level=0)
    fill([raw], size + 17, 1)  # without compression: sharing alone, plus episode ends stored apart
    assert 0.5 < replay_buffer_nbytes(raw) / replay_buffer_nbytes(stock) < 0.6


def test_memory_optimisation_flag_is_refused():
    with pytest.raises(ValueError, match="already stores each observation once"):
        PixelReplayBuffer(10, OBS, ACT, optimize_memory_usage=True, handle_timeout_termination=False)
