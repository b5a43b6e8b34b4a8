"""Speed of the whole learn() loop: stock SB3 DDPG against ours, alternated in one process.

    python bench/speed.py                       # Pendulum-v1 and HalfCheetah-v5, batch 64 and 256
    python bench/speed.py --envs Pendulum-v1 --batches 64 --rounds 3 --steps 500

Variants, all with the same env, OU noise, hyperparameters, one torch thread and one gradient step per env
step: stock ``stable_baselines3.DDPG("MlpPolicy", net_arch=[400, 300])``, stock
``stable_baselines3.DDPG("PaperPolicy")``, and ``sb3_ddpg_ext.DDPG("PaperPolicy")``. Each round measures
every variant once (the order rotates), so drifts of a shared machine hit all of them alike. Reports the
median env steps/s and the min-max across rounds, and the median of the per-round ratios. With
``--memory``, also the peak RSS of each variant with a full 1e6-transition HalfCheetah-v5 buffer, each in
a fresh process. Results go to bench/results/speed.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import stable_baselines3 as sb3
import torch as th
from provenance import record

import sb3_ddpg_ext
from sb3_ddpg_ext import OUNoise, paper

RESULTS = Path(__file__).parent / "results"
VARIANTS = ["stock MlpPolicy", "stock PaperPolicy", "ours"]


def make_model(variant: str, env_id: str, batch_size: int, buffer_size: int = 100_000) -> sb3.DDPG:
    import gymnasium as gym

    env = gym.make(env_id)
    kwargs = dict(
        batch_size=batch_size,
        buffer_size=buffer_size,
        learning_starts=batch_size,
        tau=0.005,
        gamma=0.99,
        train_freq=1,
        gradient_steps=1,
        seed=0,
        action_noise=OUNoise(np.zeros(env.action_space.shape), paper.OU_SIGMA),
    )
    if variant == "stock MlpPolicy":
        return sb3.DDPG("MlpPolicy", env, policy_kwargs=dict(net_arch=[400, 300]), **kwargs)
    if variant == "stock PaperPolicy":
        return sb3.DDPG("PaperPolicy", env, **kwargs)
    return sb3_ddpg_ext.DDPG("PaperPolicy", env, **kwargs)


def steps_per_second(model: sb3.DDPG, steps: int) -> float:
    start = time.perf_counter()
    model.learn(steps, reset_num_timesteps=False)
    return steps / (time.perf_counter() - start)


def measure(env_id: str, batch_size: int, rounds: int, steps: int) -> dict:
    models = {variant: make_model(variant, env_id, batch_size) for variant in VARIANTS}
    for model in models.values():  # warm-up: fill past learning_starts, first allocations
        model.learn(steps // 2)
    speeds: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for r in range(rounds):
        for variant in VARIANTS[r % 3 :] + VARIANTS[: r % 3]:
            speeds[variant].append(steps_per_second(models[variant], steps))
    paired = {
        name: float(np.median(np.array(speeds[a]) / np.array(speeds[b])))
        for name, a, b in [
            ("ours / stock MlpPolicy", "ours", "stock MlpPolicy"),
            ("stock PaperPolicy / stock MlpPolicy", "stock PaperPolicy", "stock MlpPolicy"),
        ]
    }
    return dict(
        env=env_id,
        batch_size=batch_size,
        rounds=rounds,
        steps_per_round=steps,
        steps_per_s=speeds,
        median_steps_per_s={v: float(np.median(s)) for v, s in speeds.items()},
        paired_ratio=paired,
    )


def peak_rss_mb(variant: str) -> float:
    """Peak RSS of a process holding a full 1e6-transition HalfCheetah-v5 buffer, after 200 updates."""
    code = f"""
import resource, numpy as np, torch
torch.set_num_threads(1)
import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
from speed import make_model
model = make_model({variant!r}, "HalfCheetah-v5", 256, buffer_size=1_000_000)
buffer = model.replay_buffer
for name in ("observations", "next_observations", "actions", "rewards", "dones", "timeouts"):
    getattr(buffer, name)[:] = 1  # touch every page, as a full buffer does
buffer.full = True
model.learn(456)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--envs", nargs="+", default=["Pendulum-v1", "HalfCheetah-v5"])
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=1000, help="env steps per measurement")
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS with a full buffer")
    parser.add_argument("--out", type=Path, default=RESULTS / "speed.json")
    args = parser.parse_args()
    th.set_num_threads(1)
    results = []
    for env_id in args.envs:
        for batch_size in args.batches:
            result = measure(env_id, batch_size, args.rounds, args.steps)
            results.append(result)
            print(
                f"\n{env_id}, batch {batch_size}, {args.rounds} rounds of {args.steps} steps (env steps/s):"
            )
            for variant, speeds in result["steps_per_s"].items():
                print(
                    f"  {variant:<18} median {np.median(speeds):6.1f}   min {min(speeds):6.1f}   "
                    f"max {max(speeds):6.1f}"
                )
            for name, ratio in result["paired_ratio"].items():
                print(f"  {name}: {ratio:.2f}x (median of per-round ratios)")
    report = dict(
        machine=platform.processor() or platform.machine(), torch=th.__version__, threads=1, results=results
    )
    if args.memory:
        report["peak_rss_mb_full_buffer_halfcheetah"] = {
            v: peak_rss_mb(v) for v in ("stock MlpPolicy", "ours")
        }
        print(f"\nPeak RSS, full 1e6 HalfCheetah-v5 buffer: {report['peak_rss_mb_full_buffer_halfcheetah']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report["provenance"] = record()  # the commit and versions that made it
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
