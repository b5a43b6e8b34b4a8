import numpy as np
import pytest
from conftest import fake_run

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.runs import check_run, eval_curve, training_curve


def write_run(folder, model=True):
    zoo = fake_run(folder)
    if model:
        (zoo / "Pendulum-v1.zip").write_bytes(b"zip")
    return folder


def test_check_run_names_what_a_folder_lacks(tmp_path):
    assert check_run(write_run(tmp_path / "run")) == tmp_path / "run"
    with pytest.raises(UsageError, match="is not a folder"):
        check_run(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"has no summary\.json"):
        check_run(tmp_path / "empty")
    with pytest.raises(UsageError, match=r"has no model file ddpg/Pendulum-v1_1/Pendulum-v1\.zip"):
        check_run(write_run(tmp_path / "partial", model=False))


def test_curves_read_the_evaluations_and_every_monitor_file(tmp_path):
    run = write_run(tmp_path / "run")
    assert [len(a) for a in eval_curve(run)] == [0, 0]
    np.savez(
        run / "ddpg" / "Pendulum-v1_1" / "evaluations.npz",
        timesteps=np.array([500, 1000]),
        results=np.array([[-10.0, -20.0], [-4.0, -6.0]]),
    )
    steps, means = eval_curve(run)
    np.testing.assert_array_equal(steps, [500, 1000])
    np.testing.assert_array_equal(means, [-15.0, -5.0])
    # Two envs' monitors, merged in time order: lengths accumulate into steps.
    zoo = run / "ddpg" / "Pendulum-v1_1"
    (zoo / "0.monitor.csv").write_text('#{"t_start": 0}\nr,l,t\n-100.0,200,1.0\n-50.0,200,3.0\n')
    (zoo / "1.monitor.csv").write_text('#{"t_start": 0}\nr,l,t\n-80.0,200,2.0\n')
    steps, returns = training_curve(run)
    np.testing.assert_array_equal(steps, [200, 400, 600])
    np.testing.assert_array_equal(returns, [-100.0, -80.0, -50.0])


def test_reading_run_folders_and_plotting_them_need_no_rl_zoo3():
    import subprocess
    import sys

    code = "import sys, sb3_ddpg_ext.app.runs, sb3_ddpg_ext.app.plotting; print('rl_zoo3' in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "False"
