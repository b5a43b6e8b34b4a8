"""Training one run into one folder, through rl_zoo3, with checkpoints and exact resume."""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any, cast

import stable_baselines3
import yaml
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import sync_envs_normalization

from sb3_ddpg_ext.app.checkpoints import CHECKPOINT, Checkpoint, Checkpointer, CheckpointError
from sb3_ddpg_ext.app.env_snapshots import check_snapshot_support
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.run_record import imported_versions, model_settings
from sb3_ddpg_ext.app.runs import CONFIG, SUMMARY
from sb3_ddpg_ext.app.zoo import (
    ALGO,
    RunManager,
    check_env,
    check_keys,
    config_file,
    load_profile,
    merge_policy_kwargs,
    register_env_packages,
)
from sb3_ddpg_ext.ddpg import DDPG
from sb3_ddpg_ext.zoo_configs import STOCK_PROFILE


def algorithm(profile: str) -> Callable[..., BaseAlgorithm]:
    """What builds a profile's model: stock SB3 DDPG for ``stock``; for ours, ``sb3_ddpg_ext.DDPG``: the same
    math with a faster gradient step (bench/speed.py), the exploration noise being the config's."""
    if profile == STOCK_PROFILE:
        return stable_baselines3.DDPG
    # The noise comes from the config (its OUNoiseCallback, or rl_zoo3's noise_type), not DDPG's default.
    return functools.partial(DDPG, action_noise=None)


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
    hyperparams: dict[str, Any] | None = None,
    nan_guard: bool = True,
    checkpoint_freq: int | None = None,
) -> dict[str, Any]:
    """Train DDPG on ``env_id`` from a profile into the run folder ``out`` and return its summary.

    ``hyperparams`` overrides entries of the profile's config, as rl_zoo3's ``--hyperparams`` does;
    ``nan_guard`` stops training at the first NaN or inf observation or reward. A checkpoint
    (``out/checkpoint.zip``) is written at the start, every ``checkpoint_freq`` steps (default: a tenth of
    the run; 0: none), at the end and where Ctrl-C stopped the run; :func:`resume` continues from it. An
    interrupted run also saves its model and a summary with ``"interrupted": true``. A run that fails
    before its first checkpoint leaves no folder behind.
    """
    check_env(env_id, profile)
    entry = load_profile(profile)[env_id]
    check_keys(entry, f"the {profile!r} entry for {env_id}")
    if steps is None and "n_timesteps" not in entry:
        raise UsageError(
            f"The {profile!r} entry for {env_id} has no n_timesteps: add it to the entry, or give --steps."
        )
    check_keys(hyperparams or {}, "--hyperparams")
    hyperparams = merge_policy_kwargs(entry, hyperparams or {})
    if out.exists() and not out.is_dir():
        raise UsageError(f"cannot write the run folder {out}: it is a file; choose another --out.")
    if out.exists() and any(out.iterdir()):
        if not (out / CHECKPOINT).is_file():
            raise UsageError(f"{out} is not empty and holds no run: choose another --out.")
        raise UsageError(
            f"The run folder {out} already exists and is not empty: choose another --out, or continue it "
            f"with --resume {out}."
        )
    budget = int(steps or entry["n_timesteps"])
    if checkpoint_freq is not None and checkpoint_freq < 0:
        raise UsageError(
            f"--checkpoint-freq must be >= 0 (0: no periodic checkpoints), got {checkpoint_freq}."
        )
    settings = dict(
        env=env_id,
        profile=profile,
        seed=seed,
        eval_freq=eval_freq or max(budget // 20, 500),
        eval_episodes=eval_episodes,
        final_episodes=final_episodes,
        hyperparams=hyperparams,
        nan_guard=nan_guard,
        checkpoint_freq=max(budget // 10, 1000) if checkpoint_freq is None else checkpoint_freq,
    )
    make_run_folder(out)
    try:
        return _run(out, settings, budget, progress, verbose)
    except Exception:  # not KeyboardInterrupt: a Ctrl-C after training must keep the saved model
        if not (out / CHECKPOINT).exists():
            shutil.rmtree(out, ignore_errors=True)  # leave nothing half-written behind
        raise


def make_run_folder(out: Path) -> None:
    """Create ``out`` and check that files can be written in it, before anything else is."""
    existed = out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / ".write-check").touch()
        (out / ".write-check").unlink()
    except OSError as error:
        if not existed:
            shutil.rmtree(out, ignore_errors=True)
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write the run folder {out}: {reason}; choose another --out.") from None


def resume(run: Path, steps: int, progress: bool = True, verbose: int = 1) -> dict[str, Any]:
    """Continue the run in ``run`` from its last checkpoint to ``steps`` env steps in all.

    With the same machine and library versions, the result is the one an uninterrupted run of ``steps``
    steps gives (schedules that depend on the total budget, such as a linear learning rate, follow the
    new total from the checkpoint on).
    """
    if not run.exists():
        raise UsageError(f"{run} does not exist: give the run folder that `sb3-ddpg train --out` wrote.")
    if not (run / CHECKPOINT).is_file():
        raise UsageError(
            f"{run} has no {CHECKPOINT} to resume from. Give a run folder written by `sb3-ddpg train` "
            "(its first checkpoint is written when training starts)."
        )
    try:
        checkpoint = Checkpoint(run / CHECKPOINT)
    except CheckpointError as error:
        raise UsageError(str(error)) from None
    if steps <= checkpoint.num_timesteps:
        raise UsageError(
            f"The run in {run} is already at step {checkpoint.num_timesteps}: give --steps above that."
        )
    register_env_packages(checkpoint.settings["env"])
    check_run_entry(run, checkpoint.settings["profile"], checkpoint.settings["env"])
    if verbose:
        print(f"Resuming {run} from step {checkpoint.num_timesteps} (its last checkpoint) to step {steps}.")
    return _run(run, checkpoint.settings, steps, progress, verbose, checkpoint)


def check_run_entry(run: Path, profile: str, env_id: str) -> None:
    """Refuse a run folder whose copy of its profile entry (edited by hand, say) cannot rebuild the run."""
    path = run / f"{profile}_ddpg.yml"
    if not path.is_file():
        return  # config_file() writes it again from the profile
    try:
        entries = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise UsageError(
            f"{path} is not valid YAML ({error}). Fix it, or delete it to use the profile's entry."
        ) from None
    if not isinstance(entries, dict) or not isinstance(entries.get(env_id), dict):
        raise UsageError(
            f"{path} has no entry for {env_id}: it must hold `{env_id}:` with the run's hyperparameters "
            "under it. Delete the file to rebuild the run from the profile's current entry."
        )
    check_keys(entries[env_id], str(path))


def _run(
    out: Path,
    settings: dict[str, Any],
    budget: int,
    progress: bool,
    verbose: int,
    checkpoint: Checkpoint | None = None,
) -> dict[str, Any]:
    env_id, profile, hyperparams = settings["env"], settings["profile"], settings["hyperparams"]
    # Overrides can be any Python value (rl_zoo3 evaluates them); the YAML and JSON files keep their repr.
    overrides = json.loads(json.dumps(hyperparams, default=repr))
    args = argparse.Namespace(
        env=env_id,
        profile=profile,
        seed=settings["seed"],
        steps=budget,
        eval_freq=settings["eval_freq"],
        hyperparams=overrides,
    )
    manager = RunManager(
        out,
        algo_class=algorithm(profile),
        nan_guard=settings["nan_guard"],
        resumed=checkpoint is not None,
        args=args,
        algo=ALGO,
        env_id=env_id,
        n_timesteps=budget - (0 if checkpoint is None else checkpoint.num_timesteps),
        eval_freq=settings["eval_freq"],
        n_eval_episodes=settings["eval_episodes"],
        seed=settings["seed"],
        config=str(config_file(profile, env_id, out)),
        hyperparams=hyperparams,
        show_progress=progress,
        verbose=verbose,
        log_interval=-1,
    )
    experiment = manager.setup_experiment()
    assert experiment is not None  # None only in a hyperparameter search
    model, saved_hyperparams = experiment
    if checkpoint is not None:
        try:
            model = checkpoint.restore(model, manager.callbacks)
        except CheckpointError as error:
            raise UsageError(str(error)) from None
    checkpointer = Checkpointer(
        out / CHECKPOINT,
        settings["checkpoint_freq"],
        budget,
        settings,
        manager.callbacks,
        resumed_from=checkpoint,
    )
    try:
        check_snapshot_support(model.get_env())
        manager.callbacks.append(checkpointer)
    except ValueError as error:  # a config whose env state a checkpoint cannot capture: train without
        warnings.warn(f"{error} This run writes no checkpoints and cannot be resumed.", stacklevel=2)
    resolved = dict(
        env=env_id,
        profile=profile,
        overrides=overrides,
        seed=settings["seed"],
        n_timesteps=budget,
        eval_freq=settings["eval_freq"],
        hyperparams={**saved_hyperparams, "n_timesteps": budget},
    )
    (out / CONFIG).write_text(yaml.safe_dump(resolved, sort_keys=False))
    with checkpointer.ctrl_c_stops_at_a_checkpoint() if checkpointer in manager.callbacks else nullcontext():
        manager.learn(model)  # rl_zoo3 turns Ctrl-C into a normal return here
    wall = checkpointer.wall_time_s
    interrupted = model.num_timesteps < budget
    manager.save_trained_model(model)
    final_mean = final_std = None
    if not interrupted and settings["final_episodes"] > 0:
        eval_env = manager.create_envs(1, eval_env=True)
        train_env = model.get_env()
        if train_env is not None:  # always, after learn(); a new VecNormalize starts from empty statistics
            sync_envs_normalization(train_env, eval_env)
        returns = evaluate_policy(model, eval_env, n_eval_episodes=settings["final_episodes"])
        final_mean, final_std = cast(tuple[float, float], returns)  # without return_episode_rewards
        eval_env.close()
    summary = dict(
        env=env_id,
        profile=profile,
        overrides=overrides,
        seed=settings["seed"],
        steps=int(model.num_timesteps),
        budget=budget,
        interrupted=interrupted,
        algorithm=f"{type(model).__module__}.{type(model).__qualname__}",
        resumed_from=None if checkpoint is None else checkpoint.num_timesteps,
        final_eval_mean=final_mean,
        final_eval_std=final_std,
        final_eval_episodes=settings["final_episodes"],
        wall_time_s=round(wall, 2),
        steps_per_s=round(model.num_timesteps / wall, 1),
        model=f"{env_id}.zip",
        # [env step, wall-clock s] at each periodic evaluation, over every segment (a run resumed from a
        # checkpoint written before these were kept lacks its earlier ones).
        eval_walls=[[step, round(wall, 2)] for step, wall in checkpointer.eval_walls],
        model_settings=model_settings(model),
        versions=imported_versions(),
    )
    (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return summary
