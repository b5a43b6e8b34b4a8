"""Learning quality, side by side: ours (tuned and paper profiles) against stock RL Zoo DDPG.

    python bench/learning.py --env Pendulum-v1 --seeds 0 1 2 3 4
    python bench/learning.py --env Pendulum-v1 --variants none bn renorm --seeds 0 1 2 3 4
    python bench/learning.py --env HalfCheetah-v5 --seeds 0 1 2 --steps 50000 --variants none bn renorm

Every run is one `sb3-ddpg train` process (one torch thread), so ours and stock share the command, the
evaluation protocol (noise-free, 5 episodes every 1/20 of the budget and at least every 25k steps, 10 at
the end) and the machine.
`--jobs` processes run at a time (default 2, one per core), ordered seed by seed so that each variant
runs beside the others. Each finished run is saved at once as
bench/results/learning/ENV-STEPS/FOLDER/seedN.json (summary and evaluation curve; FOLDER is the variant's
portable folder name, see bench/variants.py); runs already saved there are skipped, so results
accumulate over several invocations. A run under way lives in bench/runs/ENV-STEPS/FOLDER/seedN
(git-ignored) with its checkpoints; if it is stopped (Ctrl-C, killed, or the
machine's session ends), the same command resumes it exactly where its last checkpoint left it (see
`sb3-ddpg train --resume`), so runs longer than a session still finish. `bench/report.py` turns the
results into docs/benchmarks.md.

Every result names the code that made it: the commit checked out here for each segment of the run (a
run resumed after a stop has several), whether the checkout had uncommitted changes (refused unless
`--allow-dirty`), the settings the model ran with, the versions of the modules it imported, and the
command that makes it anew. Run long benchmarks from a `git worktree` at a fixed commit, with its own
virtual environment (`pip install -e .` there): the script refuses a library imported from elsewhere.

Each result also keeps the returns of the run's training episodes and its logged diagnostics (Q-value
size, actor saturation, losses; bench/run_logs.py), which the run folder held.

Variants: `tuned`, `paper` and `stock` are the profiles of `sb3-ddpg train` (`stock` is rl_zoo3's own
ddpg.yml with stock SB3 DDPG, plus the DDPGDiagnostics logger, which draws from its own generator and
changes nothing in the run); bench/variants.py defines the rest (normalisations, ablations of the
paper's components such as `paper-bn` or `tuned+bn`, and `PROFILE:KEY=VALUE,...` for a candidate
setting).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
from provenance import check_imported_from_checkout, code_state
from run_logs import logged_scalars, training_episodes
from variants import NORMALIZATION, PROFILE_VARIANTS, folder_name, variant_setup

from sb3_ddpg_ext.app.checkpoints import CHECKPOINT, checkpoint_step
from sb3_ddpg_ext.app.run_spec import read_spec
from sb3_ddpg_ext.app.runs import SUMMARY, zoo_dir
from sb3_ddpg_ext.app.zoo import load_profile

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "learning"
# Run folders while a run is under way (git-ignored): a run that was stopped resumes from its checkpoint.
RUNS = ROOT / "bench" / "runs"
# The most env steps between two evaluations, and between two checkpoints (at 1M steps: 40 evaluations).
MAX_EVAL_GAP = 25_000
INTERRUPTED = 130  # what `sb3-ddpg train` exits with after Ctrl-C, having checkpointed where it stopped


class Stopped(Exception):
    """A run that Ctrl-C stopped: not a result; its run folder stays, and the same command resumes it."""


def result_path(env: str, steps: int, variant: str, seed: int, results: Path | None = None) -> Path:
    return (results or RESULTS) / f"{env}-{steps}" / folder_name(variant) / f"seed{seed}.json"


def needs_run(path: Path, redo_unrecorded: bool) -> bool:
    if not path.exists():
        return True
    # Reconstructed provenance (bench/reconstruct_provenance.py) names no commit that ran the run.
    return redo_unrecorded and not json.loads(path.read_text()).get("provenance", {}).get("commit")


def eval_freq(steps: int) -> int:
    """Evaluations every twentieth of the budget, and at least every MAX_EVAL_GAP steps."""
    return min(max(steps // 20, 500), MAX_EVAL_GAP)


def checkpoint_freq(steps: int) -> int:
    """A checkpoint every tenth of the budget, and at least every MAX_EVAL_GAP steps: a stopped run
    loses at most that much."""
    return min(max(steps // 10, 1000), MAX_EVAL_GAP)


def reproduce_command(env: str, steps: int, variant: str, seed: int) -> str:
    """The command, run at the repository's root at the recorded commit, that makes the result anew."""
    return (
        f"python bench/learning.py --env {env} --steps {steps} --variants {shlex.quote(variant)} "
        f"--seeds {seed} --force"
    )


