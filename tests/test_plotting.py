import numpy as np
import pytest
from conftest import fake_run

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.plotting import CURVE_PNG, comparison_curves, plot_run, plot_runs


def run_folder(root, name, profile, steps, means, env="Pendulum-v1"):
    folder = root / name
    zoo = fake_run(folder, env, profile)
    np.savez(zoo / "evaluations.npz", timesteps=np.array(steps), results=np.array(means)[:, None])
    (zoo / "0.monitor.csv").write_text("#{}\nr,l,t\n-900.0,200,1.0\n")
    return folder


def test_runs_are_grouped_by_env_and_profile_on_the_steps_they_share(tmp_path):
    a = run_folder(tmp_path, "a", "tuned", [100, 200, 300], [-900.0, -500.0, -200.0])
    b = run_folder(tmp_path, "b", "tuned", [100, 200], [-800.0, -300.0])  # stopped earlier
    c = run_folder(tmp_path, "c", "paper", [100, 200], [-1000.0, -900.0])
    d = run_folder(tmp_path, "d", "tuned", [1000], [5.0], env="HalfCheetah-v5")
    curves = comparison_curves([a, b, c, d])
    assert sorted(curves) == ["HalfCheetah-v5", "Pendulum-v1"]
    grid, values = curves["Pendulum-v1"]["tuned"]
    np.testing.assert_array_equal(grid, [100, 200])
    np.testing.assert_array_equal(values, [[-900.0, -500.0], [-800.0, -300.0]])
    assert curves["Pendulum-v1"]["paper"][1].shape == (1, 2)
    out = plot_runs([a, b, c, d], tmp_path / "figs" / "cmp.png")
    assert out.stat().st_size > 10_000
    assert plot_run(a) == a / CURVE_PNG


def test_runs_that_share_no_evaluation_step_are_refused(tmp_path):
    a = run_folder(tmp_path, "a", "tuned", [100], [-900.0])
    b = run_folder(tmp_path, "b", "tuned", [150], [-800.0])
    with pytest.raises(UsageError, match="share no evaluation step: train them with the same"):
        comparison_curves([a, b])
