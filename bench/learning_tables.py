"""The learning results as tables, sentences and curves: per env and budget, per variant, and the paper
profile beside published DDPG results."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from result_files import commit_cell, made_by
from seed_stats import best_of_mean_curve, finals, fmt, iqm_cell, late_mean, seed_bests, seed_count, spread
from variants import describe, label, parse

from sb3_ddpg_ext.app.zoo import load_profile


def learning_table(variants: dict[str, list[dict[str, Any]]], order: list[str]) -> list[str]:
    lines = [
        "| variant | seeds | final eval, mean +- std | IQM [95% CI] | min / max | per seed "
        "| all evals, mean | last third's evals, mean | steps/s | commit |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for variant in order:
        runs = sorted(variants[variant], key=lambda run: run["seed"])
        values = finals(runs)
        per_seed = ", ".join(
            f"{run['seed']}: {fmt(run['final_eval_mean'])}{mark(variant, run)}" for run in runs
        )
        speed = np.median([run["steps_per_s"] for run in runs])
        # The mean of every periodic evaluation: the area under the learning curve, how early it learns.
        auc = np.mean([np.mean(run["eval_curve"]["mean"]) for run in runs])
        late = np.mean([late_mean(run) for run in runs])
        lines.append(
            f"| {label(variant)} | {len(runs)} | {spread(values)} | {iqm_cell(values)} | "
            f"{fmt(values.min())} / {fmt(values.max())} | {per_seed} | {fmt(auc)} | {fmt(late)} "
            f"| {speed:.0f} | {commit_cell(runs)} |"
        )
    return lines


# Runs from before summary.json recorded the class: sb3-ddpg train built stock SB3 DDPG with PaperPolicy.
OLD_ALGORITHM = "stable_baselines3 DDPG with PaperPolicy (runs before the class was recorded)"
OLD_CLASS_MARK = "†"


def mark(variant: str, run: dict[str, Any]) -> str:
    """Marks a run of ours that predates the recorded class, in a row that may mix implementations."""
    return OLD_CLASS_MARK if variant != "stock" and "algorithm" not in run else ""


def ablation_table(variants: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each change against its profile (``paper-X``: the paper profile without component X, i.e. with the
    tuned profile's setting; ``tuned+X``: the tuned profile with the paper's), on the seeds both ran."""
    lines: list[str] = []
    for base in ("paper", "tuned"):
        changes = sorted(
            v for v in variants if v != base and parse(v).profile == base and parse(v).normalization is None
        )
        if base not in variants or not changes:
            continue
        base_finals = {run["seed"]: run["final_eval_mean"] for run in variants[base]}
        if not lines:
            lines = [
                "| profile | change | seeds | final eval, mean +- std | IQM [95% CI] | min / max "
                "| change in mean (same seeds) | all evals, mean |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |",
            ]
        values = finals(variants[base])
        auc = np.mean([np.mean(run["eval_curve"]["mean"]) for run in variants[base]])
        lines.append(
            f"| {base} | (none) | {len(values)} | {spread(values)} | {iqm_cell(values)} | "
            f"{fmt(values.min())} / {fmt(values.max())} | | {fmt(auc)} |"
        )
        for variant in changes:
            runs = variants[variant]
            values = finals(runs)
            shared = [run for run in runs if run["seed"] in base_finals]
            delta = (
                np.mean([run["final_eval_mean"] - base_finals[run["seed"]] for run in shared])
                if shared
                else np.nan
            )
            auc = np.mean([np.mean(run["eval_curve"]["mean"]) for run in runs])
            lines.append(
                f"| {base} | {describe(variant)} | {len(values)} | {spread(values)} | {iqm_cell(values)} | "
                f"{fmt(values.min())} / {fmt(values.max())} | {fmt(delta)} ({len(shared)}) | {fmt(auc)} |"
            )
    return lines


def late_means(runs: list[dict[str, Any]], seeds: list[int]) -> float:
    return float(np.mean([late_mean(run) for run in runs if run["seed"] in seeds]))


def stock_line(variants: dict[str, list[dict[str, Any]]]) -> str | None:
    """The tuned profile beside stock RL Zoo DDPG on the seeds both ran."""
    tuned = {run["seed"]: run["final_eval_mean"] for run in variants.get("tuned", [])}
    stock = {run["seed"]: run["final_eval_mean"] for run in variants.get("stock", [])}
    shared = sorted(tuned.keys() & stock.keys())
    if not shared:
        return None
    ours, theirs = np.mean([tuned[seed] for seed in shared]), np.mean([stock[seed] for seed in shared])
    return (
        f"On the seeds both ran ({', '.join(map(str, shared))}), the tuned profile's final evaluation "
        f"averages {ours:.1f} and stock RL Zoo DDPG's {theirs:.1f}; over the last third of the evaluations, "
        f"{late_means(variants['tuned'], shared):.1f} and {late_means(variants['stock'], shared):.1f}."
    )


