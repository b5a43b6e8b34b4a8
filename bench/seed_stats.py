"""Statistics over seeds, and how the docs print them."""

from __future__ import annotations

from typing import Any

import numpy as np

from sb3_ddpg_ext.app.measurements import figure as fmt

BOOTSTRAP_RESAMPLES = 10_000
MIN_CI_SEEDS = 5  # below this, a percentile bootstrap over seeds is little more than [min, max]


def iqm(values: np.ndarray) -> float:
    """Interquartile mean: the mean of the middle half (rliable's aggregate), trimming floor(n/4) a side."""
    cut = len(values) // 4
    return float(np.sort(values)[cut : len(values) - cut].mean())


def bootstrap_ci(values: np.ndarray, stat: Any = iqm, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap over seeds (rliable's stratified bootstrap, with a single task)."""
    rng = np.random.default_rng(0)
    samples = rng.choice(values, size=(BOOTSTRAP_RESAMPLES, len(values)), replace=True)
    stats = np.array([stat(sample) for sample in samples])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return float(low), float(high)


def seed_count(count: int) -> str:
    return f"{count} seed{'' if count == 1 else 's'}"


def spread(values: np.ndarray) -> str:
    """Mean +- the sample standard deviation across seeds."""
    if len(values) < 2:
        return f"{fmt(values.mean())} +- n/a"
    return f"{fmt(values.mean())} +- {fmt(values.std(ddof=1))}"


def iqm_cell(values: np.ndarray) -> str:
    """The IQM with its 95% bootstrap CI; under MIN_CI_SEEDS seeds the bootstrap interval is little more
    than [min, max], so none is claimed (the min / max column gives the range)."""
    if len(values) < MIN_CI_SEEDS:
        return f"{fmt(iqm(values))} (CI needs {MIN_CI_SEEDS}+ seeds)"
    low, high = bootstrap_ci(values)
    return f"{fmt(iqm(values))} [{fmt(low)}, {fmt(high)}]"


def finals(runs: list[dict[str, Any]]) -> np.ndarray:
    """Each run's final noise-free evaluation (10 episodes at the end of its budget)."""
    return np.array([run["final_eval_mean"] for run in runs])


def late_mean(run: dict[str, Any]) -> float:
    """Mean of the periodic evaluations in the last third of the budget.

    One final evaluation of a policy that swings from one evaluation to the next (Hopper-v5's by 2000
    and more) says more about when training stopped than about the learner; this averages the late ones.
    """
    steps = np.array(run["eval_curve"]["steps"])
    means = np.array(run["eval_curve"]["mean"])
    return float(means[steps > run["budget"] * 2 / 3].mean())


def seed_bests(runs: list[dict[str, Any]]) -> np.ndarray:
    """Each seed's best periodic evaluation (its mean over that evaluation's episodes)."""
    return np.array([max(run["eval_curve"]["mean"]) for run in runs])


def best_of_mean_curve(runs: list[dict[str, Any]]) -> float:
    """The best point of the curve averaged over seeds, on the steps every seed evaluated: the TD3 paper's
    Table 1 metric ("max average return over 10 trials"). Never above the mean of the seeds' bests."""
    steps = sorted(set.intersection(*(set(run["eval_curve"]["steps"]) for run in runs)))
    curves = [dict(zip(run["eval_curve"]["steps"], run["eval_curve"]["mean"], strict=True)) for run in runs]
    return float(max(np.mean([curve[step] for curve in curves]) for step in steps))
