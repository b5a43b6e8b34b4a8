"""Every code example in the README, the docs and the docstrings runs, so none can drift from the code.

- ```python blocks run as written, each in a fresh interpreter in an empty folder, with training budgets
  (``.learn(N)``) capped at LEARN_CAP steps.
- ```bash blocks run line by line in one folder per block: the ``sb3-ddpg`` command as written (the docs
  give small budgets), ``python -m rl_zoo3.*`` with ``-n`` set to a small budget. The README's two set-up
  commands are CI's own steps (``tests/test_packaging.py`` checks them); ```console blocks hold commands
  that install software or need a server, and are not run.
- ``>>>`` examples in docstrings run as doctests.
"""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import sb3_ddpg_ext
import sb3_ddpg_wrappers

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LEARN_CAP = 500
ZOO_STEPS = "300"
SET_UP = re.compile(r"<!-- (main|test)-command -->\s*$")


def _blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text()
        for index, match in enumerate(re.finditer(rf"```{language}\n(.*?)```", text, re.S)):
            if language == "bash" and SET_UP.search(text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]):
                continue
            found.append((f"{page.relative_to(ROOT)}[{index}]", match.group(1)))
    return found


PYTHON = _blocks("python")
BASH = _blocks("bash")


def _cap_budgets(code: str) -> str:
    return re.sub(
        r"\.learn\(\s*([0-9_]+)", lambda m: f".learn({min(int(m.group(1).replace('_', '')), LEARN_CAP)}", code
    )


def test_the_pages_have_examples_of_each_kind():
    assert len(PYTHON) >= 10
    assert len(BASH) >= 5
    assert any("sb3-ddpg train" in code for _, code in BASH)


@pytest.mark.parametrize(("where", "code"), PYTHON, ids=[where for where, _ in PYTHON])
def test_python_example_runs(where, code, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _cap_budgets(code)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{where}:\n{code}\n{result.stderr[-3000:]}"


def _commands(code: str) -> list[str]:
    joined = code.replace("\\\n", " ")
    lines = [line.split("  #")[0].strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _runnable(line: str) -> list[str]:
    words = shlex.split(line)
    if words[0] == "sb3-ddpg":
        return [sys.executable, "-m", "sb3_ddpg_ext", *words[1:]]
    if words[:2] == ["python", "-m"] and words[2].startswith("rl_zoo3."):
        return [sys.executable, *words[1:], "-n", ZOO_STEPS]
    raise AssertionError(f"No rule to run the example command {line!r}: write it as ```console or add one.")


def _run(line: str, where: str, cwd: Path) -> str:
    """Run one example command (its ``"$(sb3-ddpg ...)"`` substitutions first, as the shell would)."""
    line = re.sub(
        r'"\$\((sb3-ddpg [^)]*)\)"', lambda m: shlex.quote(_run(m.group(1), where, cwd).strip()), line
    )
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        _runnable(line), cwd=cwd, capture_output=True, text=True, timeout=600, env=environment
    )
    assert result.returncode == 0, f"{where}: {line}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.mark.parametrize(("where", "code"), BASH, ids=[where for where, _ in BASH])
def test_shell_example_runs(where, code, tmp_path):
    (tmp_path / "zoo_configs").symlink_to(ROOT / "zoo_configs")  # the examples written for a checkout
    for line in _commands(code):
        _run(line, where, tmp_path)


def _modules() -> list[str]:
    names = []
    for package in (sb3_ddpg_ext, sb3_ddpg_wrappers):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.endswith("__main__"):
                names.append(info.name)
    return names


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples_run(module):
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(importlib.import_module(module)):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} of {results.attempted} docstring examples failed"
