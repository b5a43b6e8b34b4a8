"""Regenerate docs/benchmarks.md, its curve PNGs and the README's headline table from bench/results/.

    python bench/report.py

Learning: every bench/results/learning/ENV-STEPS/VARIANT/seedN.json that `bench/learning.py` saved.
Per env and budget, a table of the final noise-free evaluation across seeds (mean +- std, IQM with a
95% percentile-bootstrap confidence interval over seeds, min and max), the mean of all periodic
evaluations (the area under the learning curve) and of those in the budget's last third, the issue's
target and whether it is met, and a PNG of the evaluation curves (mean across seeds, min-max band).
Speed: bench/results/speed.json from `bench/speed.py`. Nothing here runs an agent.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sb3_ddpg_ext.app.zoo import load_profile

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs"
README = ROOT / "README.md"
HEADLINE = re.compile(r"(<!-- headline -->\n).*?(<!-- /headline -->)", re.DOTALL)
HER = re.compile(r"(<!-- her -->\n).*?(<!-- /her -->)", re.DOTALL)
BOOTSTRAP_RESAMPLES = 10_000
MIN_CI_SEEDS = 5  # below this, a percentile bootstrap over seeds is little more than [min, max]
PROFILES_SHOWN = ("tuned", "paper", "stock")  # the README's headline columns
VARIANT_LABELS = {
    "tuned": "ours, tuned profile",
    "paper": "ours, paper profile",
    "stock": "stock RL Zoo DDPG",
    "none": "tuned, no normalisation",
    "bn": "tuned + batch norm (paper's placement)",
    "renorm": "tuned + batch renorm (sb3-contrib)",
    "bn:target_batch_stats=copy": "tuned + batch norm, targets on copied statistics (SB3's)",
    "renorm:target_batch_stats=copy": "tuned + batch renorm, targets on copied statistics (SB3's)",
    "paper:target_batch_stats=batch": "paper profile, targets on every next state's statistics",
    "paper:target_batch_stats=copy": "paper profile, targets on copied statistics (SB3's)",
    "paper:target_batch_stats=soft": "paper profile, targets on soft-updated statistics",
}
# Runs from before summary.json recorded the class: sb3-ddpg train built stock SB3 DDPG with PaperPolicy.
OLD_ALGORITHM = "stable_baselines3 DDPG with PaperPolicy (runs before the class was recorded)"


def env_is_mujoco(env: str) -> bool:
    return env.endswith("-v5")


def label(variant: str) -> str:
    return VARIANT_LABELS.get(variant, f"candidate {variant}")


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


def load_learning() -> dict[tuple[str, int], dict[str, list[dict[str, Any]]]]:
    """Runs by (env, budget) and variant: bench/learning.py's, then older bench/seeds.py files
    (bench/results/ENV-PROFILE.json, same `sb3-ddpg train` protocol) for seeds learning.py lacks."""
    groups: dict[tuple[str, int], dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted((RESULTS / "learning").glob("*/*/seed*.json")):
        run = json.loads(path.read_text())
        groups[(run["env"], run["budget"])][run["variant"]].append({**run, "path": path})
    for (env, budget), variants in groups.items():
        for variant, runs in variants.items():
            check_same_settings(f"{env} @ {budget} {variant}", runs)
    for path in sorted(RESULTS.glob("*.json")):
        batch = json.loads(path.read_text())
        runs_in_file = batch.get("runs")
        if not isinstance(runs_in_file, list):  # another benchmark's result file
            continue
        for run in runs_in_file:
            runs = groups[(run["env"], run["budget"])][run["profile"]]
            if run["seed"] not in {known["seed"] for known in runs}:
                runs.append({**run, "variant": run["profile"], "source": f"bench/seeds.py ({path.name})"})
    return {
        key: {variant: [run for run in runs if not run["interrupted"]] for variant, runs in variants.items()}
        for key, variants in groups.items()
    }


def resolved(config: dict[str, Any]) -> dict[str, Any]:
    """A run's hyperparameters with policy_kwargs evaluated (as rl_zoo3 does), so that two spellings of
    the same settings compare equal."""
    policy_kwargs = config.get("policy_kwargs")
    if isinstance(policy_kwargs, str):
        with contextlib.suppress(NameError):  # a class named in it (e.g. nn.Tanh): compare the text
            policy_kwargs = eval(policy_kwargs, {"dict": dict, "__builtins__": {}})  # our own result files
    return {**config, "policy_kwargs": policy_kwargs}


def check_same_settings(row: str, runs: list[dict[str, Any]]) -> None:
    """Refuse a row whose runs resolved different hyperparameters (a profile edited between runs)."""
    configs = {
        json.dumps(resolved(run["config"]), sort_keys=True): run["path"] for run in runs if "config" in run
    }
    if len(configs) > 1:
        paths = ", ".join(str(Path(path).relative_to(RESULTS)) for path in configs.values())
        raise ValueError(
            f"The runs of {row} ran with different settings ({paths}): re-run the stale ones with "
            "bench/learning.py --force, or give the changed setting a variant name of its own."
        )


def finals(runs: list[dict[str, Any]]) -> np.ndarray:
    return np.array([run["final_eval_mean"] for run in runs])


def late_mean(run: dict[str, Any]) -> float:
    """Mean of the periodic evaluations in the last third of the budget.

    One final evaluation of a policy that swings from one evaluation to the next (Hopper-v5's by 2000
    and more) says more about when training stopped than about the learner; this averages the late ones.
    """
    steps = np.array(run["eval_curve"]["steps"])
    means = np.array(run["eval_curve"]["mean"])
    return float(means[steps > run["budget"] * 2 / 3].mean())


def fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"


OLD_CLASS_MARK = "†"


def mark(variant: str, run: dict[str, Any]) -> str:
    """Marks a run of ours that predates the recorded class, in a row that may mix implementations."""
    return OLD_CLASS_MARK if variant != "stock" and "algorithm" not in run else ""


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


def learning_table(variants: dict[str, list[dict[str, Any]]], order: list[str]) -> list[str]:
    lines = [
        "| variant | seeds | final eval, mean +- std | IQM [95% CI] | min / max | per seed "
        "| all evals, mean | last third's evals, mean | steps/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
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
            f"| {speed:.0f} |"
        )
    return lines


# The paper's components as bench/learning.py's ablation variants name them.
COMPONENT_NAMES = {
    "bn": "batch norm",
    "l2": "critic L2 1e-2",
    "actor_lr": "actor learning rate x0.1",
    "tau": "tau 0.001",
    "batch": "batch 64",
    "noise": "OU noise sigma 0.2, dt 1",
    "starts": "learning_starts 100",
}


def describe(variant: str) -> str:
    """What an ablation variant changes, in words: ``paper-bn:noise=gauss0.1`` -> ``- batch norm;
    noise=gauss0.1``."""
    head, _, settings = variant.partition(":")
    parts = [f"{sign} {COMPONENT_NAMES[name]}" for sign, name in re.findall(r"([+-])(\w+)", head)]
    parts += [settings] if settings else []
    return "; ".join(parts)


def ablation_table(variants: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Each change against its profile (``paper-X``: the paper profile without component X, i.e. with the
    tuned profile's setting; ``tuned+X``: the tuned profile with the paper's), on the seeds both ran."""
    lines: list[str] = []
    for base in ("paper", "tuned"):
        changes = sorted(v for v in variants if v != base and re.match(rf"{base}[-+:]", v))
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


