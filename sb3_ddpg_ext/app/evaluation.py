"""Noise-free evaluation of a run folder or a model zip, on rl_zoo3's test-env helpers (as rl_zoo3.enjoy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
from rl_zoo3.utils import create_test_env, get_saved_hyperparams
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecVideoRecorder

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.extras import install_hint
from sb3_ddpg_ext.app.run_spec import read_spec
from sb3_ddpg_ext.app.runs import check_run, run_of_model, zoo_dir
from sb3_ddpg_ext.app.zoo import check_env, load_profile
from sb3_ddpg_ext.ddpg import DDPG


def evaluate_run(
    run: Path,
    episodes: int,
    seed: int,
    video: bool = False,
    env_id: str | None = None,
    profile: str = "tuned",
) -> dict[str, Any]:
    """Evaluate a trained model without exploration noise; optionally record the first episode.

    :param run: a run folder written by ``sb3-ddpg train``, or a model zip. A zip outside a run folder
        does not say its env: ``env_id`` names it, and ``profile``'s entry for it gives the wrappers.
    :param episodes: the number of episodes.
    :param seed: the evaluation env's seed.
    :param video: record the first episode to ``RUN/videos`` (needs the ``video`` extra).
    :param env_id: the env of a bare model zip.
    :param profile: the config profile whose env wrappers a bare model zip was trained with.
    """
    if episodes < 1:
        raise UsageError(f"--episodes must be at least 1, got {episodes}.")
    model_path, hyperparams, stats_path, env_id = _resolve(run, env_id, profile)
    env = create_test_env(
        env_id,
        n_envs=1,
        stats_path=stats_path,
        seed=seed,
        should_render=False,
        hyperparams=hyperparams,
        env_kwargs={"render_mode": "rgb_array"} if video else None,
    )
    try:
        model = DDPG.load(model_path, env=env)
    except ValueError as error:
        env.close()
        raise UsageError(str(error)) from None
    result: dict[str, Any] = {"env": env_id, "model": str(model_path)}
    if video:
        folder = (run_of_model(model_path) or model_path.parent) / "videos"
        length = gym.spec(env_id).max_episode_steps or 1000
        env = VecVideoRecorder(
            env,
            str(folder),
            record_video_trigger=lambda step: step == 0,
            video_length=length,
            name_prefix=f"{env_id}-eval",
        )
        result["video"] = str(folder / f"{env_id}-eval-step-0-to-step-{length}.mp4")
    try:
        result["mean"], result["std"] = evaluate_policy(model, env, n_eval_episodes=episodes)
    except gym.error.DependencyNotInstalled as error:
        raise UsageError(
            f"--video cannot render {env_id}: {error} Install: {install_hint('video')}."
        ) from None
    finally:
        env.close()
    return result


def _resolve(run: Path, env_id: str | None, profile: str) -> tuple[Path, dict[str, Any], str | None, str]:
    """The model file, the test env's hyperparameters and statistics, and the env id."""
    # A model zip in a run folder (its final model, or rl_zoo3's best_model.zip) runs on the run's env.
    model = run if run.is_file() else None
    folder = run_of_model(run) if model is not None else run
    if folder is not None and folder.is_dir():
        check_run(folder)
        spec = read_spec(folder)
        if env_id is not None and env_id != spec.env:
            raise UsageError(f"{folder} is a run on {spec.env}, not {env_id}: leave out --env.")
        hyperparams, stats_path = get_saved_hyperparams(str(zoo_dir(folder) / spec.env), test_mode=True)
        return model or folder / spec.model, hyperparams, stats_path, spec.env
    if not run.is_file():
        raise UsageError(f"{run} does not exist. Give a run folder or a model zip.")
    if env_id is None:
        raise UsageError(
            f"{run} is a model zip outside a run folder, which does not say its env: give --env ENV_ID (and "
            "--profile, if it was trained with another profile's env wrappers)."
        )
    check_env(env_id, profile)
    entry = load_profile(profile)[env_id]
    return run, {key: entry[key] for key in ("env_wrapper", "frame_stack") if key in entry}, None, env_id
