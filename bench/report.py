"""Regenerate docs/benchmarks.md, its curve PNGs and the README's headline table from bench/results/.

    python bench/report.py

Learning: every bench/results/learning/ENV-STEPS/FOLDER/seedN.json that `bench/learning.py` saved,
checked row by row (bench/result_files.py: one set of settings per row, and library code that does not
differ between the commits its seeds ran at). The page
opens with a summary (each profile beside its anchors, the metric named), then per env and budget a table
of the final noise-free evaluation across seeds (bench/seed_stats.py: mean +- std, IQM with a 95%
percentile-bootstrap confidence interval over seeds, min and max), the mean of all periodic evaluations
and of those in the budget's last third, the commit, the ablations, and a PNG of the curves
(bench/learning_tables.py). Speed: bench/results/speed.json from `bench/speed.py`. Also writes
zoo_configs/measured.yml, which entries the results measure (bench/measured_entries.py), for the command
and the docs' list of entries. Nothing here runs an agent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from comparisons import (
    ANCHORS,
    anchor_table,
    diagnostics_table,
    long_run_table,
    longer_runs_line,
    stock_table,
)
from findings import blocks, fill, paired_ratio
from learning_tables import (
    OLD_ALGORITHM,
    OLD_CLASS_MARK,
    ablation_table,
    ceiling_line,
    floor_line,
    learning_table,
    mark,
    normalisation_line,
    pixel_cost_line,
    plot_curves,
    published_table,
    references,
    stock_line,
)
from measured_entries import (
    MEASURED_FILE,
    as_entries_are_now,
    entries_table,
    measured_entries,
    measured_summary,
)
from measured_entries import write as write_measured
from result_files import RECONSTRUCTED_MARK, RESULTS, ROOT, Groups, load_learning, made_by
from seed_stats import finals, spread
from wallclock import RETURN_MARKS, wallclock_summary, wallclock_table

DOCS = ROOT / "docs"
README = ROOT / "README.md"
HEADLINE = re.compile(r"(<!-- headline -->\n).*?(<!-- /headline -->)", re.DOTALL)
PROSE = ("paper_reproduction.md", "profiles.md", "pixels.md")  # docs whose marked blocks report.py fills
PROFILES_SHOWN = ("tuned", "paper", "stock")  # the headline's columns, and the first rows of each table


def speed_table(speed: dict[str, Any]) -> list[str]:
    lines = [
        "| env | batch | stock MlpPolicy | stock PaperPolicy | ours | ours / stock MlpPolicy "
        "| ours / stock PaperPolicy | stock PaperPolicy / stock MlpPolicy |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in speed["results"]:
        cells = []
        for name in ("stock MlpPolicy", "stock PaperPolicy", "ours"):
            values = row["steps_per_s"][name]
            cells.append(f"{np.median(values):.1f} ({min(values):.0f}-{max(values):.0f})")
        ratios = [
            paired_ratio(row, "ours", "stock MlpPolicy"),
            paired_ratio(row, "ours", "stock PaperPolicy"),
            paired_ratio(row, "stock PaperPolicy", "stock MlpPolicy"),
        ]
        lines.append(
            f"| {row['env']} | {row['batch_size']} | {' | '.join(cells)} | "
            + " | ".join(f"{ratio:.2f}x" for ratio in ratios)
            + " |"
        )
    return lines


def load_speed(results: Path) -> dict[str, Any] | None:
    path = results / "speed.json"
    return json.loads(path.read_text()) if path.exists() else None


def speed_section(speed: dict[str, Any]) -> list[str]:
    lines = [
        "## Speed",
        "",
        f"`python bench/speed.py --rounds 5 --steps 600 --memory`: whole `learn()` loop, {speed['threads']} "
        "torch thread, one gradient step per env step, the three set-ups alternating within one process. "
        "Median env steps/s (min-max over rounds) and the median of the per-round ratios "
        f"({made_by(speed)}).",
        "",
        *speed_table(speed),
    ]
    memory = speed.get("peak_rss_mb_full_buffer_halfcheetah")
    if memory:
        sizes = ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items())
        lines += ["", f"Peak RSS after filling a 1e6-transition HalfCheetah-v5 replay buffer: {sizes}."]
    return [*lines, ""]


def pixel_memory_section(results: Path) -> list[str]:
    path = results / "pixel_memory.json"
    if not path.exists():
        return []
    memory = json.loads(path.read_text())
    lines = [
        "## Replay memory from pixels",
        "",
        f"`python bench/pixel_memory.py` ({made_by(memory)}): {memory['env']}, observations "
        f"{tuple(memory['obs_shape'])} uint8, "
        f"{memory['transitions_measured']:,} transitions with random actions fed to both buffers.",
        "",
        "| buffer | bytes per transition | MB for 1e5 transitions | sample 16 (ms) | sample 64 (ms) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ("SB3 ReplayBuffer", "PixelReplayBuffer"):
        row = memory[name]
        lines.append(
            f"| {name} | {row['bytes_per_transition']:,.0f} | {row['MB_for_1e5_transitions']:,.1f} | "
            f"{row['sample_ms_batch_16']:.1f} | {row['sample_ms_batch_64']:.1f} |"
        )
    return [*lines, "", f"Ours / SB3's: {memory['ratio_ours_to_sb3']:.4f}.", ""]


def her_table(results: Path) -> list[str]:
    """DDPG + HER on BitFlipping (bench/her_bitflip.py): the success rate along training, per variant."""
    path = results / "her_bitflip.json"
    if not path.exists():
        return []
    her = json.loads(path.read_text())
    steps = her["eval_steps"]
    lines = [
        f"DDPG + HER on BitFlippingEnv ({her['n_bits']} bits, continuous actions), noise-free success rate",
        f"on 50 episodes, mean over {len(next(iter(her['runs'].values())))} seeds (`{her['command']}`, "
        f"{made_by(her)}):",
        "",
        "| variant | " + " | ".join(f"{step:,} steps" for step in steps) + " | final, per seed |",
        "| --- | " + " | ".join("---" for _ in steps) + " | --- |",
    ]
    for variant, runs in her["runs"].items():
        curves = np.array([run["success"] for run in runs])
        means = " | ".join(f"{value:.2f}" for value in curves.mean(axis=0))
        lines.append(f"| {variant} | {means} | {', '.join(f'{v:.2f}' for v in curves[:, -1])} |")
    return [*lines, ""]


def headline_table(groups: Groups) -> list[str]:
    """Each profile's final evaluation per env and budget; each cell gives its own seed count, since the
    profiles are run on different numbers of seeds."""
    lines = ["| env (steps) | ours, tuned | ours, paper | stock RL Zoo DDPG |", "| --- | --- | --- | --- |"]
    for (env, budget), variants in sorted(groups.items()):
        if not any(variant in variants for variant in PROFILES_SHOWN):
            continue
        cells = [
            f"{spread(finals(variants[v]))} ({len(variants[v])})" if v in variants else "-"
            for v in PROFILES_SHOWN
        ]
        lines.append(f"| {env} ({budget:,}) | {' | '.join(cells)} |")
    return lines


def comparison_lines(groups: Groups, run_by_run: bool = True) -> list[str]:
    """The tuned profile against stock RL Zoo DDPG, wall-clock to a return, and the long runs beside the
    published figures (``run_by_run``: with each long run's readings, for the docs rather than the README)."""
    lines: list[str] = []
    stock = stock_table(groups)
    if stock:
        lines += [
            "The tuned profile against stock RL Zoo DDPG (rl_zoo3's own ddpg.yml entry), final noise-free "
            "evaluation on the seeds both ran; the interval of the IQM is a percentile bootstrap over seeds, "
            "and that of the difference one over the per-seed differences; a commit marked "
            f"`{RECONSTRUCTED_MARK}` is the one that added results made before runs recorded their commit:",
            "",
            *stock,
            "",
        ]
    wallclock = wallclock_summary(groups)
    if wallclock:
        lines += [
            "Wall-clock to a return, one core (one torch thread, two runs at a time on a 2-core machine): "
            "the median over seeds of the minutes until a periodic evaluation (5 episodes) first reached "
            "each mark, with the seeds that reached it where not all did. In brackets, the range over seeds: "
            "the machine is shared, so the same settings can take longer on a busy day, and runs of one row "
            "may come from different days:",
            "",
            *wallclock,
            "",
        ]
    for key in sorted(ANCHORS.keys() & groups.keys()):
        env, budget = key
        steps = next(iter(groups[key].values()))[0]["eval_curve"]["steps"]
        lines += [
            f"{env} at {budget:,} steps beside published DDPG, each figure in its own metric. Ours evaluate "
            f"every {steps[1] - steps[0]:,} steps over 5 episodes and over 10 at the end; evaluations every "
            "5k steps, as in the TD3 paper, would give a best of more points:",
            "",
            *anchor_table(key, groups[key]),
            "",
            *([*long_run_table(groups[key]), ""] if run_by_run else []),
        ]
    return lines


def env_section(key: tuple[str, int], groups: Groups, results: Path, docs: Path) -> list[str]:
    env, budget = key
    variants = groups[key]
    order = [v for v in PROFILES_SHOWN if v in variants] + sorted(set(variants) - set(PROFILES_SHOWN))
    lines = [f"### {env} @ {budget:,} steps", "", *learning_table(variants, order), ""]
    ablation = ablation_table(variants)
    if ablation:
        lines += [
            "The paper's components, one at a time (`python bench/learning.py --env "
            f"{env} --steps {budget} --variants paper-bn tuned+bn ...`; `without` takes the component out of "
            "the paper profile, i.e. uses the tuned profile's setting; `with` adds it to the tuned profile):",
            "",
            *ablation,
            "",
        ]
    classes = sorted(
        {run["algorithm"] for v in variants if v != "stock" for run in variants[v] if mark(v, run) == ""}
    )
    old = any(mark(v, run) for v in variants for run in variants[v])
    if classes:
        lines += [
            f"Our variants trained with {', '.join(classes)}"
            + (f"; {OLD_CLASS_MARK}: {OLD_ALGORITHM}." if old else "."),
            "",
        ]
    elif old:
        lines += [f"Our variants trained with {OLD_ALGORITHM}.", ""]
    for line in (
        longer_runs_line(env, budget, groups),
        stock_line(variants),
        floor_line(env, results),
        pixel_cost_line(env, results),
        ceiling_line(key, variants, results),
        normalisation_line(env, variants),
    ):
        if line:
            lines += [line, ""]
    diagnostics = diagnostics_table(variants)
    if diagnostics:
        lines += [
            "What the runs logged in the budget's last third (DDPGDiagnostics on a replay batch every 1,000 "
            "steps, SB3's critic loss), mean over seeds of each seed's mean there:",
            "",
            *diagnostics,
            "",
        ]
    timed = any("eval_walls" in run for runs in variants.values() for run in runs)
    if env in RETURN_MARKS and timed:
        lines += [
            "Wall-clock to a return, run by run (one torch thread, two runs at a time on the 2-core machine; "
            "the first periodic evaluation at or above each mark):",
            "",
            *wallclock_table(variants, RETURN_MARKS[env]),
            "",
        ]
    png = plot_curves(key, variants, order, docs)
    return [*lines, f"![{env} curves]({png.relative_to(docs).as_posix()})", ""]


def main(
    results: Path = RESULTS, docs: Path = DOCS, readme: Path = README, measured_file: Path = MEASURED_FILE
) -> None:
    groups, speed = as_entries_are_now(load_learning(results)), load_speed(results)
    measured = measured_entries(groups, references(results))
    write_measured(measured, measured_file)
    headline = headline_table(groups)
    comparisons = comparison_lines(groups)
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python bench/report.py` from `bench/results/`; do not edit by hand.",
        "Learning runs: `python bench/learning.py --env ENV --seeds ...` (see its docstring); every run is",
        "`sb3-ddpg train` with one torch thread, two at a time on a 2-core machine, final evaluation over 10",
        "noise-free episodes. Speed: `python bench/speed.py`.",
        "",
        "## Summary",
        "",
        "Final noise-free evaluation (10 episodes at the end of the budget), mean +- std across seeds "
        "(number of seeds), each profile at the budgets it was run:",
        "",
        *headline,
        "",
        *comparisons,
        "The paper profile beside published DDPG results (the metric of each column named):",
        "",
        *published_table(groups, results),
        "Each row below names the commit whose code it ran. Rows marked "
        f"`{RECONSTRUCTED_MARK}` predate results that recorded it: the commit shown is the one that added "
        "the result files (the code that ran is that commit's or an earlier one's), and the profile entry "
        "at that commit is kept in each file.",
        "",
        *(speed_section(speed) if speed else []),
        "## Learning, env by env",
        "",
    ]
    for key in sorted(groups):
        lines += env_section(key, groups, results, docs)
    lines += [
        "## Which profile entries are measured",
        "",
        "An entry counts as measured where a row of its profile ran on its env, at its budget, with its "
        "settings as they are now; the figure is that row's final evaluation (`sb3-ddpg list` prints the "
        "same lines).",
        "",
        entries_table(measured),
        "",
    ]
    lines += pixel_memory_section(results)
    her = her_table(results)
    if her:
        lines += ["## DDPG + HER", "", *her]
    docs.mkdir(exist_ok=True)
    (docs / "benchmarks.md").write_text("\n".join(lines).rstrip() + "\n")
    entries = [
        "Which profile entries the results measure (`sb3-ddpg list` prints the same, entry by entry, with "
        "what each unmeasured one is based on):",
        "",
        measured_summary(measured),
    ]
    table = "\n".join([*headline, "", *comparison_lines(groups, run_by_run=False), *entries]).rstrip() + "\n"
    if speed:
        table = (
            "Env steps/s of the whole `learn()` loop, median over rounds (min-max), one torch thread:\n\n"
            + "\n".join(speed_table(speed))
            + "\n\nFinal noise-free evaluation, mean +- std across seeds (number of seeds):\n\n"
            + table
        )
    generated = {**blocks(groups, speed, results), "measured-entries": entries_table(measured)}
    text = fill(readme.read_text(), generated)
    readme.write_text(HEADLINE.sub(lambda match: match.group(1) + table + match.group(2), text))
    for prose in (docs / name for name in PROSE):
        if prose.exists():
            prose.write_text(fill(prose.read_text(), generated))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
