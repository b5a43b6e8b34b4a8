"""What a finished run logged besides its evaluations, kept in its result before bench/learning.py deletes
the run folder: the returns of its training episodes (rl_zoo3's Monitor file) and the diagnostics it wrote
to TensorBoard (sb3_ddpg_ext.callbacks.DDPGDiagnostics, SB3's losses)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from sb3_ddpg_ext.app.runs import zoo_dir

TAGS = ("diagnostics/mean_q", "diagnostics/saturated_frac", "train/critic_loss", "train/actor_loss")
# One point per this many env steps (the last logged in each bin): DDPGDiagnostics' default log_freq, while
# SB3 dumps its logs after every few episodes, which on tasks with short episodes is far more often.
BIN = 1000


def training_episodes(run: Path) -> list[list[float]]:
    """``[env step at the episode's end, its return]`` per training episode (with exploration noise).

    A resumed run's Monitor file is the checkpoint's, continued (sb3_ddpg_ext.app.env_snapshots), so its
    episode lengths add up to the env steps of the run as it was kept.
    """
    episodes, step = [], 0
    for path in sorted(zoo_dir(run).glob("*monitor.csv")):
        lines = path.read_text().splitlines()[1:]  # the first line is Monitor's JSON header
        for row in csv.DictReader(lines):
            step += int(row["l"])
            episodes.append([step, round(float(row["r"]), 2)])
    return episodes


def _event_files(run: Path) -> list[Path]:
    """The run's TensorBoard event files in the order they were written (one per training segment)."""
    files = (run / "tensorboard").rglob("events.out.tfevents.*")
    return sorted(files, key=lambda path: int(re.search(r"tfevents\.(\d+)", path.name)[1]))  # type: ignore[index]


def logged_scalars(run: Path, segment_starts: list[int]) -> dict[str, list[list[float]]]:
    """``{tag: [[env step, value], ...]}`` for each of TAGS the run logged, one point per BIN steps.

    A segment resumed from a checkpoint at step S re-runs what came after S, so the points an earlier
    segment logged after S are dropped for the new segment's.
    """
    scalars: dict[str, dict[int, tuple[int, float]]] = {}
    for path in _event_files(run):
        events = EventAccumulator(str(path), size_guidance={"scalars": 0})
        events.Reload()
        logged = [tag for tag in TAGS if tag in events.Tags()["scalars"]]
        first = min((event.step for tag in logged for event in events.Scalars(tag)), default=None)
        if first is None:
            continue
        start = max((step for step in segment_starts if step <= first), default=0)
        for tag in logged:
            kept = {b: point for b, point in scalars.get(tag, {}).items() if point[0] <= start}
            for event in events.Scalars(tag):
                kept[event.step // BIN] = (event.step, event.value)
            scalars[tag] = kept
    return {
        tag: [[step, float(f"{value:.4g}")] for step, value in sorted(points.values())]
        for tag, points in scalars.items()
    }
