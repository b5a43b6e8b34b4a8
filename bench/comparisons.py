"""The profiles beside what they are judged against: published DDPG figures at the 1M steps everyone
publishes (each in its own metric), and stock RL Zoo DDPG on the same seeds and budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from result_files import Groups, commit_cell
from seed_stats import (
    MIN_CI_SEEDS,
    best_of_mean_curve,
    bootstrap_ci,
    finals,
    fmt,
    iqm_cell,
    late_mean,
    seed_count,
    spread,
)
from variants import PROFILE_VARIANTS, label

LAST_EVALS = 10  # the TD3 paper's Table 2: the average of the last 10 evaluations
EARLY_BUDGET = 300_000  # the budget of our other MuJoCo tables, read off the long runs' curves
TRAINING_WINDOW = 100  # training episodes averaged, as SB3's rollout/ep_rew_mean (stats_window_size)


@dataclass(frozen=True)
class Anchor:
    """A published DDPG figure and how it was measured.

    :param source: who published it
    :param profile: which of our profiles it is set beside
    :param metric: a key of ``METRICS``: how the figure reads the runs' returns
    :param value: the figure, as printed there
    :param setting: what differs from our runs (task version, networks, seeds)
    """

    source: str
    profile: str
    metric: str
    value: str
    setting: str


def last_evals(run: dict[str, Any], count: int = LAST_EVALS) -> float:
    """The mean of a run's last ``count`` periodic evaluations."""
    return float(np.mean(run["eval_curve"]["mean"][-count:]))


def last_training_episodes(run: dict[str, Any], count: int = TRAINING_WINDOW) -> float | None:
    """The mean return of a run's last ``count`` training episodes, if its result kept them."""
    episodes = run.get("training_episodes")
    return float(np.mean([ret for _, ret in episodes[-count:]])) if episodes else None


def _training(runs: list[dict[str, Any]]) -> float | None:
    values = [last_training_episodes(run) for run in runs]
    return None if None in values else float(np.mean(values))


# How each metric reads our runs: a function of the profile's runs, None where the runs did not record it.
METRICS: dict[str, tuple[str, Any]] = {
    "max_average": ("best of the seed-mean evaluation curve", best_of_mean_curve),
    "last_10": (
        f"mean of the last {LAST_EVALS} evaluations",
        lambda runs: float(np.mean([last_evals(run) for run in runs])),
    ),
    "training": (
        f"returns of training episodes, with exploration noise (ours: the last {TRAINING_WINDOW}, "
        "as SB3's ep_rew_mean)",
        _training,
    ),
}

ANCHORS = {
    ("HalfCheetah-v5", 1_000_000): (
        Anchor(
            "CleanRL DDPG", "tuned", "training", "10374 +- 157", "v4, 256-256 networks, Gaussian 0.1, 3 seeds"
        ),
        Anchor("Tianshou DDPG", "tuned", "max_average", "11719", "v3, 256-256 networks, 10 seeds"),
        Anchor('TD3 paper, its re-tuned "Our DDPG" (Table 1)', "tuned", "max_average", "8577", "Gym v1"),
        Anchor(
            'TD3 paper, "DDPG" (Table 1): the paper\'s settings in OpenAI Baselines',
            "paper",
            "max_average",
            "3305.6",
            "Gym v1, evaluations every 5k steps, 10 episodes",
        ),
        Anchor('TD3 paper, "DDPG" (Table 2)', "paper", "last_10", "3162.5", "Gym v1, the last 50k steps"),
    )
}


def eval_at(run: dict[str, Any], step: int) -> float | None:
    """The run's periodic evaluation at ``step``, if it evaluated there."""
    curve = dict(zip(run["eval_curve"]["steps"], run["eval_curve"]["mean"], strict=True))
    return curve.get(step)


def longer_runs_line(env: str, budget: int, groups: Groups) -> str | None:
    """The profiles' longer runs on ``env``, read at ``budget`` steps, so that they join its table."""
    parts = []
    for (name, longer), variants in sorted(groups.items()):
        if name != env or longer <= budget:
            continue
        for variant in sorted(set(variants) & set(PROFILE_VARIANTS)):
            values = [value for run in variants[variant] if (value := eval_at(run, budget)) is not None]
            if values:
                reading = f"{spread(np.array(values))} ({seed_count(len(values))})"
                parts.append(f"{label(variant)} ({longer:,}-step runs) {reading}")
    if not parts:
        return None
    return (
        f"The longer runs, read at {budget:,} steps (their periodic evaluation there, 5 episodes, not a "
        f"final one), mean +- std: {'; '.join(parts)}."
    )


# Each reading of one long run's returns: a column of the long-run table (None: not recorded).
READINGS: dict[str, Any] = {
    "final eval (10 episodes)": lambda run: run["final_eval_mean"],
    "best eval": lambda run: max(run["eval_curve"]["mean"]),
    f"mean of the last {LAST_EVALS} evals": last_evals,
    f"eval at {EARLY_BUDGET:,}": lambda run: eval_at(run, EARLY_BUDGET),
    f"last {TRAINING_WINDOW} training episodes": last_training_episodes,
}


