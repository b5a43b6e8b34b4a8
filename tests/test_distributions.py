"""The wheel and the sdist, built from this checkout as a user's pip would build them."""

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"sb3_ddpg_ext", "sb3_ddpg_wrappers"}


def build_wheel(source, out):
    """What ``pip install`` builds from a checkout or an unpacked sdist (offline: this env's setuptools)."""
    command = ["pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), "."]
    subprocess.run([sys.executable, "-m", *command], check=True, capture_output=True, cwd=source)
    return next(Path(out).glob("*.whl"))


def build_sdist(source, out):
    code = "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, capture_output=True, cwd=source)
    return next(Path(out).glob("*.tar.gz"))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """The files a clean clone would hold (the working tree's, uncommitted changes included), so that
    building leaves nothing in this checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    copy = tmp_path_factory.mktemp("checkout")
    for name in listed:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


@pytest.fixture(scope="module")
def wheel(checkout, tmp_path_factory):
    return build_wheel(checkout, tmp_path_factory.mktemp("wheel"))


def test_the_wheel_installs_no_generic_top_level_name(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == OURS
    assert {
        "sb3_ddpg_ext/zoo_configs/ddpg_paper.yml",
        "sb3_ddpg_ext/zoo_configs/ddpg_tuned.yml",
        "sb3_ddpg_ext/zoo_configs/measured.yml",  # read by `sb3-ddpg train` and `list`
    } <= set(names)
    assert "sb3_ddpg_wrappers/py.typed" in names
    assert "sb3_ddpg_ext/py.typed" in names


def user_project(root):
    """A project with its own top-level ``wrappers`` and ``zoo_configs`` packages."""
    for package in ("wrappers", "zoo_configs"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("OWNER = 'the user'\n")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "user-project"\nversion = "1.0"\n'
        '[tool.setuptools]\npackages = ["wrappers", "zoo_configs"]\n'
    )
    return root


@pytest.fixture
def venv(tmp_path):
    """A fresh virtual environment that sees this env's dependencies (torch, SB3, ...) but neither this
    checkout nor its editable install."""
    # Without pip of its own: this env's pip and setuptools, found through the .pth below, install into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", tmp_path / "venv"], check=True)
    python = tmp_path / "venv" / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Appended after the venv's own site-packages: what pip installs into the venv comes first.
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def pip(python, *args):
    result = subprocess.run(
        [python, "-m", "pip", "-q", "--disable-pip-version-check", *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def run(python, *args, cwd):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([python, *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.mark.parametrize("ours_first", [True, False], ids=["ours-first", "theirs-first"])
def test_a_project_with_its_own_wrappers_and_zoo_configs_installs_beside_ours(
    wheel, venv, tmp_path, ours_first
):
    project = user_project(tmp_path / "project")
    installs = [("install", "--no-deps", str(wheel)), ("install", "--no-build-isolation", "-e", str(project))]
    for install in installs if ours_first else installs[::-1]:
        pip(venv, *install)
    work = tmp_path / "work"
    work.mkdir()
    code = (
        "import wrappers, zoo_configs, sb3_ddpg_wrappers, sb3_ddpg_ext\n"
        "from sb3_ddpg_ext.zoo_configs import PROFILES\n"
        "from sb3_ddpg_ext.app.zoo import load_profile\n"
        "assert wrappers.OWNER == zoo_configs.OWNER == 'the user'\n"
        "assert 'Pendulum-v1' in load_profile('tuned')\n"
        "print(sb3_ddpg_wrappers.__file__, *PROFILES.values())"
    )
    result = run(venv, "-c", code, cwd=work)
    assert result.returncode == 0, result.stderr
    site = str(venv.parent.parent)
    assert all(path.startswith(site) for path in result.stdout.split())  # ours, from the venv
    listed = run(venv, "-m", "sb3_ddpg_ext", "list", cwd=work)
    assert listed.returncode == 0, listed.stderr
    assert "Pendulum-v1" in listed.stdout
    # Uninstalling the user's project leaves ours whole.
    pip(venv, "uninstall", "-y", "user-project")
    assert run(venv, "-m", "sb3_ddpg_ext", "list", cwd=work).returncode == 0
    assert run(venv, "-c", "import sb3_ddpg_wrappers.pixels", cwd=work).returncode == 0


def test_the_configs_path_feeds_rl_zoo3s_conf_from_an_installed_wheel(wheel, venv, tmp_path):
    pip(venv, "install", "--no-deps", str(wheel))
    result = run(venv, "-m", "sb3_ddpg_ext", "config", "tuned", "--path", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.name == "ddpg_tuned.yml"
    assert path.is_file()
    assert str(path).startswith(str(venv.parent.parent))
    shown = run(venv, "-m", "sb3_ddpg_ext", "config", "paper", cwd=tmp_path)
    assert shown.stdout == (path.parent / "ddpg_paper.yml").read_text()


def test_the_sdist_builds_the_same_wheel_and_ships_no_tests_it_cannot_run(checkout, wheel, tmp_path):
    sdist = build_sdist(checkout, tmp_path / "sdist")
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
        archive.extractall(tmp_path / "unpacked", filter="data")
    assert not [name for name in members if "/tests/" in name]
    source = next((tmp_path / "unpacked").iterdir())
    rebuilt = build_wheel(source, tmp_path / "rebuilt")
    files = {name: zipfile.ZipFile(wheel).read(name) for name in zipfile.ZipFile(wheel).namelist()}
    again = {name: zipfile.ZipFile(rebuilt).read(name) for name in zipfile.ZipFile(rebuilt).namelist()}
    assert sorted(again) == sorted(files)
    assert [name for name in files if ".dist-info/" not in name and files[name] != again[name]] == []
