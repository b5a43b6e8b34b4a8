"""The learning results in bench/results/learning/, read and checked: every row of the report holds runs
that ran the same settings with the same code, and says which commit that was."""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# The code a learning result depends on: the library, the application, the profiles, and the benchmark's
# own translation of a variant into a command.
CODE_PATHS = ("sb3_ddpg_ext", "wrappers", "zoo_configs", "bench/learning.py", "bench/variants.py")
# Inside them but not code: what the results measured, regenerated whenever results are added.
NOT_CODE = ("zoo_configs/measured.yml",)
RECONSTRUCTED_MARK = "r"

Groups = dict[tuple[str, int], dict[str, list[dict[str, Any]]]]


class MixedRowError(ValueError):
    """A row whose runs ran different settings or code."""


def load_learning(results: Path = RESULTS) -> Groups:
    """Runs by (env, budget) and variant, each row checked (:func:`check_row`), interrupted runs left out."""
    groups: Groups = defaultdict(lambda: defaultdict(list))
    for path in sorted((results / "learning").glob("*/*/seed*.json")):
        run = json.loads(path.read_text())
        groups[(run["env"], run["budget"])][run["variant"]].append({**run, "path": path})
    for (env, budget), variants in groups.items():
        for variant, runs in variants.items():
            check_row(f"{env} @ {budget} {variant}", runs, results)
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


def is_reconstructed(run: dict[str, Any]) -> bool:
    return bool(run["provenance"].get("reconstructed"))


def commits(run: dict[str, Any]) -> list[str]:
    """The commits a recorded run's segments ran, in order."""
    return [segment["commit"] for segment in run["provenance"]["segments"]]


def check_row(row: str, runs: list[dict[str, Any]], results: Path = RESULTS) -> None:
    """Refuse a row whose runs cannot be one measurement: no provenance at all, recorded and reconstructed
    runs together, different settings, or different code between the commits they ran."""
    where = ", ".join(str(Path(run["path"]).relative_to(results)) for run in runs)
    missing = [run for run in runs if "provenance" not in run]
    if missing:
        raise MixedRowError(
            f"{row} has results that name no code ({missing[0]['path']}): give them what git history shows "
            "with `python bench/reconstruct_provenance.py`, or re-run them."
        )
    if len({is_reconstructed(run) for run in runs}) > 1:
        raise MixedRowError(
            f"{row} mixes re-run and reconstructed results ({where}): re-run the rest of the row with "
            "`python bench/learning.py --redo-unrecorded`, or keep the new ones out until it is complete."
        )
    for field, comparable in (
        ("config", resolved),
        ("model_settings", lambda settings: {key: v for key, v in settings.items() if key != "seed"}),
    ):
        distinct = {json.dumps(comparable(run[field]), sort_keys=True) for run in runs if field in run}
        if len(distinct) > 1:
            raise MixedRowError(
                f"The runs of {row} ran with different settings ({where}): re-run the stale ones with "
                "bench/learning.py --force, or give the changed setting a variant name of its own."
            )
    if not is_reconstructed(runs[0]):
        first, *others = sorted({commit for run in runs for commit in commits(run)})
        changed = [other for other in others if code_differs(first, other)]
        if changed:
            a, b = first, changed[0]
            raise MixedRowError(
                f"The runs of {row} ran different code: {', '.join(CODE_PATHS)} differ between {a[:7]} and "
                f"{b[:7]} ({where}). Run a row from one commit (a `git worktree` at it)."
            )


@functools.cache
def code_differs(a: str, b: str) -> bool:
    """Whether the code a learning result depends on differs between commits ``a`` and ``b``."""
    process = subprocess.run(
        ["git", "diff", "--quiet", a, b, "--", *CODE_PATHS, *(f":(exclude){path}" for path in NOT_CODE)],
        cwd=ROOT,
        capture_output=True,
    )
    if process.returncode not in (0, 1):
        raise MixedRowError(f"git cannot compare {a} and {b}: {process.stderr.decode().strip()}")
    return process.returncode == 1


def commit_cell(runs: list[dict[str, Any]]) -> str:
    """The commit a row ran (short; several with the same code: the first and how many more), ``+dirty``
    where a checkout had uncommitted changes; for reconstructed rows, the commits that added the results,
    marked."""
    if is_reconstructed(runs[0]):
        return f"{_few(run['provenance']['added_in'] for run in runs)} {RECONSTRUCTED_MARK}"
    shown = _few(commit for run in runs for commit in commits(run))
    return shown + (" +dirty" if any(run["provenance"]["dirty"] for run in runs) else "")


def _few(commits: Any) -> str:
    short = sorted({commit[:7] for commit in commits})
    return ", ".join(short) if len(short) <= 2 else f"{short[0]} and {len(short) - 1} more"


def made_by(result: dict[str, Any]) -> str:
    """Which code made a benchmark's result file, for the sentence that cites it."""
    provenance = result.get("provenance", {})
    if provenance.get("commit"):
        dirty = " with uncommitted changes" if provenance["dirty"] else ""
        return f"commit {provenance['commit'][:7]}{dirty}"
    if provenance.get("added_in"):
        return f"code at or before commit {provenance['added_in'][:7]}, reconstructed"
    return "made by code that no commit names"
