"""Give each learning result made before results recorded their commit what git history shows of it.

    python bench/reconstruct_provenance.py

For every bench/results/learning/*/*/seed*.json without a recorded commit: the commit that added its
measurement (the newest commit before which the file's returns differ or it did not exist; the code that
ran is that commit's or an earlier one's: runs were committed after they finished), the profile's entry
for the env at that commit, and the package version written in pyproject.toml there (the file's own
``versions`` came from install metadata, which could be stale). The other result files in bench/results/
get the commit alone. The provenance is marked
``reconstructed``, and the report marks its rows so. The run's own command (which could name a run
folder that no longer exists, or a path on the machine it ran on) moves to ``original_command``; ``command``
becomes the one that makes the result anew. Files that git does not know are left alone and listed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml
from learning import reproduce_command

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "learning"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def measurement(result: dict[str, Any]) -> str:
    """What a run measured, apart from how the file describes it."""
    kept = ("final_eval_mean", "eval_curve", "seed") if "eval_curve" in result else None
    content = {k: v for k, v in result.items() if (k in kept if kept else k != "provenance")}
    return json.dumps(content, sort_keys=True)


def added_in(path: Path) -> str | None:
    """The commit that added the measurement the file holds now, following renames."""
    log = git("log", "--follow", "--name-only", "--format=%x00%H", "--", str(path.relative_to(ROOT)))
    current = measurement(json.loads(path.read_text()))
    found = None
    for entry in log.split("\0")[1:]:
        commit, *names = entry.split()
        try:
            before = json.loads(git("show", f"{commit}:{names[0]}"))
        except (subprocess.CalledProcessError, IndexError, ValueError):
            break  # deleted there, or not JSON
        if measurement(before) != current:
            break
        found = commit
    return found


def entry_at(commit: str, profile: str, env: str) -> dict[str, Any] | None:
    if profile == "stock":  # rl_zoo3's own entry, which this repository does not hold
        return None
    try:
        entries = yaml.safe_load(git("show", f"{commit}:zoo_configs/ddpg_{profile}.yml"))
    except subprocess.CalledProcessError:
        return None
    return entries.get(env)


def version_at(commit: str) -> str | None:
    for line in git("show", f"{commit}:pyproject.toml").splitlines():
        if line.startswith("version = "):
            return line.split('"')[1]
    return None  # a dynamic version: read from the package


def reconstruct(path: Path) -> bool:
    result = json.loads(path.read_text())
    if "provenance" in result and not result["provenance"].get("reconstructed"):
        return False  # recorded when it ran
    commit = added_in(path)
    if commit is None:
        print(f"not in git history, left alone: {path.relative_to(ROOT)}")
        return False
    if "eval_curve" not in result:  # another benchmark's result file
        result["provenance"] = dict(reconstructed=True, commit=None, added_in=commit)
        path.write_text(json.dumps(result, indent=2) + "\n")
        return True
    variant = result.get("variant", result["profile"])
    original = result.get("original_command", result.get("command"))
    if original:
        original = original.replace(f"{ROOT}/", "").replace("/work/main/", "")
    provenance = dict(
        reconstructed=True,
        commit=None,
        added_in=commit,
        profile_entry=entry_at(commit, result["profile"], result["env"]),
        sb3_ddpg_ext_version=version_at(commit),
    )
    updated = dict(
        variant=variant,
        command=reproduce_command(result["env"], result["budget"], variant, result["seed"]),
        original_command=original,
        provenance=provenance,
        **{
            key: value
            for key, value in result.items()
            if key not in ("variant", "command", "original_command", "provenance")
        },
    )
    path.write_text(json.dumps(updated, indent=2) + "\n")
    return True


def main() -> None:
    paths = sorted(RESULTS.glob("*/*/seed*.json")) + sorted(RESULTS.parent.glob("*.json"))
    done = sum(reconstruct(path) for path in paths)
    print(f"{done} of {len(paths)} results given a reconstructed provenance")


if __name__ == "__main__":
    main()
