import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


def readme_command(name):
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {name} -->\s*```(?:bash|sh)\n(.*?)\n```", readme, re.S)
    assert match, f"README.md has no <!-- {name} --> command block"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert readme_command("test-command") in lines  # the whole line: nothing appended, no `|| true`
    assert "ruff check ." in lines
    assert "mypy" in lines  # configured in pyproject.toml: sb3_ddpg_ext and wrappers
    assert "sphinx-build -W --keep-going -q -b html docs docs/_build/html" in lines  # warnings are errors


def test_wrappers_import_without_sb3_or_torch():
    code = (
        "import sys, sb3_ddpg_wrappers, sb3_ddpg_wrappers.pixels\n"
        "assert 'stable_baselines3' not in sys.modules and 'torch' not in sys.modules\n"
        "assert sb3_ddpg_wrappers.pixels.PaperPixels is sb3_ddpg_wrappers.PaperPixels"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT.parent)


def test_both_packages_are_typed():
    assert (ROOT / "sb3_ddpg_ext" / "py.typed").exists()
    assert (ROOT / "wrappers" / "py.typed").exists()


@pytest.fixture
def project_with_its_own_wrappers(tmp_path):
    (tmp_path / "wrappers.py").write_text("class TimeLimit:\n    pass\n")
    return tmp_path


def test_the_package_works_in_a_project_with_its_own_wrappers_module(project_with_its_own_wrappers):
    code = (
        "import gymnasium as gym, wrappers\n"
        "import sb3_ddpg_ext\n"
        "from sb3_ddpg_wrappers import NormalizedActions\n"
        "from sb3_ddpg_ext.app.zoo import load_profile, check_keys\n"
        "assert hasattr(wrappers, 'TimeLimit')  # the project's own module is left alone\n"
        "env = gym.make('PendulumPixels-v1')  # registered by sb3_ddpg_ext, through our wrappers\n"
        "sb3_ddpg_ext.DDPG('PaperPolicy', NormalizedActions(gym.make('Pendulum-v1'))).learn(10)\n"
        "check_keys(load_profile('tuned')['Pendulum-v1'], 'the tuned entry')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=project_with_its_own_wrappers)


def test_a_config_naming_our_wrappers_by_the_shadowed_name_gets_an_error_naming_the_file(
    project_with_its_own_wrappers,
):
    result = subprocess.run(
        [
            *(sys.executable, "-m", "sb3_ddpg_ext", "train", "--env", "Pendulum-v1", "--steps", "100"),
            *("--out", "run", "--hyperparams", "env_wrapper:'wrappers.NormalizedActions'"),
        ],
        capture_output=True,
        text=True,
        cwd=project_with_its_own_wrappers,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(project_with_its_own_wrappers / "wrappers.py") in result.stderr
    assert "Write sb3_ddpg_wrappers.NormalizedActions instead" in result.stderr
    assert not (project_with_its_own_wrappers / "run").exists()


def test_the_declared_licence_is_the_license_files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")


def test_the_torch_floor_is_the_one_stable_baselines3_needs():
    from importlib.metadata import requires

    def floor(requirements, name):
        spec = next(r for r in requirements if re.match(rf"{name}\b", r) and "extra ==" not in r)
        return re.search(r">=\s*([\d.]+)", spec).group(1)

    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert floor(ours, "torch") == floor(requires("stable-baselines3"), "torch")
