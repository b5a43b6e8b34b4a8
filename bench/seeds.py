"""Train one env and profile on several seeds with `sb3-ddpg train`, in parallel, and save the results.

    python bench/seeds.py --env Pendulum-v1 --profile tuned --seeds 0 1 2 3 4

Runs `--jobs` processes at a time (default 2, one per core), each with one torch thread, and writes
bench/results/ENV-PROFILE[-STEPS].json: per seed, the final noise-free evaluation (10 episodes), the
evaluation curve, wall time and steps/s. Prints the mean, median and spread across seeds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"


def run_seed(env: str, profile: str, seed: int, steps: int | None, root: Path) -> dict:
    out = root / f"seed{seed}"
    command = [
        sys.executable,
        "-m",
        "sb3_ddpg_ext",
        "train",
        "--env",
        env,
        "--profile",
        profile,
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--threads",
        "1",
        "--no-progress",
    ]
    if steps:
        command += ["--steps", str(steps)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    summary = json.loads((out / "summary.json").read_text())
    curve = np.load(out / "evaluations.npz")
    summary["eval_curve"] = {
        "steps": curve["timesteps"].tolist(),
        "mean": curve["results"].mean(axis=1).tolist(),
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True)
    parser.add_argument("--profile", default="tuned")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, help="override the config's n_timesteps")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root, ThreadPoolExecutor(args.jobs) as pool:
        runs = list(
            pool.map(lambda s: run_seed(args.env, args.profile, s, args.steps, Path(root)), args.seeds)
        )
    finals = np.array([run["final_eval_mean"] for run in runs])
    result = dict(
        env=args.env,
        profile=args.profile,
        steps=runs[0]["steps"],
        seeds=args.seeds,
        final_eval_mean=float(finals.mean()),
        final_eval_std_across_seeds=float(finals.std()),
        final_eval_median=float(np.median(finals)),
        runs=runs,
    )
    RESULTS.mkdir(exist_ok=True)
    name = f"{args.env}-{args.profile}" + (f"-{args.steps}" if args.steps else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    for run in runs:
        print(
            f"seed {run['seed']}: final {run['final_eval_mean']:8.1f} +- {run['final_eval_std']:6.1f}   "
            f"{run['wall_time_s']:6.0f} s  {run['steps_per_s']:5.0f} steps/s"
        )
    print(
        f"{args.env} {args.profile} @ {result['steps']} steps, {len(runs)} seeds: "
        f"mean {finals.mean():.1f}, median {np.median(finals):.1f}, std {finals.std():.1f}, "
        f"min {finals.min():.1f}, max {finals.max():.1f}"
    )


if __name__ == "__main__":
    main()