def ceiling_line(key: tuple[str, int], variants: dict[str, list[dict[str, Any]]]) -> str | None:
    """Pendulum-v1 only: the learners against a controller that knows the dynamics, on the same starts."""
    path = RESULTS / "pendulum_ceiling.json"
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


NORMALISATIONS = ("none", "bn", "renorm")


def normalisation_line(env: str, variants: dict[str, list[dict[str, Any]]]) -> str | None:
    """none / bn / renorm on the seeds all three ran; the tuned profile stands for the setting it uses."""
    # Each normalisation, with any setting after it (e.g. bn:target_batch_stats=copy).
    runs = {name: variants[name] for name in sorted(variants) if name.split(":")[0] in NORMALISATIONS}
    if not any(name.split(":")[0] != "none" for name in runs):
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


def plot_curves(key: tuple[str, int], variants: dict[str, list[dict[str, Any]]], order: list[str]) -> Path:
    env, budget = key
    fig, ax = plt.subplots(figsize=(7, 4))
    for variant in order:
        runs = variants[variant]
        steps = sorted(set.intersection(*(set(run["eval_curve"]["steps"]) for run in runs)))
        by_step = [
            dict(zip(run["eval_curve"]["steps"], run["eval_curve"]["mean"], strict=True)) for run in runs
        ]
        curves = np.array([[curve[step] for step in steps] for curve in by_step])
        legend = f"{label(variant)} ({len(runs)} seeds)"
        line = ax.plot(steps, curves.mean(axis=0), label=legend)
        ax.fill_between(steps, curves.min(axis=0), curves.max(axis=0), alpha=0.15, color=line[0].get_color())
    ax.set_xlabel("agent steps (3 env steps each)" if "Pixels" in env else "env steps")
    ax.set_ylabel("noise-free evaluation return")
    ax.set_title(f"{env}: mean over seeds, min-max band")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path = DOCS / "img" / f"{env}-{budget}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def speed_table(speed: dict[str, Any]) -> list[str]:
    lines = [
        "| env | batch | stock MlpPolicy | stock PaperPolicy | ours | ours / stock "
        "| stock PaperPolicy / stock MlpPolicy |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in speed["results"]:
        cells = []
        for name in ("stock MlpPolicy", "stock PaperPolicy", "ours"):
            values = row["steps_per_s"][name]
            cells.append(f"{np.median(values):.1f} ({min(values):.0f}-{max(values):.0f})")
        ratios = row["paired_ratio"]
        ours, paper = ratios["ours / stock MlpPolicy"], ratios["stock PaperPolicy / stock MlpPolicy"]
        lines.append(
            f"| {row['env']} | {row['batch_size']} | {' | '.join(cells)} | {ours:.2f}x | {paper:.2f}x |"
        )
    return lines


def load_speed() -> dict[str, Any] | None:
    path = RESULTS / "speed.json"
    return json.loads(path.read_text()) if path.exists() else None


def speed_section(speed: dict[str, Any]) -> list[str]:
    lines = [
        "## Speed",
        "",
        f"`python bench/speed.py --rounds 5 --steps 600 --memory`: whole `learn()` loop, {speed['threads']} "
        "torch thread, one gradient step per env step, the three set-ups alternating within one process. "
        "Median env steps/s (min-max over rounds) and the median of the per-round ratios.",
        "",
        *speed_table(speed),
    ]
    memory = speed.get("peak_rss_mb_full_buffer_halfcheetah")
    if memory:
        sizes = ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items())
        lines += ["", f"Peak RSS after filling a 1e6-transition HalfCheetah-v5 replay buffer: {sizes}."]
    return [*lines, ""]


