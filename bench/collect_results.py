"""Bring learning results finished in another checkout (a `git worktree` that ran them at a fixed commit)
into this one's bench/results/learning/, row by row.

    python bench/collect_results.py /path/to/worktree [--dry-run]

A row (env, budget, variant) comes over only whole: every seed this checkout holds for it must have a
result in the other that names the commit it ran, so that no row mixes re-run and reconstructed
results (bench/report.py refuses those). New seeds come with it. A result this checkout already holds
with a recorded commit is kept. Rows left out are listed with what they lack.
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


def collect(source: Path, results: Path = RESULTS, dry_run: bool = False) -> list[str]:
    """Copy every complete row of ``source``'s recorded results into ``results``; returns what was done,
    line by line."""
    rows: dict[tuple[str, int, str], dict[int, Path]] = defaultdict(dict)
    for path in sorted((source / "bench" / "results" / "learning").glob("*/*/seed*.json")):
        run = json.loads(path.read_text())
        if recorded(run):
            rows[(run["env"], run["budget"], run["variant"])][run["seed"]] = path
    report = []
    for (env, budget, variant), seeds in sorted(rows.items()):
        here = result_path(env, budget, variant, 0, results).parent
        held = {int(p.stem.removeprefix("seed")): json.loads(p.read_text()) for p in here.glob("seed*.json")}
        missing = sorted(seed for seed, run in held.items() if not recorded(run) and seed not in seeds)
        name = f"{env} @ {budget} {variant}"
        if missing:
            report.append(f"left out {name}: seeds {missing} are not re-run yet ({sorted(seeds)} are)")
            continue
        copied = [seed for seed in sorted(seeds) if seed not in held or not recorded(held[seed])]
        if not dry_run:
            for seed in copied:
                target = result_path(env, budget, variant, seed, results)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(seeds[seed], target)
        if copied:  # rows held here already, from the same runs, need no word
            report.append(f"{'would copy' if dry_run else 'copied'} {name}: seeds {copied}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "source", type=Path, help="the checkout whose bench/results/learning/ holds new results"
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be copied, copy nothing")
    args = parser.parse_args()
    if args.source.resolve() == RESULTS.parent.parent.parent.resolve():
        raise SystemExit(
            "The source is this checkout: give the other one (the worktree that ran the results)."
        )
    print("\n".join(collect(args.source, dry_run=args.dry_run)) or "no recorded results there")


if __name__ == "__main__":
    main()
