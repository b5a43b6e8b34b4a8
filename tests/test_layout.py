"""The library/application line: the library imports without the application's dependencies, and what
was saved before the application moved into ``sb3_ddpg_ext.app`` still loads and resumes."""

import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sb3_ddpg_ext
from sb3_ddpg_ext import DDPG

SAVED = Path(__file__).parent / "data" / "saved_0.2.0"
APP_ONLY = ("rl_zoo3", "matplotlib", "optuna", "yaml")


def _library_modules() -> list[str]:
    names = [
        f"sb3_ddpg_ext.{info.name}"
        for info in pkgutil.iter_modules(sb3_ddpg_ext.__path__)
        if info.name not in ("app", "__main__")
    ]
    return [*names, "sb3_ddpg_wrappers"]


def test_the_library_imports_without_the_applications_dependencies():
    modules = _library_modules()
    public = {"sb3_ddpg_ext.policies", "sb3_ddpg_ext.noise", "sb3_ddpg_ext.callbacks", "sb3_ddpg_ext.ddpg"}
    assert public <= set(modules)
    blocked = "".join(f"sys.modules[{name!r}] = None\n" for name in APP_ONLY)
    imports = "".join(f"import {name}\n" for name in modules)
    check = "assert not any(name.startswith('sb3_ddpg_ext.app') for name in sys.modules)\n"
    script = f"import sys\n{blocked}{imports}{check}"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_model_saved_by_0_2_0_loads_and_acts_as_it_did():
    # The model was saved by sb3_ddpg_ext 0.2.0 (PaperPolicy with batch norm, OUNoise as its action noise)
    # right after it printed these actions for these observations.
    model = DDPG.load(SAVED / "model.zip")
    obs = np.array([[0.5, -0.5, 1.0], [1.0, 0.0, -2.0]], dtype=np.float32)
    actions, _ = model.predict(obs, deterministic=True)
    np.testing.assert_allclose(actions[:, 0], [-0.08135116100311279, -0.055991172790527344], rtol=1e-6)
    assert type(model.action_noise).__name__ == "OUNoise"


def test_a_run_saved_by_0_2_0_resumes_and_evaluates(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(SAVED / "run", run)
    command = [sys.executable, "-m", "sb3_ddpg_ext"]
    resumed = subprocess.run(
        [*command, "train", "--resume", str(run), "--steps", "600", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "600 steps" in resumed.stdout
    evaluated = subprocess.run([*command, "evaluate", str(run)], capture_output=True, text=True, timeout=300)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "over 10 noise-free episodes" in evaluated.stdout


ROOT = Path(__file__).resolve().parent.parent
# A path component that every common file system and shell takes as it is: Windows refuses <>:"/\|?* and
# names ending in a dot or a space, and reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9.
PORTABLE_COMPONENT = re.compile(r"[A-Za-z0-9._+-]+(?<!\.)")
RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", re.IGNORECASE)


def portability_problems(paths):
    problems = [
        path
        for path in paths
        for part in path.split("/")
        if not PORTABLE_COMPONENT.fullmatch(part) or RESERVED.fullmatch(part)
    ]
    folded = {}
    for path in paths:  # Windows and macOS compare names without case
        if folded.setdefault(path.lower(), path) != path:
            problems.append(f"{path} and {folded[path.lower()]} differ only in case")
    return problems + [path for path in paths if len(path) > 200]


def test_the_portability_check_catches_what_windows_refuses():
    bad = ["a/paper:noise=gauss0.1/seed0.json", "b/CON.txt", "c/x.", "d/A.md", "d/a.md", "e/it's"]
    assert len(portability_problems(bad)) == 5
    assert portability_problems(["bench/results/learning/Pendulum-v1-20000/tuned+bn/seed0.json"]) == []


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout (an unpacked sdist)")
def test_every_tracked_path_checks_out_on_any_system():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(tracked) > 100
    assert portability_problems(tracked) == []