def pixel_memory_section() -> list[str]:
    path = RESULTS / "pixel_memory.json"
    if not path.exists():
        return []
    memory = json.loads(path.read_text())
    lines = [
        "## Replay memory from pixels",
        "",
        f"`python bench/pixel_memory.py`: {memory['env']}, observations {tuple(memory['obs_shape'])} uint8, "
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


def best_evaluation(run: dict[str, Any]) -> float:
    """The TD3 paper's metric for one run: its best periodic evaluation (mean over that evaluation's
    episodes)."""
    return float(max(run["eval_curve"]["mean"]))


def published_table(groups: dict[tuple[str, int], dict[str, list[dict[str, Any]]]]) -> list[str]:
    """The paper profile beside the published DDPG figures, env by env, at the largest budget run."""
    lines = [
        "| env | budget | seeds | ours, final eval | ours, best evaluation (TD3 paper's metric) "
        "| TD3 paper, DDPG (max, 1M steps) | Henderson et al., Table 1 (final) "
        "| zero action / random actions |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    path = RESULTS / "reference_policies.json"
    references = json.loads(path.read_text())["results"] if path.exists() else {}
    for env, (td3, henderson) in PUBLISHED.items():
        budgets = sorted(
            budget for (name, budget), variants in groups.items() if name == env and "paper" in variants
        )
        cells = ["-", "-", "-", "-"]
        if budgets:
            runs = groups[(env, budgets[-1])]["paper"]
            best = np.array([best_evaluation(run) for run in runs])
            cells = [f"{budgets[-1]:,}", str(len(runs)), spread(finals(runs)), spread(best)]
        published = [f"{td3:g}", "-" if henderson is None else f"{henderson:g}"]  # as printed there
        reference = references.get(env)
        floor = f"{fmt(reference['zero']['mean'])} / {fmt(reference['random']['mean'])}" if reference else "-"
        lines.append(f"| {env} | {' | '.join([*cells, *published, floor])} |")
    return [
        *lines,
        "",
        "What differs from the published runs: Gymnasium's v5 tasks against Gym's v1 (other model files and "
        "observations; returns are not the same scale on every task), our budget against the TD3 paper's 1M "
        "steps, our evaluations (every 1/20 of the budget, 5 episodes; 10 at the end) "
        "against every 5k steps with 10 episodes, and the paper's batch norm against normalised observations "
        "in Baselines. The last column is what a policy that learned nothing scores here, 10 episodes each "
        "(`python bench/reference_policies.py`).",
        "",
    ]


def her_table() -> list[str]:
    """DDPG + HER on BitFlipping (bench/her_bitflip.py): the success rate along training, per variant."""
    path = RESULTS / "her_bitflip.json"
    if not path.exists():
        return []
    her = json.loads(path.read_text())
    steps = her["eval_steps"]
    lines = [
        f"DDPG + HER on BitFlippingEnv ({her['n_bits']} bits, continuous actions), noise-free success rate",
        f"on 50 episodes, mean over {len(next(iter(her['runs'].values())))} seeds (`{her['command']}`):",
        "",
        "| variant | " + " | ".join(f"{step:,} steps" for step in steps) + " | final, per seed |",
        "| --- | " + " | ".join("---" for _ in steps) + " | --- |",
    ]
    for variant, runs in her["runs"].items():
        curves = np.array([run["success"] for run in runs])
        means = " | ".join(f"{value:.2f}" for value in curves.mean(axis=0))
        lines.append(f"| {variant} | {means} | {', '.join(f'{v:.2f}' for v in curves[:, -1])} |")
    return [*lines, ""]


def main() -> None:
    groups, speed = load_learning(), load_speed()
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python bench/report.py` from `bench/results/`; do not edit by hand.",
        "Learning runs: `python bench/learning.py --env ENV --seeds ...` (see its docstring); every run is",
        "`sb3-ddpg train` with one torch thread, two at a time on a 2-core machine, final evaluation over 10",
        "noise-free episodes. Speed: `python bench/speed.py`.",
        "",
        *(speed_section(speed) if speed else []),
        "## Learning",
        "",
    ]
    headline = [
        "| env (steps) | ours, tuned | ours, paper | stock RL Zoo DDPG |",
        "| --- | --- | --- | --- |",
    ]
    for key in sorted(groups):
        env, budget = key
        variants = groups[key]
        order = [v for v in VARIANT_LABELS if v in variants] + sorted(set(variants) - set(VARIANT_LABELS))
        lines += [f"### {env} @ {budget:,} steps", "", *learning_table(variants, order), ""]
        ablation = ablation_table(variants)
        if ablation:
            lines += [
                "The paper's components, one at a time (`python bench/learning.py --env "
                f"{env} --steps {budget} --variants paper-bn tuned+bn ...`; `-` takes the component out of "
                "the paper profile, i.e. uses the tuned profile's setting; `+` adds it to the tuned "
                "profile):",
                "",
                *ablation,
                "",
            ]
        sources = sorted({run["source"] for runs in variants.values() for run in runs if "source" in run})
        if sources:
            lines += [f"Runs from {', '.join(sources)}; the others from bench/learning.py.", ""]
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
            stock_line(variants),
            ceiling_line(key, variants),
            normalisation_line(env, variants),
        ):
            if line:
                lines += [line, ""]
        png = plot_curves(key, variants, order)
        lines += [f"![{env} curves]({png.relative_to(DOCS).as_posix()})", ""]
        if any(v in variants for v in PROFILES_SHOWN):
            # Each cell gives its own seed count: the profiles are run on different numbers of seeds.
            cells = []
            for variant in PROFILES_SHOWN:
                if variant not in variants:
                    cells.append("-")
                    continue
                values = finals(variants[variant])
                cells.append(f"{spread(values)} ({len(values)})")
            headline.append(f"| {env} ({budget:,}) | {' | '.join(cells)} |")
    lines += ["## The paper profile beside published DDPG results", "", *published_table(groups)]
    lines += pixel_memory_section()
    her = her_table()
    if her:
        lines += ["## DDPG + HER", "", *her]
    DOCS.mkdir(exist_ok=True)
    (DOCS / "benchmarks.md").write_text("\n".join(lines).rstrip() + "\n")
    readme = README.read_text()
    table = "\n".join(headline) + "\n"
    if speed:
        table = (
            "Env steps/s of the whole `learn()` loop, median over rounds (min-max), one torch thread:\n\n"
            + "\n".join(speed_table(speed))
            + "\n\nFinal noise-free evaluation, mean +- std across seeds (number of seeds):\n\n"
            + table
        )
    if HEADLINE.search(readme):
        readme = HEADLINE.sub(lambda match: match.group(1) + table + match.group(2), readme)
    if her:
        readme = HER.sub(lambda match: match.group(1) + "\n".join(her) + match.group(2), readme)
    README.write_text(readme)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
