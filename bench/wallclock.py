"""Wall-clock to a return: when each run's evaluations first reached a mark, in one-core minutes, from the
evaluation curve and the wall time recorded at each evaluation; run by run, and per variant."""

from __future__ import annotations

from typing import Any

import numpy as np
from result_files import Groups
from seed_stats import finals, fmt, spread
from variants import PROFILE_VARIANTS, label

# The returns whose wall-clock time to reach the report gives, per env: marks well below the published
# 1M-step figures, so that short and slow runs show when they get there too.
RETURN_MARKS = {"HalfCheetah-v5": (3000, 5000, 7000)}


def time_to_return(run: dict[str, Any], mark: float) -> tuple[int, float] | None:
    """The first evaluation at or above ``mark``: its step and the run's wall seconds then."""
    walls = dict(run["eval_walls"])  # [step, seconds] pairs
    for step, mean in zip(run["eval_curve"]["steps"], run["eval_curve"]["mean"], strict=True):
        if mean >= mark:
            return step, walls[step]
    return None


def wallclock_table(variants: dict[str, list[dict[str, Any]]], marks: tuple[float, ...]) -> list[str]:
    """Per run that recorded its evaluations' wall times: steps and one-core minutes to each mark."""
    lines = [
        "| variant | seed | "
        + " | ".join(f"first eval >= {mark:,}" for mark in marks)
        + " | final eval | wall, to the last evaluation |",
        "| --- | --- | " + " | ".join("---" for _ in marks) + " | --- | --- |",
    ]
    for variant, runs in variants.items():
        for run in sorted(runs, key=lambda run: run["seed"]):
            if "eval_walls" not in run:
                continue
            cells = []
            for mark in marks:
                reached = time_to_return(run, mark)
                cells.append(
                    "not reached" if reached is None else f"{reached[0]:,} steps, {reached[1] / 60:.1f} min"
                )
            wall = run["eval_walls"][-1][1] / 60
            lines.append(
                f"| {label(variant)} | {run['seed']} | {' | '.join(cells)} | {fmt(run['final_eval_mean'])} "
                f"| {wall:.1f} min |"
            )
    return lines


def _median_and_range(minutes: list[float], note: str = "") -> str:
    """The median minutes, then in brackets the range over seeds (where there are two or more) and a note.

    The range is there because the machine is shared: the same run at the same commit can take longer on a
    busy day, and that noise shows in the range, never in the median alone."""
    inside = [f"{min(minutes):.0f}-{max(minutes):.0f}"] if len(minutes) > 1 else []
    inside += [note] if note else []
    cell = f"{np.median(minutes):.0f} min"
    return f"{cell} ({'; '.join(inside)})" if inside else cell


def _minutes(runs: list[dict[str, Any]], mark: float) -> str:
    """The median and range over seeds of the minutes to a mark, and how many seeds reached it, if not all."""
    reached = [hit[1] / 60 for run in runs if (hit := time_to_return(run, mark)) is not None]
    if not reached:
        return "not reached"
    return _median_and_range(
        reached, "" if len(reached) == len(runs) else f"{len(reached)} of {len(runs)} seeds"
    )


def shown(variant: str) -> bool:
    """The profiles, and candidate settings of the tuned profile: what a user would pick to get there
    sooner (the paper's ablations are in their env's section)."""
    return variant in PROFILE_VARIANTS or variant.startswith("tuned:")


def wallclock_summary(groups: Groups) -> list[str]:
    """Per env with marks, budget and shown variant: the median and range of the minutes to each mark, the
    final evaluation and the median and range of the whole run's wall time."""
    lines: list[str] = []
    for (env, budget), variants in sorted(groups.items()):
        marks = RETURN_MARKS.get(env, ())
        timed = {v: [run for run in runs if "eval_walls" in run] for v, runs in variants.items() if shown(v)}
        timed = {v: runs for v, runs in timed.items() if runs}
        if not marks or not timed:
            continue
        if not lines:
            lines = [
                "| env (steps) | variant | seeds | "
                + " | ".join(f"first eval >= {mark:,}, median" for mark in marks)
                + " | final eval | whole run, median |",
                "| --- | --- | --- | " + " | ".join("---" for _ in marks) + " | --- | --- |",
            ]
        for variant, runs in sorted(timed.items()):
            cells = [_minutes(runs, mark) for mark in marks]
            whole = _median_and_range([run["eval_walls"][-1][1] / 60 for run in runs])
            lines.append(
                f"| {env} ({budget:,}) | {label(variant)} | {len(runs)} | {' | '.join(cells)} "
                f"| {spread(finals(runs))} | {whole} |"
            )
    return lines
