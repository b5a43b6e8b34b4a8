"""What a checkpoint costs: its size and the time to write and read it, for a large MuJoCo run.

    python bench/checkpoint_cost.py [--env HalfCheetah-v5] [--filled 300000] [--repeats 3]

A DDPG with PaperPolicy and a 1e6-transition buffer, of which ``--filled`` transitions hold real env
data (random actions), is checkpointed as ``sb3-ddpg train`` does it (``checkpoints.write_checkpoint``)
into a temporary folder and read back (``checkpoints.Checkpoint``). Reports the file size and the median
and spread of the write and read times over the repeats; results go to bench/results/checkpoint_cost.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from provenance import record
from stable_baselines3.common.env_util import make_vec_env

from sb3_ddpg_ext import DDPG
from sb3_ddpg_ext.app.checkpoints import CHECKPOINT, Checkpoint, write_checkpoint
from sb3_ddpg_ext.app.env_snapshots import EpisodeRecorder

RESULTS = Path(__file__).parent / "results"


def fill(model: DDPG, transitions: int) -> None:
    """Fill the buffer with real transitions, as collection would, without training."""
    env = model.get_env()
    obs = env.reset()
    for _ in range(transitions):
        action = np.array([model.action_space.sample()])
        next_obs, reward, done, infos = env.step(action)
        model.replay_buffer.add(obs, next_obs, action, reward, done, infos)
        obs = next_obs
    model._last_obs = obs
    model.num_timesteps = transitions


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--filled", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = make_vec_env(args.env, n_envs=1, seed=0, wrapper_class=EpisodeRecorder)
    model = DDPG("PaperPolicy", env, buffer_size=1_000_000, seed=0)
    fill(model, args.filled)
    writes, reads = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / CHECKPOINT
        for _ in range(args.repeats):
            start = time.perf_counter()
            write_checkpoint(path, model, [], 0.0)
            writes.append(time.perf_counter() - start)
            start = time.perf_counter()
            Checkpoint(path)
            reads.append(time.perf_counter() - start)
        size = path.stat().st_size
    result = dict(
        env=args.env,
        buffer_size=1_000_000,
        filled=args.filled,
        repeats=args.repeats,
        size_mb=round(size / 1e6, 1),
        write_s_median=round(float(np.median(writes)), 3),
        write_s_range=[round(min(writes), 3), round(max(writes), 3)],
        read_s_median=round(float(np.median(reads)), 3),
        read_s_range=[round(min(reads), 3), round(max(reads), 3)],
    )
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    result["provenance"] = record()  # the commit and versions that made it
    (RESULTS / "checkpoint_cost.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
