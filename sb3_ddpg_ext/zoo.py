"""Glue to rl_zoo3: profiles, input checks, and training one run into one folder with its summary."""

from __future__ import annotations

import argparse
import difflib
import json
import platform
import shutil
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import gymnasium as gym
import yaml
from gymnasium import spaces
from rl_zoo3.exp_manager import ExperimentManager
from stable_baselines3.common.evaluation import evaluate_policy

from zoo_configs import PROFILES

ALGO = "ddpg"
SUMMARY = "summary.json"
CONFIG = "config.yml"


class UsageError(Exception):
    """Bad input from the user: the command prints the message (no traceback) and exits non-zero."""


def load_profile(profile: str) -> dict[str, dict[str, Any]]:
    """The YAML config of a profile, one entry per env id."""
    if profile not in PROFILES:
        raise UsageError(f"Unknown profile {profile!r}. Valid profiles: {', '.join(sorted(PROFILES))}.")
    with open(PROFILES[profile]) as f:
        return yaml.safe_load(f)


def check_env(env_id: str, profile: str) -> None:
    """Refuse, with the valid choices, an env that is unknown, not in the profile, or not continuous."""
    entries = [name for name in load_profile(profile) if name != "default"]
    if env_id not in gym.registry:
        close = difflib.get_close_matches(env_id, list(gym.registry), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(
            f"Unknown env id {env_id!r}.{hint} Envs with a {profile!r} config: {', '.join(entries)} "
            "(`sb3-ddpg list` shows every profile)."
        )
    try:
        env = gym.make(env_id)
    except gym.error.DependencyNotInstalled as error:
        raise UsageError(
            f"{env_id} needs a package that is not installed ({error}). Install the project's extra "
            "for it: pip install -e '.[mujoco]' or '.[box2d]'."
        ) from None
    action_space = env.action_space
    env.close()
    if not isinstance(action_space, spaces.Box):
        raise UsageError(
            f"{env_id} has a {type(action_space).__name__} action space, but DDPG needs continuous (Box) "
            f"actions. Pick a continuous env: {', '.join(entries)}."
        )
    if env_id not in entries:
        raise UsageError(
            f"{env_id!r} has no entry in the {profile!r} profile ({PROFILES[profile]}). Envs it has: "
            f"{', '.join(entries)}. Add an entry for it there (rl_zoo3 itself falls back to 'default')."
        )


class RunManager(ExperimentManager):
    """rl_zoo3's ExperimentManager, writing everything into one run folder instead of logs/ddpg/ENV_N.

    The folder keeps rl_zoo3's layout inside it (``ENV.zip``, ``ENV/config.yml``, ``evaluations.npz``,
    ``0.monitor.csv``), so ``rl_zoo3.enjoy --folder`` conventions still apply to it.
    """

    def __init__(self, run_dir: Path, **kwargs: Any):
        super().__init__(log_folder=str(run_dir), **kwargs)
        self.save_path = str(run_dir)
        self.params_path = str(run_dir / self.env_name)
        self.tensorboard_log = str(run_dir / "tensorboard")


def package_versions() -> dict[str, str]:
    names = ["sb3-ddpg-ext", "stable-baselines3", "rl_zoo3", "torch", "gymnasium", "numpy"]
    return {"python": platform.python_version(), **{name: version(name) for name in names}}


def train(
    env_id: str,
    profile: str,
    seed: int,
    out: Path,
    steps: int | None = None,
    eval_freq: int | None = None,
    eval_episodes: int = 5,
    final_episodes: int = 10,
    progress: bool = True,
    verbose: int = 1,
) -> dict[str, Any]:
    """Train DDPG on ``env_id`` from a profile into the run folder ``out`` and return its summary.

    An interrupted run (Ctrl-C) still saves its model and a summary with ``"interrupted": true``.
    """
    check_env(env_id, profile)
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"The run folder {out} already exists and is not empty: choose another --out.")
    budget = int(steps or load_profile(profile)[env_id]["n_timesteps"])
    eval_freq = eval_freq or max(budget // 20, 500)
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _train_into(
            out, env_id, profile, seed, budget, eval_freq, eval_episodes, final_episodes, progress, verbose
        )
    except Exception:  # not KeyboardInterrupt: a Ctrl-C after training must keep the saved model
        shutil.rmtree(out, ignore_errors=True)  # leave nothing half-written behind
        raise


def _train_into(
    out: Path,
    env_id: str,
    profile: str,
    seed: int,
    budget: int,
    eval_freq: int,
    eval_episodes: int,
    final_episodes: int,
    progress: bool,
    verbose: int,
) -> dict[str, Any]:
    args = argparse.Namespace(env=env_id, profile=profile, seed=seed, steps=budget, eval_freq=eval_freq)
    manager = RunManager(
        out,
        args=args,
        algo=ALGO,
        env_id=env_id,
        n_timesteps=budget,
        eval_freq=eval_freq,
        n_eval_episodes=eval_episodes,
        seed=seed,
        config=str(PROFILES[profile]),
        show_progress=progress,
        verbose=verbose,
        log_interval=-1,
    )
    model, saved_hyperparams = manager.setup_experiment()
    start = time.perf_counter()
    manager.learn(model)  # rl_zoo3 turns Ctrl-C into a normal return here
    wall = time.perf_counter() - start
    interrupted = model.num_timesteps < budget
    manager.save_trained_model(model)
    final_mean = final_std = None
    if not interrupted:
        eval_env = manager.create_envs(1, eval_env=True)
        final_mean, final_std = evaluate_policy(model, eval_env, n_eval_episodes=final_episodes)
        eval_env.close()
    resolved = dict(
        env=env_id,
        profile=profile,
        seed=seed,
        n_timesteps=budget,
        eval_freq=eval_freq,
        hyperparams={**saved_hyperparams, "n_timesteps": budget},
    )
    (out / CONFIG).write_text(yaml.safe_dump(resolved, sort_keys=False))
    summary = dict(
        env=env_id,
        profile=profile,
        seed=seed,
        steps=int(model.num_timesteps),
        budget=budget,
        interrupted=interrupted,
        final_eval_mean=final_mean,
        final_eval_std=final_std,
        final_eval_episodes=final_episodes,
        wall_time_s=round(wall, 2),
        steps_per_s=round(model.num_timesteps / wall, 1),
        model=f"{env_id}.zip",
        versions=package_versions(),
    )
    (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return summary