def long_run_table(variants: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Run by run, each reading of a long run's returns, then the profile's seeds together."""
    lines = [
        f"| profile | seed | {' | '.join(READINGS)} | wall | commit |",
        "| --- | --- | " + " | ".join("---" for _ in READINGS) + " | --- | --- |",
    ]
    for variant in sorted(variants, key=lambda name: (name != "tuned", name)):
        runs = sorted(variants[variant], key=lambda run: run["seed"])
        columns = [[reading(run) for run in runs] for reading in READINGS.values()]
        for index, run in enumerate(runs):
            cells = ["-" if column[index] is None else fmt(column[index]) for column in columns]
            lines.append(
                f"| {label(variant)} | {run['seed']} | {' | '.join(cells)} "
                f"| {run['wall_time_s'] / 3600:.1f} h | {commit_cell([run])} |"
            )
        together = [
            spread(np.array(present))
            if (present := [value for value in column if value is not None])
            else "-"
            for column in columns
        ]
        lines.append(
            f"| {label(variant)} | all {len(runs)} | {' | '.join(together)} | | {commit_cell(runs)} |"
        )
    return lines


def anchor_table(key: tuple[str, int], variants: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each published figure beside ours read in the same metric, where our runs record it."""
    lines = [
        "| published | its metric | its setting | its figure | ours in that metric | ours, final eval |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for anchor in ANCHORS.get(key, ()):
        runs = variants.get(anchor.profile, [])
        name, reading = METRICS[anchor.metric]
        if not runs:
            ours, final = "not run", "-"
        else:
            seeds = f"{label(anchor.profile)}, {seed_count(len(runs))}"
            value = reading(runs)
            ours = f"not recorded ({seeds})" if value is None else f"{fmt(value)} ({seeds})"
            final = spread(finals(runs))
        lines.append(f"| {anchor.source} | {name} | {anchor.setting} | {anchor.value} | {ours} | {final} |")
    return lines


def stock_table(groups: Groups) -> list[str]:
    """The tuned profile against stock RL Zoo DDPG, per env and budget both ran, on the seeds both ran."""
    lines = [
        "| env (steps) | seeds | tuned, final eval | stock, final eval | tuned, IQM [95% CI] "
        "| stock, IQM [95% CI] | tuned - stock, mean [95% CI] | last third's evals, tuned / stock "
        "| commits, tuned / stock |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (env, budget), variants in sorted(groups.items()):
        tuned = {run["seed"]: run for run in variants.get("tuned", [])}
        stock = {run["seed"]: run for run in variants.get("stock", [])}
        shared = sorted(tuned.keys() & stock.keys())
        if not shared:
            continue
        ours, theirs = finals([tuned[s] for s in shared]), finals([stock[s] for s in shared])
        difference = ours - theirs
        interval = ""
        if len(shared) >= MIN_CI_SEEDS:
            low, high = bootstrap_ci(difference, stat=np.mean)
            interval = f" [{fmt(low)}, {fmt(high)}]"
        late = [np.mean([late_mean(side[s]) for s in shared]) for side in (tuned, stock)]
        lines.append(
            f"| {env} ({budget:,}) | {', '.join(map(str, shared))} | {spread(ours)} | {spread(theirs)} "
            f"| {iqm_cell(ours)} | {iqm_cell(theirs)} | {fmt(difference.mean())}{interval} "
            f"| {fmt(late[0])} / {fmt(late[1])} "
            f"| {commit_cell([tuned[s] for s in shared])} / {commit_cell([stock[s] for s in shared])} |"
        )
    return lines if len(lines) > 2 else []


DIAGNOSTICS = {
    "diagnostics/mean_q": "Q(s, mu(s)), mean",
    "diagnostics/saturated_frac": "actions with |a| > 0.99",
    "train/critic_loss": "critic loss",
}


def diagnostics_table(variants: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What the runs logged in the budget's last third, per variant that kept its diagnostics: the mean over
    seeds of each seed's mean there."""
    lines = [
        "| variant | seeds | " + " | ".join(DIAGNOSTICS.values()) + " |",
        "| --- | --- | " + " | ".join("---" for _ in DIAGNOSTICS) + " |",
    ]
    for variant, runs in sorted(variants.items()):
        logged = [run for run in runs if run.get("diagnostics")]
        if not logged:
            continue
        cells = []
        for tag in DIAGNOSTICS:
            means = [
                np.mean([value for step, value in run["diagnostics"][tag] if step > run["budget"] * 2 / 3])
                for run in logged
                if tag in run["diagnostics"]
            ]
            cells.append(f"{np.mean(means):.3g}" if means else "-")
        lines.append(f"| {label(variant)} | {len(logged)} | {' | '.join(cells)} |")
    return lines if len(lines) > 2 else []
