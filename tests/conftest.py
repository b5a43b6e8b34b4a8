"""Shared test set-up, and the stub env the tests share (``from conftest import SpacesEnv``)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

MUTANTS = Path(__file__).resolve().parent.parent
ROOT = MUTANTS  # the checkout (or mutmut's copy of it)
# The README's rl_zoo3 training command, on Pendulum-v1 with the tuned profile.
ZOO_TRAIN = [
    "-m",
    "rl_zoo3.train",
    "--algo",
    "ddpg",
    "--env",
    "Pendulum-v1",
    "-conf",
    "zoo_configs/ddpg_tuned.yml",
]


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    """A finished run folder: Pendulum-v1, tuned profile, 1,200 steps, evaluated every 400. Read it only."""
    from sb3_ddpg_ext.app.cli import main

    out = tmp_path_factory.mktemp("runs") / "pendulum"
    args = ["train", "--env", "Pendulum-v1", "--steps", "1200", "--eval-freq", "400", "--out", str(out)]
    assert main([*args, "--no-progress"]) == 0
    return out


def fake_run(folder, env="Pendulum-v1", profile="tuned"):
    """A run folder's spec and summary, with no model: for the tests of what reads run folders. Returns
    the folder for rl_zoo3's files (model, evaluations, monitors)."""
    from sb3_ddpg_ext.app.run_spec import RunSpec

    spec = RunSpec(env, profile, 0, 1000, 500, 5, 10, 0, zoo_dir=f"ddpg/{env}_1")
    (folder / spec.zoo_dir).mkdir(parents=True)
    spec.write(folder)
    (folder / "summary.json").write_text('{"steps": 1000, "interrupted": false}')
    return folder / spec.zoo_dir


# A PaperPolicy on its own: a 5-d observation, a 2-d action with asymmetric bounds.
OBS = spaces.Box(-np.inf, np.inf, shape=(5,), dtype=np.float32)
ACT = spaces.Box(-2.0, 3.0, shape=(2,), dtype=np.float32)


def make_policy(**kwargs):
    from stable_baselines3.common.utils import FloatSchedule

    from sb3_ddpg_ext import PaperPolicy  # imported here: after the mutmut set-up below, as in every test

    kwargs.setdefault("n_critics", 1)
    return PaperPolicy(OBS, ACT, FloatSchedule(1e-3), **kwargs)


def run_python(*args):
    """``python ARGS`` at the checkout's root; its output, after asserting it succeeded."""
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


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


class SpacesEnv(gym.Env):
    """A stub env of any spaces: random observations from ``observation_space``, a reward that prefers
    small actions (for a Box action space), and episodes truncated after ``horizon`` steps.

    :param observation_space: what it observes (default: a 3-d Box).
    :param action_space: what it acts in (default: a 1-d Box in [-1, 1]).
    :param horizon: steps per episode.
    """

    def __init__(self, observation_space=None, action_space=None, horizon=20):
        self.observation_space = observation_space or spaces.Box(-1, 1, (3,), np.float32)
        self.action_space = action_space or spaces.Box(-1, 1, (1,), np.float32)
        self.horizon = horizon

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.observation_space.seed(seed)
        self.t = 0
        return self.observation_space.sample(), {}

    def step(self, action):
        self.t += 1
        reward = (
            -float(np.asarray(action).reshape(-1)[0] ** 2)
            if isinstance(self.action_space, spaces.Box)
            else 0.0
        )
        return self.observation_space.sample(), reward, False, self.t >= self.horizon, {}
