import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_command(name):
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {name} -->\s*```(?:bash|sh)\n(.*?)\n```", readme, re.S)
    assert match, f"README.md has no <!-- {name} --> command block"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_command("test-command") in ci


def test_wrappers_import_without_sb3_or_torch():
    code = (
        "import sys, wrappers; assert 'stable_baselines3' not in sys.modules and 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_both_packages_are_typed():
    assert (ROOT / "sb3_ddpg_ext" / "py.typed").exists()
    assert (ROOT / "wrappers" / "py.typed").exists()
