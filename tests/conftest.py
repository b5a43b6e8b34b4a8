"""Shared test set-up."""

import importlib.util
import sys
from pathlib import Path

MUTANTS = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path, package: bool = False) -> None:
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(path.parent)] if package else None
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


if MUTANTS.name == "mutants":
    import torch

    # mutmut forks a child per mutant: torch's thread pool, once started, deadlocks in a forked child.
    torch.set_num_threads(1)

    # Under mutmut the sources are a mutated copy in mutants/, and mutmut names a mutant by the module it
    # was written in (wrappers.normalized_actions). The installed `sb3_ddpg_wrappers` maps to the original
    # wrappers/: point it at the mutated module, loaded under the name mutmut expects, before anything
    # imports the original.
    _load("wrappers.normalized_actions", MUTANTS / "wrappers" / "normalized_actions.py")
    sys.modules["sb3_ddpg_wrappers.normalized_actions"] = sys.modules["wrappers.normalized_actions"]
    _load("sb3_ddpg_wrappers", MUTANTS / "wrappers" / "__init__.py", package=True)
