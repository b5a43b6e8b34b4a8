"""Noise-free evaluation of a run folder and of any model zip in it (sb3_ddpg_ext.app.evaluation)."""

import pytest

from sb3_ddpg_ext.app.cli import main
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.evaluation import evaluate_run
from sb3_ddpg_ext.app.runs import zoo_dir


def test_a_run_evaluates_on_its_own_env_only(run_dir):
    with pytest.raises(
        UsageError, match="is a run on Pendulum-v1, not MountainCarContinuous-v0: leave out --env"
    ):
        evaluate_run(run_dir, episodes=1, seed=0, env_id="MountainCarContinuous-v0")


def test_evaluate_with_video(run_dir, capsys):
    assert main(["evaluate", str(run_dir), "--episodes", "2", "--video"]) == 0
    mean = evaluate_run(run_dir, episodes=2, seed=0)["mean"]
    assert f"Pendulum-v1: {mean:.1f} +- " in capsys.readouterr().out
    (video,) = (run_dir / "videos").glob("*.mp4")
    assert video.stat().st_size > 1_000


def test_evaluate_takes_any_model_zip_of_a_run_folder_with_the_runs_env(run_dir):
    """best_model.zip (rl_zoo3's best periodic evaluation) is evaluated as the run's, on its env and
    wrappers, and is not the run's final model."""
    best = evaluate_run(zoo_dir(run_dir) / "best_model.zip", episodes=2, seed=0)
    assert best["env"] == "Pendulum-v1"
    assert best["model"] == str(zoo_dir(run_dir) / "best_model.zip")
    assert evaluate_run(run_dir, episodes=2, seed=0)["model"] == str(zoo_dir(run_dir) / "Pendulum-v1.zip")
