"""What one agent step of a pixel entry costs on this machine, and so what its budget costs.

    python bench/pixel_cost.py [--env PendulumPixels-v1] [--steps 1000] [--rounds 3]

Trains the tuned profile's entry through ``sb3-ddpg train`` (one torch thread, no evaluations) twice per
round, alternately: once with ``learning_starts`` past the end (collection alone: rendering 3 frames per
agent step and storing them) and once with gradient steps from step 100 on. The difference is the cost of
the gradient steps. Reports the medians over rounds and the spread, the steps/s of whole training, the
one-core hours of the entry's budget and of the paper's 2.5 million steps at that speed, and the load
average before it started (other runs sharing the cores slow every step). Results go to
bench/results/pixel_cost.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch as th
from provenance import record

from sb3_ddpg_ext.app.training import train
from sb3_ddpg_ext.app.zoo import load_profile

RESULTS = Path(__file__).parent / "results"
PROFILE = "tuned"
PAPER_STEPS = 2_500_000  # the most steps the paper trained any task for (section 7)
TRAIN_FROM = 100  # gradient steps from here on in the timed training runs


def wall_time(env_id: str, steps: int, learning_starts: int, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    summary = train(
        env_id,
        PROFILE,
        seed=0,
        out=out,
        steps=steps,
        eval_freq=steps + 1,
        final_episodes=0,
        progress=False,
        verbose=0,
        hyperparams={"learning_starts": learning_starts},
        checkpoint_freq=0,
    )
    return float(summary["wall_time_s"])


def spread(values: np.ndarray) -> dict[str, float]:
    """Median and range over rounds."""
    return dict(median=float(np.median(values)), min=float(values.min()), max=float(values.max()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", default="PendulumPixels-v1")
    parser.add_argument("--steps", type=int, default=1000, help="agent steps per timed run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    th.set_num_threads(1)
    load_before = os.getloadavg()[0]  # other work sharing the cores slows every step
    collect, full = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            collect.append(wall_time(args.env, args.steps, args.steps + 1, Path(tmp) / "collect"))
            full.append(wall_time(args.env, args.steps, TRAIN_FROM, Path(tmp) / "train"))
    collect_ms = np.array(collect) / args.steps * 1e3
    gradient_ms = (np.array(full) - np.array(collect)) / (args.steps - TRAIN_FROM) * 1e3
    steps_per_s = args.steps / np.array(full)  # nearly every step trains: the entry's own speed
    budget = int(load_profile(PROFILE)[args.env]["n_timesteps"])
    speed = float(np.median(steps_per_s))

    result = dict(
        env=args.env,
        profile=PROFILE,
        agent_steps_per_run=args.steps,
        rounds=args.rounds,
        torch_threads=1,
        load_average_before=round(load_before, 2),
        cpu_count=os.cpu_count(),
        collection_ms_per_step=spread(collect_ms),
        gradient_ms_per_step=spread(gradient_ms),
        training_steps_per_s=spread(steps_per_s),
        budget=budget,
        budget_hours=round(budget / speed / 3600, 2),
        paper_steps=PAPER_STEPS,
        paper_steps_hours=round(PAPER_STEPS / speed / 3600, 1),
        command=f"python bench/pixel_cost.py --env {args.env} --steps {args.steps} --rounds {args.rounds}",
        provenance=record(),
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pixel_cost.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
