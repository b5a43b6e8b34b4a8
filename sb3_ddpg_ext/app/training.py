"""Training one run into one folder, through rl_zoo3, with checkpoints and exact resume."""

from __future__ import annotations

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
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import sync_envs_normalization

from sb3_ddpg_ext.app.checkpoints import CHECKPOINT, Checkpoint, Checkpointer, CheckpointError
from sb3_ddpg_ext.app.env_snapshots import check_snapshot_support
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.rl_zoo3_adapter import zoo_args
from sb3_ddpg_ext.app.run_record import imported_versions, model_settings, plain
from sb3_ddpg_ext.app.run_spec import (
    SPEC,
    RunSpec,
    Segment,
    legacy_spec,
    override_sources,
    read_spec,
    source_state,
)
from sb3_ddpg_ext.app.runs import SUMMARY
from sb3_ddpg_ext.app.zoo import (
    ALGO,
    RunManager,
    check_env,
    check_keys,
    config_file,
    load_profile,
    merge_policy_kwargs,
    parse_overrides,
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
    hyperparams: dict[str, Any] | list[str] | None = None,
    nan_guard: bool = True,
    checkpoint_freq: int | None = None,
) -> dict[str, Any]:
    """Train DDPG on ``env_id`` from a profile into the run folder ``out`` and return its summary.

    ``hyperparams`` overrides entries of the profile's config, as rl_zoo3's ``--hyperparams`` does: a dict
    of values whose ``repr`` evaluates back to them, or a list of ``KEY:VALUE`` strings as the command line
    takes them (for classes, e.g. ``policy_kwargs:dict(activation_fn=nn.ReLU)``). ``nan_guard`` stops
    training at the first NaN or inf observation or reward. The run's spec (``out/run.json``) is written
    when training starts; a checkpoint (``out/checkpoint.zip``) then, every ``checkpoint_freq`` steps
    (default: a tenth of the run; 0: none), at the end and where Ctrl-C stopped the run; :func:`resume`
    continues from it. An interrupted run also saves its model and a summary with ``"interrupted": true``.
    A run that fails before its first checkpoint leaves no folder behind.
    """
    check_env(env_id, profile)
    entry = load_profile(profile)[env_id]
    check_keys(entry, f"the {profile!r} entry for {env_id}")
    if steps is None and "n_timesteps" not in entry:
        raise UsageError(
            f"The {profile!r} entry for {env_id} has no n_timesteps: add it to the entry, or give --steps."
        )
    overrides = override_sources(hyperparams or {})
    check_keys(parse_overrides(overrides), "--hyperparams")
    check_out(out)
    budget = int(steps or entry["n_timesteps"])
    if checkpoint_freq is not None and checkpoint_freq < 0:
        raise UsageError(
            f"--checkpoint-freq must be >= 0 (0: no periodic checkpoints), got {checkpoint_freq}."
        )
    spec = RunSpec(
        env=env_id,
        profile=profile,
        seed=seed,
        budget=budget,
        eval_freq=eval_freq or max(budget // 20, 500),
        eval_episodes=eval_episodes,
        final_episodes=final_episodes,
        checkpoint_freq=max(budget // 10, 1000) if checkpoint_freq is None else checkpoint_freq,
        nan_guard=nan_guard,
        overrides=overrides,
    )
    make_run_folder(out)
    try:
        return _run(out, spec, progress, verbose)
    except Exception:  # not KeyboardInterrupt: a Ctrl-C after training must keep the saved model
        if not (out / CHECKPOINT).exists():
            shutil.rmtree(out, ignore_errors=True)  # leave nothing half-written behind
        raise


def check_out(out: Path) -> None:
    """Refuse a run folder that is a file, or that holds anything already."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"cannot write the run folder {out}: it is a file; choose another --out.")
    if out.exists() and any(out.iterdir()):
        if not (out / CHECKPOINT).is_file():
            raise UsageError(f"{out} is not empty and holds no run: choose another --out.")
        raise UsageError(
            f"The run folder {out} already exists and is not empty: choose another --out, or continue it "
            f"with --resume {out}."
        )


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
    spec = read_spec(run) if (run / SPEC).is_file() else legacy_spec(run, checkpoint.legacy_settings)
    register_env_packages(spec.env)
    check_run_entry(run, spec.profile, spec.env)
    if verbose:
        print(f"Resuming {run} from step {checkpoint.num_timesteps} (its last checkpoint) to step {steps}.")
    spec.budget = steps
    return _run(run, spec, progress, verbose, checkpoint)


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
    out: Path, spec: RunSpec, progress: bool, verbose: int, checkpoint: Checkpoint | None = None
) -> dict[str, Any]:
    """One segment of a run: build it through rl_zoo3, put it into the checkpoint's state, record its
    spec, learn to the budget, then save and summarise."""
    manager = _manager(out, spec, progress, verbose, checkpoint)
    experiment = manager.setup_experiment()
    assert experiment is not None  # None only in a hyperparameter search
    model, resolved_config = experiment
    if checkpoint is not None:
        try:
            model = checkpoint.restore(model, manager.callbacks)
        except CheckpointError as error:
            raise UsageError(str(error)) from None
    checkpointer = Checkpointer(
        out / CHECKPOINT, spec.checkpoint_freq, spec.budget, manager.callbacks, resumed_from=checkpoint
    )
    try:
        check_snapshot_support(model.get_env())
        manager.callbacks.append(checkpointer)
    except ValueError as error:  # a config whose env state a checkpoint cannot capture: train without
        warnings.warn(f"{error} This run writes no checkpoints and cannot be resumed.", stacklevel=2)
    # The spec is written when training starts: after the config's callbacks have set the noise, before
    # the first checkpoint.
    record = functools.partial(_record_segment, out, spec, manager, model, resolved_config, checkpoint)
    manager.callbacks.append(AtTrainingStart(record))
    with checkpointer.ctrl_c_stops_at_a_checkpoint() if checkpointer in manager.callbacks else nullcontext():
        manager.learn(model)  # rl_zoo3 turns Ctrl-C into a normal return here
    manager.save_trained_model(model)
    return _summarise(out, spec, manager, model, checkpointer, checkpoint)


class AtTrainingStart(BaseCallback):
    """Calls ``action`` once, when training starts (after the callbacks before it have started)."""

    def __init__(self, action: Callable[[], None]):
        super().__init__()
        self.action = action

    def _on_training_start(self) -> None:
        self.action()

    def _on_step(self) -> bool:
        return True


def _manager(
    out: Path, spec: RunSpec, progress: bool, verbose: int, checkpoint: Checkpoint | None
) -> RunManager:
    """rl_zoo3's experiment manager for one segment of the run ``spec`` in the folder ``out``."""
    done = 0 if checkpoint is None else checkpoint.num_timesteps
    # The folder's copy of the profile's entry: a resumed run merges its overrides into the entry it
    # began with.
    config = config_file(spec.profile, spec.env, out)
    entry = yaml.safe_load(config.read_text())[spec.env]
    return RunManager(
        out,
        save_dir=None if checkpoint is None else out / spec.zoo_dir,
        algo_class=algorithm(spec.profile),
        nan_guard=spec.nan_guard,
        resumed=checkpoint is not None,
        args=zoo_args(spec.env, spec.seed, spec.budget, spec.eval_freq, spec.profile, spec.overrides),
        algo=ALGO,
        env_id=spec.env,
        n_timesteps=spec.budget - done,
        eval_freq=spec.eval_freq,
        n_eval_episodes=spec.eval_episodes,
        seed=spec.seed,
        config=str(config),
        hyperparams=merge_policy_kwargs(entry, parse_overrides(spec.overrides)),
        show_progress=progress,
        verbose=verbose,
        log_interval=-1,
    )


def _record_segment(
    out: Path,
    spec: RunSpec,
    manager: RunManager,
    model: BaseAlgorithm,
    resolved_config: dict[str, Any],
    checkpoint: Checkpoint | None,
) -> None:
    """Write the run spec with what this segment resolved and what runs it, before it learns."""
    start = 0 if checkpoint is None else checkpoint.num_timesteps
    commit, dirty = source_state()
    spec.zoo_dir = str(Path(manager.save_path).relative_to(out))
    spec.hyperparams = plain({**resolved_config, "n_timesteps": spec.budget})
    spec.model_settings = model_settings(model)
    segment = Segment(from_step=start, commit=commit, dirty=dirty, versions=imported_versions())
    # A segment that a stop cut short is replaced by the one that re-runs its steps.
    spec.segments = [*(s for s in spec.segments if s.from_step < start), segment]
    spec.write(out)


def _summarise(
    out: Path,
    spec: RunSpec,
    manager: RunManager,
    model: BaseAlgorithm,
    checkpointer: Checkpointer,
    checkpoint: Checkpoint | None,
) -> dict[str, Any]:
    """The final noise-free evaluation and the run's outcome, written to ``summary.json``."""
    wall = checkpointer.wall_time_s
    interrupted = model.num_timesteps < spec.budget
    final_mean = final_std = None
    if not interrupted and spec.final_episodes > 0:
        eval_env = manager.create_envs(1, eval_env=True)
        train_env = model.get_env()
        if train_env is not None:  # always, after learn(); a new VecNormalize starts from empty statistics
            sync_envs_normalization(train_env, eval_env)
        returns = evaluate_policy(model, eval_env, n_eval_episodes=spec.final_episodes)
        final_mean, final_std = cast(tuple[float, float], returns)  # without return_episode_rewards
        eval_env.close()
    summary = dict(
        steps=int(model.num_timesteps),
        interrupted=interrupted,
        resumed_from=None if checkpoint is None else checkpoint.num_timesteps,
        final_eval_mean=final_mean,
        final_eval_std=final_std,
        final_eval_episodes=spec.final_episodes,
        wall_time_s=round(wall, 2),
        steps_per_s=round(model.num_timesteps / wall, 1),
        # [env step, wall-clock s] at each periodic evaluation, over every segment (a run resumed from a
        # checkpoint written before these were kept lacks its earlier ones).
        eval_walls=[[step, round(wall, 2)] for step, wall in checkpointer.eval_walls],
    )
    (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return summary
