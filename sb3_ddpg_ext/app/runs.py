"""Reading the run folders that ``sb3-ddpg train`` writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from sb3_ddpg_ext.app.errors import UsageError

# The files of a run folder that every command reads (the model zip is named in the summary).
SUMMARY = "summary.json"
CONFIG = "config.yml"


def check_run(path: Path) -> Path:
    """``path`` if it is a run folder (a summary and a model), else a UsageError that says what it lacks."""
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder. Give a run folder written by `sb3-ddpg train --out DIR`.")
    if not (path / SUMMARY).is_file():
        raise UsageError(
            f"{path} is not a run folder: it has no {SUMMARY}. Give a folder written by "
            "`sb3-ddpg train --out DIR` (it holds summary.json, config.yml and the model zip)."
        )
    summary = read_summary(path)
    if not (path / summary["model"]).is_file():
        raise UsageError(f"The run folder {path} has no model file {summary['model']}: it is incomplete.")
    return path


def read_summary(run: Path) -> dict[str, Any]:
    return json.loads((run / SUMMARY).read_text())


def eval_curve(run: Path) -> tuple[np.ndarray, np.ndarray]:
    """Steps and mean noise-free evaluation returns (empty if the run never evaluated)."""
    path = run / "evaluations.npz"
    if not path.is_file():
        return np.zeros(0), np.zeros(0)
    data = np.load(path)
    return data["timesteps"], data["results"].mean(axis=1)


def training_curve(run: Path) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative env steps at each training episode's end, and that episode's return (all envs)."""
    episodes = []
    for monitor in sorted(run.glob("*.monitor.csv")):
        with open(monitor) as f:
            next(f)  # the JSON header line
            episodes += [(float(row["t"]), float(row["l"]), float(row["r"])) for row in csv.DictReader(f)]
    episodes.sort()
    lengths = np.array([length for _, length, _ in episodes])
    returns = np.array([ret for _, _, ret in episodes])
    return np.cumsum(lengths), returns