def ceiling_line(
    key: tuple[str, int], variants: dict[str, list[dict[str, Any]]], results: Path
) -> str | None:
    """Pendulum-v1 only: the learners against a controller that knows the dynamics, on the same starts."""
    path = results / "pendulum_ceiling.json"
    if key[0] != "Pendulum-v1" or not path.exists():
        return None
    ceiling = json.loads(path.read_text())
    size = max(ceiling["grids"], key=int)
    best = {int(seed): mean for seed, mean in ceiling["grids"][size]["per_seed_mean"].items()}
    learners = {
        name: {run["seed"]: run["final_eval_mean"] for run in variants[name]}
        for name in ("tuned", "stock")
        if name in variants
    }
    seeds = sorted(set(best).intersection(*(set(finals) for finals in learners.values())))
    if not seeds:
        return None
    learner_means = ", ".join(
        f"{name} {np.mean([finals[seed] for seed in seeds]):.1f}" for name, finals in learners.items()
    )
    other = ", ".join(f"{size_}: {grid['mean']:.1f}" for size_, grid in ceiling["grids"].items())
    return (
        f"Ceiling: on the same start states (seeds {seeds}, {ceiling['episodes']} episodes each), a "
        f"controller that knows the true dynamics (`python bench/pendulum_ceiling.py`, dynamic programming "
        f"on a {size}x{size} grid) averages {np.mean([best[seed] for seed in seeds]):.1f}, "
        f"against {learner_means} "
        f"(its mean by grid size, for how far the grid is from the optimum: {other}). Per seed: "
        + ", ".join(f"{seed}: {best[seed]:.0f}" for seed in seeds)
        + "."
        + discount_cost(ceiling, seeds)
    )


def discount_cost(ceiling: dict[str, Any], seeds: list[int]) -> str:
    """What acting on a discounted return costs the controller, against no discount on the same grid."""
    discounted = dict(ceiling.get("discounted", {}))
    size = str(discounted.pop("grid", ""))
    if not discounted or size not in ceiling["grids"]:
        return ""

    def mean(entry: dict[str, Any]) -> float:
        return float(np.mean([entry["per_seed_mean"][str(seed)] for seed in seeds]))

    costs = ", ".join(f"gamma {gamma}: {mean(entry):.1f}" for gamma, entry in discounted.items())
    return (
        f" Acting on the best discounted return instead, on the {size}x{size} grid (no discount there: "
        f"{mean(ceiling['grids'][size]):.1f}): {costs}."
    )


def normalisation_line(env: str, variants: dict[str, list[dict[str, Any]]]) -> str | None:
    """none / bn / renorm on the seeds all three ran; the tuned profile stands for the setting it uses."""
    # Each normalisation, with any setting after it (e.g. bn:target_batch_stats=copy).
    runs = {name: variants[name] for name in sorted(variants) if parse(name).normalization is not None}
    if not any(parse(name).normalization != "none" for name in runs):
        return None
    tuned_kwargs = str(load_profile("tuned").get(env, {}).get("policy_kwargs", ""))
    setting = re.search(r"batch_norm=(\w+|'renorm')", tuned_kwargs)
    names = {"False": "none", "True": "bn", "'renorm'": "renorm"}
    tuned_norm = names.get(setting.group(1)) if setting else None
    if tuned_norm and tuned_norm not in runs and "tuned" in variants:
        runs[tuned_norm] = variants["tuned"]
    by_seed = {name: {run["seed"]: run["final_eval_mean"] for run in group} for name, group in runs.items()}
    seeds = sorted(set.intersection(*(set(finals) for finals in by_seed.values())))
    if len(runs) < 2 or not seeds:
        return None
    means = ", ".join(f"{name} {np.mean([by_seed[name][seed] for seed in seeds]):.1f}" for name in by_seed)
    note = f" (the tuned profile's setting is {tuned_norm})" if tuned_norm else ""
    return f"Normalisation on the seeds all of them ran ({seeds}), mean final evaluation: {means}{note}."


def plot_curves(
    key: tuple[str, int], variants: dict[str, list[dict[str, Any]]], order: list[str], docs: Path
) -> Path:
    env, budget = key
    fig, ax = plt.subplots(figsize=(7, 4))
    for variant in order:
        runs = variants[variant]
        steps = sorted(set.intersection(*(set(run["eval_curve"]["steps"]) for run in runs)))
        by_step = [
            dict(zip(run["eval_curve"]["steps"], run["eval_curve"]["mean"], strict=True)) for run in runs
        ]
        curves = np.array([[curve[step] for step in steps] for curve in by_step])
        legend = f"{label(variant)} ({seed_count(len(runs))})"
        line = ax.plot(steps, curves.mean(axis=0), label=legend)
        ax.fill_between(steps, curves.min(axis=0), curves.max(axis=0), alpha=0.15, color=line[0].get_color())
    ax.set_xlabel("agent steps (3 env steps each)" if "Pixels" in env else "env steps")
    ax.set_ylabel("noise-free evaluation return")
    ax.set_title(f"{env}: mean over seeds, min-max band")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = docs / "img" / f"{env}-{budget}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# Published returns of DDPG with the paper's settings, per env (Gym v1 MuJoCo tasks; see the table's notes).
