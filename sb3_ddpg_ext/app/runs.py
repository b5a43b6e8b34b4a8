"""Reading the run folders that ``sb3-ddpg train`` writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.run_spec import SPEC, SUMMARY, read_spec

__all__ = ["SUMMARY", "check_run", "eval_curve", "read_summary", "run_of_model", "training_curve", "zoo_dir"]


def check_run(path: Path) -> Path:
    """``path`` if it is a finished run folder (a spec, a summary and a model), else a UsageError that
    says what it lacks."""
    if not path.is_dir():
        raise UsageError(f"{path} is not a folder. Give a run folder written by `sb3-ddpg train --out DIR`.")
    if not (path / SUMMARY).is_file():
        raise UsageError(
            f"{path} is not a run folder: it has no {SUMMARY}. Give a folder written by "
            f"`sb3-ddpg train --out DIR` (it holds {SPEC}, {SUMMARY} and rl_zoo3's files under ddpg/)."
        )
    model = read_spec(path).model
    if not (path / model).is_file():
        raise UsageError(f"The run folder {path} has no model file {model}: it is incomplete.")
    return path


def read_summary(run: Path) -> dict[str, Any]:
    return json.loads((run / SUMMARY).read_text())


def zoo_dir(run: Path) -> Path:
    """The folder of the run's rl_zoo3 files: its model, evaluations and monitor logs."""
    return run / read_spec(run).zoo_dir


def run_of_model(model: Path) -> Path | None:
    """The run folder whose rl_zoo3 folder holds the zip ``model`` (its final or best model), if any."""
    for folder in list(model.parents)[:3]:
        is_run = (folder / SPEC).is_file() or (folder / SUMMARY).is_file()
        if is_run and (folder / read_spec(folder).zoo_dir).resolve() == model.parent.resolve():
            return folder
    return None


def eval_curve(run: Path) -> tuple[np.ndarray, np.ndarray]:
    """Steps and mean noise-free evaluation returns (empty if the run never evaluated)."""
    path = zoo_dir(run) / "evaluations.npz"
    if not path.is_file():
        return np.zeros(0), np.zeros(0)
    data = np.load(path)
    return data["timesteps"], data["results"].mean(axis=1)


def training_curve(run: Path) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative env steps at each training episode's end, and that episode's return (all envs)."""
    episodes = []
    for monitor in sorted(zoo_dir(run).glob("*.monitor.csv")):
        with open(monitor) as f:
            next(f)  # the JSON header line
            episodes += [(float(row["t"]), float(row["l"]), float(row["r"])) for row in csv.DictReader(f)]
    episodes.sort()
    lengths = np.array([length for _, length, _ in episodes])
    returns = np.array([ret for _, _, ret in episodes])
    return np.cumsum(lengths), returns
