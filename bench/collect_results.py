"""Bring learning results finished in another checkout (a `git worktree` that ran them at a fixed commit)
into this one's bench/results/learning/, row by row.

    python bench/collect_results.py /path/to/worktree [--min-seeds N] [--dry-run]
    python bench/collect_results.py --min-seeds N        # only what bench/results/pending/ holds

A row (env, budget, variant) comes over only whole: every seed this checkout holds for it must have a
result in the other that names the commit it ran, so that no row mixes re-run and reconstructed
results (bench/report.py refuses those), and it must have at least `--min-seeds` seeds. New seeds come
with it. A result this checkout already holds with a recorded commit is kept.

A finished run of a row that is not whole yet waits in bench/results/pending/ (same layout, committed,
read by nothing else): a run outlives the machine it ran on only once it is committed, and a row's
seeds may finish on different days. Every later call counts the seeds waiting there, so the call that
brings a row's last seed moves the whole row.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from learning import RESULTS, result_path


def recorded(run: dict[str, Any]) -> bool:
    return bool(run.get("provenance", {}).get("commit"))


def _recorded_runs(folder: Path) -> dict[tuple[str, int, str], dict[int, Path]]:
    rows: dict[tuple[str, int, str], dict[int, Path]] = defaultdict(dict)
    for path in sorted(folder.glob("*/*/seed*.json")):
        run = json.loads(path.read_text())
        if recorded(run):
            rows[(run["env"], run["budget"], run["variant"])][run["seed"]] = path
    return rows


def collect(
    source: Path | None,
    results: Path = RESULTS,
    pending: Path | None = None,
    min_seeds: int = 1,
    dry_run: bool = False,
) -> list[str]:
    """Copy every whole row of ``source``'s recorded results and of those waiting in ``pending`` (default:
    ``pending/`` beside ``results``) into ``results``; the rest wait in ``pending``. Returns what was
    done, line by line."""
    pending = pending or results.parent / "pending"
    waiting = _recorded_runs(pending)
    rows = _recorded_runs(source / "bench" / "results" / "learning") if source else defaultdict(dict)
    for key, seeds in waiting.items():
        rows[key] = {**rows[key], **seeds}
    report = []
    for (env, budget, variant), seeds in sorted(rows.items()):
        here = result_path(env, budget, variant, 0, results).parent
        held = {int(p.stem.removeprefix("seed")): json.loads(p.read_text()) for p in here.glob("seed*.json")}
        missing = sorted(seed for seed, run in held.items() if not recorded(run) and seed not in seeds)
        count = len(set(seeds) | {seed for seed, run in held.items() if recorded(run)})
        name = f"{env} @ {budget} {variant}"
        row_waiting = waiting.get((env, budget, variant), {})
        if missing or count < min_seeds:
            new = [seed for seed in sorted(seeds) if seed not in row_waiting]
            lacks = f"seeds {missing} are not re-run yet" if missing else f"{count} of {min_seeds} seeds"
            if not dry_run:
                for seed in new:
                    target = result_path(env, budget, variant, seed, pending)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(seeds[seed], target)
            verb = "would wait" if dry_run else "waiting"
            report.append(f"{verb} {name}: seeds {sorted(seeds)} in {pending.name}/ ({lacks})")
            continue
        copied = [seed for seed in sorted(seeds) if seed not in held or not recorded(held[seed])]
        if not dry_run:
            for seed in copied:
                target = result_path(env, budget, variant, seed, results)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(seeds[seed], target)
            for path in row_waiting.values():
                path.unlink()
                for folder in (path.parent, path.parent.parent):
                    if not any(folder.iterdir()):
                        folder.rmdir()
        if copied:  # rows held here already, from the same runs, need no word
            report.append(f"{'would copy' if dry_run else 'copied'} {name}: seeds {copied}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "source",
        type=Path,
        nargs="?",
        help="the checkout whose bench/results/learning/ holds new results (left out: only the ones "
        "waiting in bench/results/pending/)",
    )
    parser.add_argument(
        "--min-seeds", type=int, default=1, help="a new row comes over once it has this many seeds"
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be copied, copy nothing")
    args = parser.parse_args()
    if args.source and args.source.resolve() == RESULTS.parent.parent.parent.resolve():
        raise SystemExit(
            "The source is this checkout: give the other one (the worktree that ran the results)."
        )
    if args.source and not (args.source / "bench" / "results" / "learning").is_dir():
        raise SystemExit(
            f"{args.source} has no bench/results/learning/: give the worktree that ran the results."
        )
    if args.min_seeds < 1:
        raise SystemExit(f"--min-seeds {args.min_seeds}: give 1 or more.")
    lines = collect(args.source, min_seeds=args.min_seeds, dry_run=args.dry_run)
    print("\n".join(lines) or "no recorded results there")


if __name__ == "__main__":
    main()
