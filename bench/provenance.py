"""Which code made a benchmark result: the commit checked out, whether the checkout differed from it,
and the versions of the modules imported. Every script under bench/ records this in its result file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sb3_ddpg_ext
import sb3_ddpg_wrappers
from sb3_ddpg_ext import zoo_configs
from sb3_ddpg_ext.app.run_record import imported_versions
from sb3_ddpg_ext.app.run_spec import git_state

ROOT = Path(__file__).resolve().parent.parent


def check_imported_from_checkout() -> None:
    """Refuse to run when the library is imported from elsewhere than this checkout (e.g. another
    worktree's editable install): the recorded commit would not name the code that ran."""
    for module in (sb3_ddpg_ext, sb3_ddpg_wrappers, zoo_configs):
        location = Path(module.__file__ or "").resolve()
        if not location.is_relative_to(ROOT):
            raise SystemExit(
                f"{module.__name__} is imported from {location.parent}, not from this checkout ({ROOT}): "
                f"install this checkout (pip install -e {ROOT}) in the environment that runs the benchmark."
            )


def code_state(root: Path = ROOT) -> dict[str, Any]:
    """The commit checked out at ``root``, and whether the files there differ from it, tracked or new
    (result files excepted: finished runs add them)."""

    commit, changes = git_state(root, ".", ":(exclude)bench/results")
    return dict(commit=commit, dirty=bool(changes.strip()), changes=changes)


def record() -> dict[str, Any]:
    """What a result file keeps of the code that made it (refusing a library imported from elsewhere)."""
    check_imported_from_checkout()
    state = code_state()
    return dict(commit=state["commit"], dirty=state["dirty"], versions=imported_versions())