def run_one(env: str, variant: str, seed: int, steps: int, code: dict[str, Any]) -> dict[str, Any]:
    profile, overrides = variant_setup(variant, env)
    out = RUNS / f"{env}-{steps}" / folder_name(variant) / f"seed{seed}"
    segments_file = out.with_name(f"{out.name}.segments.json")
    relative_out = out.relative_to(ROOT)
    if (out / CHECKPOINT).is_file():  # a run stopped earlier (killed, or the session ended): continue it
        start = checkpoint_step(out / CHECKPOINT)
        command = ["sb3-ddpg", "train", "--resume", str(relative_out), "--steps", str(steps)]
        segments = json.loads(segments_file.read_text()) if segments_file.is_file() else []
        if not segments:  # begun by a version of this script that kept no segments
            segments = [dict(commit=None, dirty=None, from_step=0, command=None)]
    else:
        nested = next(out.rglob(CHECKPOINT), None) if out.is_dir() else None
        if nested is not None:  # e.g. a run folder moved into an existing one: never delete a run
            raise RuntimeError(f"{out} holds a run at {nested.parent}: move it to {out} to resume it.")
        shutil.rmtree(out, ignore_errors=True)  # stopped before its first checkpoint: start again
        start, segments = 0, []
        command = [
            *("sb3-ddpg", "train", "--env", env, "--profile", profile, "--seed", str(seed)),
            *("--steps", str(steps), "--out", str(relative_out)),
            *("--eval-freq", str(eval_freq(steps)), "--checkpoint-freq", str(checkpoint_freq(steps))),
        ]
        if overrides:
            command += ["--hyperparams", *(f"{key}:{value}" for key, value in overrides.items())]
    command += ["--threads", "1", "--no-progress"]
    # Segments that a stop cut short are replaced by the one that re-runs their steps.
    segments = [segment for segment in segments if segment["from_step"] < start]
    segments.append(
        dict(commit=code["commit"], dirty=code["dirty"], from_step=start, command=shlex.join(command))
    )
    segments_file.parent.mkdir(parents=True, exist_ok=True)
    segments_file.write_text(json.dumps(segments, indent=2) + "\n")
    process = subprocess.run(
        [sys.executable, "-m", "sb3_ddpg_ext", *command[1:]], capture_output=True, text=True, cwd=ROOT
    )
    summary_file = out / SUMMARY
    # Trains older than the exit status 130 ended 0 after Ctrl-C, with an interrupted summary.
    if process.returncode == INTERRUPTED or (
        process.returncode == 0 and json.loads(summary_file.read_text()).get("interrupted")
    ):
        raise Stopped(f"{relative_out} was stopped; the same command resumes it from its checkpoint.")
    if process.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{process.stderr[-3000:]}")
    summary = json.loads(summary_file.read_text())
    curve = np.load(zoo_dir(out) / "evaluations.npz")
    # The run's spec holds the hyperparameters it resolved (profile entry and overrides, as rl_zoo3 read
    # them): what it ran with, whatever the profile says by the time the result is read.
    spec = read_spec(out)
    ends = [segment["from_step"] for segment in segments[1:]] + [summary["steps"]]
    result = dict(
        variant=variant,
        command=reproduce_command(env, steps, variant, seed),
        provenance=dict(
            commit=code["commit"],
            dirty=any(segment["dirty"] is not False for segment in segments),
            segments=[{**segment, "to_step": end} for segment, end in zip(segments, ends, strict=True)],
        ),
        config=spec.hyperparams,
        env=spec.env,
        profile=spec.profile,
        overrides=spec.overrides,
        seed=spec.seed,
        budget=spec.budget,
        algorithm=spec.model_settings["algorithm"],
        model=spec.model,
        model_settings=spec.model_settings,
        versions=spec.segments[-1].versions,
        **summary,
        eval_curve=dict(
            steps=curve["timesteps"].tolist(),
            mean=curve["results"].mean(axis=1).tolist(),
            std=curve["results"].std(axis=1).tolist(),
        ),
        training_episodes=training_episodes(out),
        diagnostics=logged_scalars(out, [segment["from_step"] for segment in segments]),
    )
    path = result_path(env, steps, variant, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    shutil.rmtree(out)  # the result holds what the benchmark needs; checkpoints and models are large
    segments_file.unlink()
    print(
        f"{env} {variant:>7} seed {seed}: final {summary['final_eval_mean']:9.1f} "
        f"+- {summary['final_eval_std']:7.1f}  {summary['wall_time_s']:6.0f} s  "
        f"{summary['steps_per_s']:5.0f} steps/s",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--env", required=True)
    parser.add_argument(
        "--variants",
        nargs="+",
        default=list(PROFILE_VARIANTS),
        metavar="VARIANT",
        help=f"{', '.join([*PROFILE_VARIANTS, *NORMALIZATION])}, or PROFILE:KEY=VALUE,... (e.g. "
        "tuned:batch_size=256) to measure a change to a profile before adopting it",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, help="env steps (default: the tuned profile's n_timesteps)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2, one per core)")
    parser.add_argument("--force", action="store_true", help="re-run runs that already have results")
    parser.add_argument(
        "--redo-unrecorded",
        action="store_true",
        help="re-run the runs whose results name no commit (made before results recorded one, or "
        "provenance reconstructed from git history); "
        "unlike --force, the same command run again skips what it has redone",
    )
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="run although the checkout has uncommitted changes (the results record that they did)",
    )
    args = parser.parse_args()
    check_imported_from_checkout()
    code = code_state()
    if code["dirty"] and not args.allow_dirty:
        raise SystemExit(
            f"The checkout at {ROOT} has uncommitted changes, so no commit names the code that would run:\n"
            f"{code['changes']}Commit them (or run from a clean `git worktree`), or give --allow-dirty."
        )
    steps = args.steps or int(load_profile("tuned")[args.env]["n_timesteps"])
    todo = [
        (variant, seed)
        for seed in args.seeds
        for variant in args.variants
        if args.force or needs_run(result_path(args.env, steps, variant, seed), args.redo_unrecorded)
    ]
    print(f"{args.env} @ {steps} steps: {len(todo)} runs to do, {args.jobs} at a time", flush=True)
    pool = ThreadPoolExecutor(args.jobs)
    futures = [pool.submit(run_one, args.env, v, s, steps, code) for v, s in todo]
    failures = []
    try:
        for future in as_completed(futures):
            failure = future.exception()
            if isinstance(failure, Stopped):
                raise KeyboardInterrupt
            if failure is not None:
                failures.append(failure)
    except KeyboardInterrupt:
        # The runs under way got the same Ctrl-C and checkpoint; start no others.
        pool.shutdown(cancel_futures=True)
        print("Stopped: the same command resumes the runs not finished.", file=sys.stderr)
        sys.exit(INTERRUPTED)
    pool.shutdown()
    for failure in failures:
        print(failure, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
