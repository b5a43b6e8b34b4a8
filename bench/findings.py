"""Sentences that quote results, generated so that they cannot drift from them: bench/report.py writes
each between ``<!-- NAME -->`` and ``<!-- /NAME -->`` in the README and docs/paper_reproduction.md.

Each sentence names its metric, budget and seeds, and compares runs on the seeds both sides ran.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from learning_tables import PUBLISHED, floor_line, learned_nothing, pixel_cost_line, references
from result_files import Groups
from seed_stats import (
    MIN_CI_SEEDS,
    best_of_mean_curve,
    bootstrap_ci,
    finals,
    fmt,
    iqm,
    late_mean,
    seed_bests,
    spread,
)
from variants import label

# The exploration noises compared with the paper's on Pendulum-v1: the variants whose IQM the docs quote.
NOISE_VARIANTS = ("paper", "paper-noise", "paper:noise=ou_dt0.01", "paper:noise=gauss0.1")
# Without batch norm on HalfCheetah-v5: the critic's L2 and the paper's exploration (OU sigma 0.2, 100
# learning starts), each replaced by the tuned profile's setting or by TD3's 25k starts, one and both.
EXPLORATION_VARIANTS = (
    "paper",
    "paper-bn",
    "paper-bn-l2",
    "paper-bn-noise",
    "paper-bn:learning_starts=25000",
    "paper-bn-noise:learning_starts=25000",
)


def paired_ratio(row: dict[str, Any], numerator: str, denominator: str) -> float:
    """The median over rounds of one set-up's speed over another's in the same round."""
    speeds = row["steps_per_s"]
    return float(np.median([a / b for a, b in zip(speeds[numerator], speeds[denominator], strict=True)]))


def speed_ratios(speed: dict[str, Any]) -> str:
    """Ours against stock SB3 with MlpPolicy and with "PaperPolicy" (the same networks), per round."""
    rows = speed["results"]
    mlp = [paired_ratio(row, "ours", "stock MlpPolicy") for row in rows]
    paper = [paired_ratio(row, "ours", "stock PaperPolicy") for row in rows]
    setups = ", ".join(f"{row['env']} batch {row['batch_size']}" for row in rows)
    return (
        f"Our whole `learn()` loop runs at {min(mlp):.2f}x-{max(mlp):.2f}x the env steps/s of stock SB3 "
        f"DDPG with `MlpPolicy`, and at {min(paper):.2f}x-{max(paper):.2f}x that of stock SB3 DDPG with "
        '`"PaperPolicy"` (the same networks, SB3\'s train step): medians of the per-round ratios, one torch '
        f"thread, the set-ups alternating in one process ({setups})."
    )


def shared(groups: Groups, key: tuple[str, int], names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """The runs of each variant named, on the seeds all of them ran."""
    variants = groups.get(key, {})
    if not all(name in variants for name in names):
        return {}
    seeds = set.intersection(*({run["seed"] for run in variants[name]} for name in names))
    return {
        name: sorted((r for r in variants[name] if r["seed"] in seeds), key=lambda r: r["seed"])
        for name in names
    }


def seeds_text(runs: list[dict[str, Any]]) -> str:
    seeds = [run["seed"] for run in runs]
    if seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2:
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return f"seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}"


def compared(groups: Groups, first: str, second: str) -> str:
    """Two variants on the seeds both ran, env by env: where they end, and how early they learn."""
    lines = []
    for key in sorted(groups):
        runs = shared(groups, key, (first, second))
        if not runs:
            continue
        env, budget = key
        end = {name: fmt(np.mean(finals(group))) for name, group in runs.items()}
        area = {
            name: fmt(np.mean([np.mean(run["eval_curve"]["mean"]) for run in group]))
            for name, group in runs.items()
        }
        lines.append(
            f"- {env}, {budget:,} steps, {seeds_text(runs[first])}: final evaluation (10 episodes), mean "
            f"over seeds, {first} {end[first]}, {second} {end[second]}; mean of every periodic "
            f"evaluation (how early it learns), {first} {area[first]}, {second} {area[second]}."
        )
    return "\n".join(lines)


def iqm_text(runs: list[dict[str, Any]]) -> str:
    values = finals(runs)
    if len(values) < MIN_CI_SEEDS:
        return f"IQM {fmt(iqm(values))} (min {fmt(values.min())}, max {fmt(values.max())})"
    low, high = bootstrap_ci(values)
    return f"IQM {fmt(iqm(values))} [95% CI {fmt(low)}, {fmt(high)}]"


def pendulum_noise(groups: Groups) -> str:
    """The paper profile with other exploration noises on Pendulum-v1, as IQM with its interval."""
    runs = shared(groups, ("Pendulum-v1", 20000), NOISE_VARIANTS)
    if not runs:
        return ""
    parts = [f"{label(name)}: {iqm_text(group)}" for name, group in runs.items()]
    return (
        f"Pendulum-v1, 20,000 steps, final evaluation over {seeds_text(runs['paper'])}: "
        + "; ".join(parts)
        + "."
    )


def halfcheetah_exploration(groups: Groups) -> str:
    """The paper profile without batch norm on HalfCheetah-v5, its L2 and exploration changed: every seed."""
    runs = shared(groups, ("HalfCheetah-v5", 300000), EXPLORATION_VARIANTS)
    if not runs:
        return ""
    parts = [
        f"{label(name)}: {', '.join(fmt(value) for value in finals(group))} "
        f"(mean {fmt(np.mean(finals(group)))}; "
        f"last third's evaluations, mean {fmt(np.mean([late_mean(run) for run in group]))})"
        for name, group in runs.items()
    ]
    return (
        f"HalfCheetah-v5, 300,000 steps, {seeds_text(runs['paper'])}: "
        "final evaluation (10 episodes) per seed: "
        + "; ".join(parts)
        + "."
    )


def paper_against_published(groups: Groups) -> str:
    """The paper profile at its largest budget against the TD3 paper's DDPG, every metric named."""
    lines = []
    for env, (td3, _) in PUBLISHED.items():
        budgets = sorted(
            budget for (name, budget), variants in groups.items() if name == env and "paper" in variants
        )
        if not budgets:
            continue
        runs = groups[(env, budgets[-1])]["paper"]
        lines.append(
            f"- {env}, {budgets[-1]:,} steps, {seeds_text(sorted(runs, key=lambda r: r['seed']))}: best of "
            f"the seed-mean curve {fmt(best_of_mean_curve(runs))} (the TD3 paper's metric; its DDPG: {td3:g} "
            f"at 1M steps, Gym v1); each seed's best evaluation, mean {spread(seed_bests(runs))}; final "
            f"evaluation {spread(finals(runs))}."
        )
    return "\n".join(lines)


