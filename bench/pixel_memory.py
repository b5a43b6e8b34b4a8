"""Bytes per transition of SB3's default replay buffer and of PixelReplayBuffer, on real pixel frames.

    python bench/pixel_memory.py [--transitions 3000]

Collects Pendulum-v1 from pixels (wrappers.PaperPixels: 3 RGB frames of 64x64 per agent step, as SB3's
CNN policies see them) with random actions, and feeds the same transitions to both buffers, each sized
to hold exactly those transitions. Reports bytes per transition, the figure for 1e5 transitions, and
the time to sample a batch. Results go to bench/results/pixel_memory.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
from provenance import record
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.vec_env import DummyVecEnv, VecTransposeImage

from sb3_ddpg_ext.buffers import PixelReplayBuffer, replay_buffer_nbytes
from sb3_ddpg_wrappers import NormalizedActions, PaperPixels

RESULTS = Path(__file__).parent / "results"


def make_env() -> gym.Env:
    return PaperPixels(NormalizedActions(gym.make("Pendulum-v1", render_mode="rgb_array")))


def sample_ms(buffer: ReplayBuffer, batch_size: int, calls: int = 50) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        buffer.sample(batch_size)
    return (time.perf_counter() - start) / calls * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--transitions", type=int, default=3000)
    n = parser.parse_args().transitions
    env = VecTransposeImage(DummyVecEnv([make_env]))
    env.seed(0)
    buffers = {
        "SB3 ReplayBuffer": ReplayBuffer(n, env.observation_space, env.action_space, "cpu"),
        "PixelReplayBuffer": PixelReplayBuffer(n, env.observation_space, env.action_space, "cpu"),
    }
    rng = np.random.default_rng(0)
    obs = env.reset()
    for _ in range(n):
        action = rng.uniform(-1, 1, (1, 1)).astype(np.float32)
        new_obs, reward, done, infos = env.step(action)
        next_obs = new_obs.copy()
        if done[0]:  # SB3's collection loop stores the terminal observation, not the reset one
            next_obs[0] = infos[0]["terminal_observation"]
        for buffer in buffers.values():
            buffer.add(obs, next_obs, action, reward, done, infos)
        obs = new_obs
    result: dict = {"env": "Pendulum-v1 from pixels", "obs_shape": list(env.observation_space.shape)}
    result["transitions_measured"] = n
    for name, buffer in buffers.items():
        per_transition = replay_buffer_nbytes(buffer) / n
        result[name] = {
            "bytes_per_transition": round(per_transition, 1),
            "MB_for_1e5_transitions": round(per_transition * 1e5 / 1e6, 1),
            "sample_ms_batch_16": round(sample_ms(buffer, 16), 3),
            "sample_ms_batch_64": round(sample_ms(buffer, 64), 3),
        }
    ours, stock = (result[name]["bytes_per_transition"] for name in ("PixelReplayBuffer", "SB3 ReplayBuffer"))
    result["ratio_ours_to_sb3"] = round(ours / stock, 4)
    RESULTS.mkdir(exist_ok=True)
    result["provenance"] = record()  # the commit and versions that made it
    (RESULTS / "pixel_memory.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
