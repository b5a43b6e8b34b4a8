"""Learning-curve PNGs: one run, or runs compared (mean and spread across seeds)."""

from __future__ import annotations

from collections import defaultdict
from functools import reduce
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on servers
import matplotlib.pyplot as plt
import numpy as np

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.run_spec import read_spec
from sb3_ddpg_ext.app.runs import eval_curve, training_curve

CURVE_PNG = "learning_curve.png"


def plot_run(run: Path) -> Path:
    """Draw a run's training and evaluation returns against steps into ``run/learning_curve.png``."""
    spec = read_spec(run)
    fig, ax = plt.subplots(figsize=(7, 4))
    steps, returns = training_curve(run)
    if len(steps):
        ax.plot(steps, returns, ".", alpha=0.3, label="training episodes (with noise)")
    steps, means = eval_curve(run)
    if len(steps):
        ax.plot(steps, means, "o-", label="evaluation (noise-free)")
    ax.set(
        xlabel="env steps",
        ylabel="return",
        title=f"{spec.env}, {spec.profile} profile, seed {spec.seed}",
    )
    ax.legend()
    fig.tight_layout()
    path = run / CURVE_PNG
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def comparison_curves(runs: list[Path]) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Per env and profile, the evaluation steps every one of its runs reached, and each run's evaluation
    means at those steps (one row per run): what :func:`plot_runs` draws."""
    groups: dict[str, dict[str, list[tuple[np.ndarray, np.ndarray]]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        spec = read_spec(run)
        groups[spec.env][spec.profile].append(eval_curve(run))
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for env, profiles in sorted(groups.items()):
        curves[env] = {}
        for profile, runs_curves in sorted(profiles.items()):
            # Only the evaluation steps every seed reached: a shorter run is not extended.
            grid = reduce(np.intersect1d, [steps for steps, _ in runs_curves])
            if not len(grid):
                raise UsageError(
                    f"The {env} {profile} runs share no evaluation step: train them with the same "
                    "--eval-freq."
                )
            curves[env][profile] = (
                grid,
                np.array([means[np.isin(steps, grid)] for steps, means in runs_curves]),
            )
    return curves


def plot_runs(runs: list[Path], out: Path) -> Path:
    """Compare runs' evaluation curves, one panel per env; runs of one env and profile are drawn as the
    mean across seeds with a band from the lowest to the highest seed."""
    curves = comparison_curves(runs)
    fig, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4), squeeze=False)
    for ax, (env, profiles) in zip(axes[0], curves.items(), strict=True):
        for profile, (grid, values) in profiles.items():
            line = ax.plot(grid, values.mean(axis=0), label=f"{profile} ({len(values)} seeds)")[0]
            if len(values) > 1:
                ax.fill_between(
                    grid, values.min(axis=0), values.max(axis=0), color=line.get_color(), alpha=0.2
                )
        ax.set(title=env, xlabel="env steps", ylabel="noise-free evaluation return")
        ax.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
