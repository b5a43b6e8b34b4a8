"""Noise-free evaluation of a run folder, built on rl_zoo3's test-env helpers (as rl_zoo3.enjoy is)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import stable_baselines3
from rl_zoo3.utils import create_test_env, get_saved_hyperparams
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.vec_env import VecVideoRecorder

from sb3_ddpg_ext.runs import read_summary
from sb3_ddpg_ext.zoo import UsageError


def evaluate_run(run: Path, episodes: int, seed: int, video: bool = False) -> dict[str, Any]:
    """Evaluate a run's final model without exploration noise; optionally record the first episode.

    :param run: a run folder written by ``sb3-ddpg train``.
    :param episodes: the number of episodes.
    :param seed: the evaluation env's seed.
    :param video: record the first episode to ``run/videos`` (needs the ``video`` extra).
    """
    if episodes < 1:
        raise UsageError(f"--episodes must be at least 1, got {episodes}.")
    summary = read_summary(run)
    env_id = summary["env"]
    hyperparams, stats_path = get_saved_hyperparams(str(run / env_id), test_mode=True)
    env = create_test_env(
        env_id,
        n_envs=1,
        stats_path=stats_path,
        seed=seed,
        should_render=False,
        hyperparams=hyperparams,
        env_kwargs={"render_mode": "rgb_array"} if video else None,
    )
    model = stable_baselines3.DDPG.load(run / summary["model"], env=env)
    result: dict[str, Any] = {"env": env_id}
    if video:
        length = gym.spec(env_id).max_episode_steps or 1000
        env = VecVideoRecorder(
            env,
            str(run / "videos"),
            record_video_trigger=lambda step: step == 0,
            video_length=length,
            name_prefix=f"{env_id}-eval",
        )
        result["video"] = str(run / "videos" / f"{env_id}-eval-step-0-to-step-{length}.mp4")
    try:
        result["mean"], result["std"] = evaluate_policy(model, env, n_eval_episodes=episodes)
    except gym.error.DependencyNotInstalled as error:
        raise UsageError(
            f"--video cannot render {env_id}: {error} Install: pip install -e '.[video]'."
        ) from None
    finally:
        env.close()
    return result