def pixel_entry(groups: Groups, results: Path) -> str:
    """The pixel entry whose step cost bench/pixel_cost.py measured, at the largest budget its profile ran:
    where its runs end, beside what a policy that learned nothing scores and what longer budgets cost."""
    path = results / "pixel_cost.json"
    if not path.exists():
        return ""
    cost = json.loads(path.read_text())
    env, profile = cost["env"], cost["profile"]
    budgets = sorted(budget for (name, budget), ran in groups.items() if name == env and profile in ran)
    if not budgets:
        return ""
    runs = sorted(groups[(env, budgets[-1])][profile], key=lambda run: run["seed"])
    hours = np.median([run["wall_time_s"] for run in runs]) / 3600
    sentences = [
        f"{env}, {label(profile)}, {budgets[-1]:,} agent steps, {seeds_text(runs)}: final evaluation (10 "
        f"noise-free episodes) {spread(finals(runs))} (per seed: {', '.join(map(fmt, finals(runs)))}); each "
        f"run {hours:.1f} hours of one core (median).",
        floor_line(env, results),
        above_floor(finals(runs), references(results).get(env)),
        pixel_cost_line(env, results),
    ]
    return " ".join(sentence for sentence in sentences if sentence)


def above_floor(values: np.ndarray, reference: dict[str, Any] | None) -> str | None:
    """How many seeds end above the better of the two policies that learned nothing."""
    if reference is None:
        return None
    floor = learned_nothing(reference)
    above = int((values > floor).sum())
    if above == 0:
        return f"No seed ends above the better of the two ({fmt(floor)}): at this budget it has not learned."
    return f"{above} of {len(values)} seeds end above the better of the two ({fmt(floor)})."


def blocks(groups: Groups, speed: dict[str, Any] | None, results: Path) -> dict[str, str]:
    """Every generated block, by marker name."""
    found = {
        "tuned-vs-paper": compared(groups, "tuned", "paper"),
        "paper-vs-published": paper_against_published(groups),
        "pendulum-noise": pendulum_noise(groups),
        "halfcheetah-exploration": halfcheetah_exploration(groups),
        "pixel-entry": pixel_entry(groups, results),
    }
    if speed:
        found["speed-ratios"] = speed_ratios(speed)
    return found


def fill(text: str, generated: dict[str, str]) -> str:
    """``text`` with each marked block replaced by its generated text (markers without one are left)."""
    for name, body in generated.items():
        marker = re.compile(rf"(<!-- {re.escape(name)} -->\n).*?(<!-- /{re.escape(name)} -->)", re.DOTALL)
        text = marker.sub(lambda match, body=body: match.group(1) + body + "\n" + match.group(2), text)
    return text