# TD3 paper (Fujimoto et al. 2018), Table 1, "DDPG": OpenAI Baselines with the paper's hyperparameters,
# observations normalised instead of batch norm; the max average return over 1M steps (evaluations every
# 5k steps, 10 episodes). Henderson et al. 2018, Table 1: Baselines DDPG, 400-300 networks, final average.
PUBLISHED = {
    "HalfCheetah-v5": (3305.6, 5579.0),
    "Hopper-v5": (2020.5, 1419.0),
    "Walker2d-v5": (1843.9, None),
    "InvertedPendulum-v5": (1000.0, None),
    "InvertedDoublePendulum-v5": (9355.5, None),
    "Reacher-v5": (-6.51, None),
}


def references(results: Path) -> dict[str, Any]:
    """What the reference policies (zero action, uniform random) score per env, if measured."""
    path = results / "reference_policies.json"
    return json.loads(path.read_text())["results"] if path.exists() else {}


def learned_nothing(reference: dict[str, Any]) -> float:
    """The better of the two reference policies' mean returns (zero action, uniform random actions)."""
    return max(reference["zero"]["mean"], reference["random"]["mean"])


def floor_line(env: str, results: Path) -> str | None:
    reference = references(results).get(env)
    if reference is None:
        return None
    return (
        "A policy that learned nothing, 10 episodes each (`python bench/reference_policies.py`): zero action "
        f"{fmt(reference['zero']['mean'])}, uniform random actions {fmt(reference['random']['mean'])}."
    )


def pixel_cost_line(env: str, results: Path) -> str | None:
    """What the entry's budget costs in one-core time, for an env whose step cost bench/pixel_cost.py
    measured."""
    path = results / "pixel_cost.json"
    cost = json.loads(path.read_text()) if path.exists() else None
    if cost is None or cost["env"] != env:
        return None
    return (
        f"Cost of one agent step here (`{cost['command']}`, {made_by(cost)}; medians over "
        f"{cost['rounds']} rounds, on {cost['cpu_count']} cores with a load average of "
        f"{cost['load_average_before']:.1f} from other work): rendering and storing its 3 frames "
        f"{cost['collection_ms_per_step']['median']:.0f} ms, a gradient step at the entry's minibatch "
        f"{cost['gradient_ms_per_step']['median']:.0f} ms; {cost['training_steps_per_s']['median']:.1f} "
        f"agent steps/s while training, so the {cost['profile']} entry's {cost['budget']:,} steps take "
        f"{cost['budget_hours']:.1f} hours of one core per seed and the paper's "
        f"{cost['paper_steps']:,} steps (the most it trained any task for) "
        f"{cost['paper_steps_hours']:.0f} hours."
    )


def published_table(
    groups: dict[tuple[str, int], dict[str, list[dict[str, Any]]]], results: Path
) -> list[str]:
    """The paper profile beside the published DDPG figures, env by env, at the largest budget run, with
    both readings of "best": each seed's best evaluation, averaged; and the best point of the seed-mean
    curve, which is the TD3 paper's Table 1 metric (max of the average over trials)."""
    lines = [
        "| env | budget | seeds | ours, final eval | ours, each seed's best eval, mean "
        "| ours, best of the seed-mean curve (TD3 paper's metric) "
        "| TD3 paper, DDPG (max average, 1M steps) | Henderson et al., Table 1 (final) "
        "| zero action / random actions |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    floors = references(results)
    for env, (td3, henderson) in PUBLISHED.items():
        budgets = sorted(
            budget for (name, budget), variants in groups.items() if name == env and "paper" in variants
        )
        cells = ["-", "-", "-", "-", "-"]
        if budgets:
            runs = groups[(env, budgets[-1])]["paper"]
            cells = [
                f"{budgets[-1]:,}",
                str(len(runs)),
                spread(finals(runs)),
                spread(seed_bests(runs)),
                fmt(best_of_mean_curve(runs)),
            ]
        published = [f"{td3:g}", "-" if henderson is None else f"{henderson:g}"]  # as printed there
        reference = floors.get(env)
        floor = f"{fmt(reference['zero']['mean'])} / {fmt(reference['random']['mean'])}" if reference else "-"
        lines.append(f"| {env} | {' | '.join([*cells, *published, floor])} |")
    return [
        *lines,
        "",
        "What differs from the published runs: Gymnasium's v5 tasks against Gym's v1 (other model files and "
        "observations; returns are not the same scale on every task), our budget against the TD3 paper's 1M "
        "steps, our evaluations (every 1/20 of the budget, 5 episodes; 10 at the end) "
        "against every 5k steps with 10 episodes, and the paper's batch norm against normalised observations "
        "in Baselines. Each seed's best evaluation is the best of its 5-episode periodic evaluations, so "
        "it favours noisy seeds; the seed-mean curve's best is never higher. The last column is what a "
        "policy that learned nothing scores here, 10 episodes each (`python bench/reference_policies.py`).",
        "",
    ]
