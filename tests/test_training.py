"""Training one run into one folder (sb3_ddpg_ext.app.training): the spec is its source of truth."""

import json
import subprocess
import sys

import pytest

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.run_spec import SPEC, read_spec
from sb3_ddpg_ext.app.training import resume, train

ENV = "Pendulum-v1"
QUIET = dict(progress=False, verbose=0, eval_freq=100, eval_episodes=1, final_episodes=1)


def test_resume_rebuilds_the_run_from_its_spec(tmp_path):
    run = tmp_path / "run"
    train(ENV, "tuned", 0, run, 150, checkpoint_freq=0, hyperparams=["learning_starts:100"], **QUIET)
    spec = json.loads((run / SPEC).read_text())
    (run / SPEC).write_text(json.dumps({**spec, "version": 99}))
    with pytest.raises(UsageError, match="has run spec version 99"):  # read before anything is rebuilt
        resume(run, 300, progress=False, verbose=0)
    (run / SPEC).write_text(json.dumps({**spec, "final_episodes": 0}))
    summary = resume(run, 300, progress=False, verbose=0)
    assert summary["final_eval_mean"] is None  # the spec's setting, not the one the run began with
    assert read_spec(run).overrides == ["learning_starts:100"]


def test_rl_zoo3_enjoy_loads_a_run_folder(run_dir):
    """rl_zoo3's own files keep its layout and format under the run folder."""
    command = [sys.executable, "-m", "rl_zoo3.enjoy", "--algo", "ddpg", "--env", ENV, "-f", str(run_dir)]
    result = subprocess.run(
        [*command, "-n", "200", "--no-render"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Loading {run_dir / read_spec(run_dir).model}" in result.stdout
    assert "Mean reward:" in result.stdout or "Episode Reward:" in result.stdout
