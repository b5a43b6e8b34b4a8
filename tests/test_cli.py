import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from stable_baselines3 import DDPG

import sb3_ddpg_ext
from sb3_ddpg_ext.app.cli import main
from sb3_ddpg_ext.app.evaluation import evaluate_run
from sb3_ddpg_ext.app.plotting import comparison_curves
from sb3_ddpg_ext.app.run_spec import read_spec
from sb3_ddpg_ext.app.runs import eval_curve, zoo_dir
from sb3_ddpg_ext.app.zoo import load_profile


def sb3_ddpg(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "sb3_ddpg_ext", *args], capture_output=True, text=True, timeout=timeout
    )


def test_train_writes_one_complete_run_folder(run_dir):
    spec = read_spec(run_dir)
    assert (spec.env, spec.profile, spec.seed, spec.budget) == ("Pendulum-v1", "tuned", 0, 1200)
    summary = json.loads((run_dir / "summary.json").read_text())
    for key in ("final_eval_mean", "final_eval_std", "steps", "wall_time_s", "steps_per_s"):
        assert key in summary
    assert summary["steps"] == 1200
    assert summary["interrupted"] is False
    settings = spec.model_settings
    assert settings["algorithm"] == "sb3_ddpg_ext.ddpg.DDPG"  # our profiles train with our faster train step
    noise = DDPG.load(run_dir / spec.model).action_noise
    assert float(noise.sigma[0]) == 0.1  # the config's OU noise, not sb3_ddpg_ext.DDPG's default 0.2
    # The final evaluation is the saved model's, on the run's seed: `evaluate` reproduces it exactly.
    result = evaluate_run(run_dir, episodes=summary["final_eval_episodes"], seed=spec.seed)
    assert result["mean"] == pytest.approx(summary["final_eval_mean"], abs=1e-6)
    assert result["std"] == pytest.approx(summary["final_eval_std"], abs=1e-6)
    (segment,) = spec.segments
    assert {"stable-baselines3", "rl_zoo3", "torch", "gymnasium", "sb3-ddpg-ext"} <= segment.versions.keys()
    # The versions of the modules the run imported: ours is the code's own, not install metadata.
    assert segment.versions["sb3-ddpg-ext"] == sb3_ddpg_ext.__version__
    # The settings the model ran with: the profile's and PaperPolicy's defaults, resolved.
    assert (settings["batch_size"], settings["tau"], settings["learning_starts"]) == (64, 0.005, 1000)
    assert settings["policy"]["class"] == "sb3_ddpg_ext.policies.PaperPolicy"
    assert (settings["policy"]["critic_weight_decay"], settings["policy"]["action_layer"]) == (0.0, 2)
    noise = settings["action_noise"]
    assert (noise["class"], noise["sigma"], noise["theta"], noise["dt"]) == (
        "sb3_ddpg_ext.noise.OUNoise",
        [0.1],
        0.15,
        1.0,
    )
    # Wall-clock at each evaluation, increasing, within the run's.
    steps, walls = zip(*summary["eval_walls"], strict=True)
    assert list(steps) == [400, 800, 1200]
    assert 0 < walls[0] < walls[1] < walls[2] <= summary["wall_time_s"]
    assert spec.hyperparams["n_timesteps"] == 1200
    assert spec.hyperparams["policy"] == "sb3_ddpg_ext.PaperPolicy"
    assert (zoo_dir(run_dir) / "Pendulum-v1.zip").is_file()
    assert (zoo_dir(run_dir) / "0.monitor.csv").is_file()
    assert len(np.load(zoo_dir(run_dir) / "evaluations.npz")["timesteps"]) == 3
    assert list((run_dir / "tensorboard").rglob("events.out.tfevents.*"))
    assert (run_dir / "learning_curve.png").stat().st_size > 10_000
    DDPG.load(zoo_dir(run_dir) / "Pendulum-v1.zip")


def test_final_evaluation_of_a_normalised_run_uses_its_statistics(tmp_path):
    """With VecNormalize, the final evaluation acts on the training env's statistics, as the saved run
    does: a fresh evaluation env's empty statistics would feed the model raw observations."""
    out = tmp_path / "normalised"
    args = ["train", "--env", "Pendulum-v1", "--steps", "600", "--eval-freq", "300", "--out", str(out)]
    assert main([*args, "--no-progress", "--hyperparams", "learning_starts:100", "normalize:True"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    result = evaluate_run(out, episodes=summary["final_eval_episodes"], seed=read_spec(out).seed)
    assert result["mean"] == pytest.approx(summary["final_eval_mean"], abs=1e-6)


def test_tensorboard_holds_the_diagnostics(run_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    (events,) = (run_dir / "tensorboard").rglob("events.out.tfevents.*")
    tags = set(EventAccumulator(str(events)).Reload().Tags()["scalars"])
    assert {
        "diagnostics/mean_q",
        "diagnostics/saturated_frac",
        "diagnostics/noise_sigma",
        "train/actor_learning_rate",
        "train/critic_learning_rate",
        "train/critic_loss",
        "train/actor_loss",
    } <= tags


def test_plot_draws_the_runs_it_is_given_and_list_gives_every_entry(run_dir, tmp_path, capsys):
    assert main(["plot", str(run_dir), str(run_dir), "--out", str(tmp_path / "cmp.png")]) == 0
    assert (tmp_path / "cmp.png").stat().st_size > 10_000
    (grid, values) = comparison_curves([run_dir, run_dir])["Pendulum-v1"]["tuned"]
    steps, means = eval_curve(run_dir)
    np.testing.assert_array_equal(grid, steps)
    np.testing.assert_array_equal(values, [means, means])  # two runs, each its own row
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if line and line[0] != " "}
    for profile, column in (("paper", 0), ("tuned", 1)):
        for env, entry in load_profile(profile).items():
            if env != "default":
                assert rows[env][column] == f"{int(entry['n_timesteps']):,}", (profile, env)
    assert "paper" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--env", "Pendulum-v9"], "Unknown env id 'Pendulum-v9'. Did you mean Pendulum-v1"),
        (["train", "--env", "CartPole-v1"], "Discrete action space, but DDPG needs continuous"),
        (["train", "--env", "MountainCarContinuous-v0", "--profile", "nope"], "invalid choice: 'nope'"),
        (["train", "--env", "HalfCheetah-v4"], "no entry in the 'tuned' profile"),
        (["evaluate", "."], "is not a run folder"),
        (["train"], "Give the env to train on (--env ENV_ID), or a run to continue (--resume RUN_DIR)"),
        (["train", "--resume", "."], "to a total of --steps steps: give --steps"),
        (["train", "--resume", ".", "--steps", "9", "--env", "Pendulum-v1"], "leave out --env"),
        (["train", "--resume", ".", "--steps", "9"], "has no checkpoint.zip to resume from"),
        (["plot", "does-not-exist"], "is not a folder"),
    ],
)
def test_bad_input_exits_nonzero_with_a_clear_error_and_no_traceback(args, message, tmp_path):
    result = sb3_ddpg(*args, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "Pendulum-v1" in result.stderr
        or "choose from" in result.stderr
        or "run folder" in result.stderr
        or "folder" in result.stderr
        or "--resume" in result.stderr
    )


@pytest.mark.parametrize(
    ("option", "value"), [("--seed", "0"), ("--eval-freq", "1"), ("--checkpoint-freq", "0")]
)
def test_resume_refuses_run_settings_given_at_their_smallest(option, value, run_dir):
    # The smallest values are falsy or easy to take for "not given": they must be refused all the same.
    result = sb3_ddpg("train", "--resume", str(run_dir), "--steps", "2400", option, value, timeout=120)
    assert result.returncode == 2
    assert f"leave out {option}" in result.stderr


def test_loading_a_checkpoint_as_a_model_says_how_to_resume_or_load(run_dir):
    with pytest.raises(
        ValueError, match=r"is a checkpoint of an `sb3-ddpg train` run, not a model.*--resume"
    ):
        sb3_ddpg_ext.DDPG.load(run_dir / "checkpoint.zip")


BLOCKED = (
    "import sys; sys.modules[{module!r}] = None  # as if not installed\n"
    "from sb3_ddpg_ext.app.cli import main\n"
)


@pytest.mark.parametrize(
    ("module", "args", "extra"),
    [
        ("rl_zoo3", ["train", "--env", "Pendulum-v1", "--steps", "100"], "zoo"),
        ("matplotlib", ["plot", "."], "zoo"),
        ("moviepy", ["evaluate", ".", "--video"], "video"),
    ],
)
def test_a_missing_extra_exits_2_naming_it(module, args, extra, tmp_path):
    code = BLOCKED.format(module=module) + f"sys.exit(main({args!r}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    # One extra, in quotes that work in any shell, for an installed package and a checkout alike.
    assert f'pip install "sb3-ddpg-ext[{extra}]"' in result.stderr
    assert f'pip install -e ".[{extra}]"' in result.stderr
    assert result.stderr.count("[") == 2
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_existing_run_folder_is_not_overwritten(run_dir):
    result = sb3_ddpg("train", "--env", "Pendulum-v1", "--out", str(run_dir))
    assert result.returncode == 2
    assert "already exists" in result.stderr


def test_stock_profile_runs_stock_sb3_ddpg_from_rl_zoo3s_own_config_with_overrides(tmp_path):
    out = tmp_path / "stock"
    args = ["train", "--env", "Pendulum-v1", "--profile", "stock", "--steps", "600", "--eval-freq", "300"]
    assert main([*args, "--out", str(out), "--no-progress", "--hyperparams", "learning_starts:200"]) == 0
    spec = read_spec(out)
    assert spec.hyperparams["policy"] == "MlpPolicy"
    assert spec.hyperparams["noise_type"] == "normal"  # rl_zoo3's Pendulum-v1 entry ...
    assert spec.hyperparams["learning_starts"] == 200  # ... with the override on top
    assert (spec.profile, spec.overrides) == ("stock", ["learning_starts:200"])
    assert spec.model_settings["algorithm"] == "stable_baselines3.ddpg.ddpg.DDPG"
    model = DDPG.load(zoo_dir(out) / "Pendulum-v1.zip")
    assert type(model.policy).__name__ == "TD3Policy"
    assert model.learning_starts == 200
    assert model.num_timesteps == 600


def test_unreadable_hyperparams_exit_2_naming_the_format(tmp_path):
    out = tmp_path / "x"
    result = sb3_ddpg("train", "--env", "Pendulum-v1", "--out", str(out), "-params", "batch_size:((")
    assert result.returncode == 2
    assert "Could not read --hyperparams batch_size:((" in result.stderr  # -params is its short form
    assert "KEY:VALUE" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["batch_sise:64"], "Unknown hyperparameter 'batch_sise' in --hyperparams. Did you mean"),
        (["noise_typ:'normal'"], "Did you mean 'noise_type'?"),
    ],
)
def test_misspelt_hyperparameters_are_refused_naming_the_closest_key(params, message, tmp_path):
    out = tmp_path / "run"
    result = sb3_ddpg("train", "--env", "Pendulum-v1", "--out", str(out), "-params", *params)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


NAN_WRAPPER = """
import gymnasium as gym
import numpy as np


class NanAt(gym.Wrapper):
    '''The env's observation turns NaN at its 150th step (counting every episode).'''

    def __init__(self, env):
        super().__init__(env)
        self.t = 0

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.t += 1
        return (obs * np.nan if self.t == 150 else obs), reward, terminated, truncated, info
"""


@pytest.mark.parametrize("guarded", [True, False])
def test_the_nan_guard_stops_a_run_at_the_first_nan_unless_turned_off(guarded, tmp_path):
    (tmp_path / "nan_wrapper.py").write_text(NAN_WRAPPER)
    args = ["train", "--env", "Pendulum-v1", "--steps", "400", "--out", "run", "--no-progress"]
    args += ["--eval-freq", "1000", "--hyperparams", "env_wrapper:'nan_wrapper.NanAt'"]
    args += [] if guarded else ["--no-nan-guard"]
    result = subprocess.run(
        [sys.executable, "-m", "sb3_ddpg_ext", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    if guarded:
        assert result.returncode == 3, result.stderr[-2000:]
        assert "non-finite observation" in result.stderr
        assert "at env step 150, env index 0" in result.stderr
        assert "Traceback" not in result.stderr
    else:  # the NaN reaches the replay buffer and the networks; the run goes on to its end
        assert result.returncode == 0, result.stderr[-2000:]
        summary = json.loads((tmp_path / "run" / "summary.json").read_text())
        assert summary["steps"] == 400
        assert np.isnan(summary["final_eval_mean"])


def test_threads_sets_torch_threads(tmp_path, monkeypatch):
    import torch as th

    calls = []
    monkeypatch.setattr(th, "set_num_threads", calls.append)
    main(
        ["train", "--env", "Pendulum-v1", "--steps", "200", "--out", str(tmp_path / "run"), "--threads", "2"]
    )
    assert calls == [2]


def test_a_goal_env_without_its_package_exits_2_naming_the_extra(tmp_path):
    code = (
        BLOCKED.format(module="gymnasium_robotics")
        + "sys.exit(main(['train', '--env', 'PointMaze_UMaze-v3']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert 'pip install "sb3-ddpg-ext[robotics]"' in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env_id", "extra"), [("Hopper-v5", "mujoco"), ("LunarLanderContinuous-v3", "box2d")]
)
def test_an_env_whose_physics_engine_is_missing_names_the_one_extra_it_needs(env_id, extra, monkeypatch):
    import gymnasium as gym

    from sb3_ddpg_ext.app import zoo

    def make(env_id, **kwargs):
        raise gym.error.DependencyNotInstalled("the engine is not installed")

    monkeypatch.setattr(zoo.gym, "make", make)
    with pytest.raises(zoo.UsageError) as error:
        zoo.check_env(env_id, "tuned")
    assert f'pip install "sb3-ddpg-ext[{extra}]"' in str(error.value)
    assert str(error.value).count("[") == 2  # that extra alone, installed or in a checkout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--env", "Pendulum-v1", "--steps", "0"], "argument --steps: must be at least 1, got 0"),
        (["train", "--env", "Pendulum-v1", "--steps", "-5"], "argument --steps: must be at least 1, got -5"),
        (["train", "--env", "Pendulum-v1", "--seed", "-1"], "argument --seed: must be at least 0, got -1"),
        (["train", "--env", "Pendulum-v1", "--threads", "0"], "argument --threads: must be at least 1"),
        (["train", "--env", "Pendulum-v1", "--eval-episodes", "0"], "argument --eval-episodes: must be at"),
        (["train", "--env", "Pendulum-v1", "--eval-freq", "-1"], "argument --eval-freq: must be at least 1"),
        (
            ["train", "--env", "Pendulum-v1", "--checkpoint-freq", "-1"],
            "--checkpoint-freq: must be at least 0",
        ),
        (
            ["train", "--env", "Pendulum-v1", "--steps", "ten"],
            "argument --steps: 'ten' is not a whole number",
        ),
        (["evaluate", ".", "--episodes", "0"], "argument --episodes: must be at least 1, got 0"),
        (["evaluate", ".", "--seed", "-2"], "argument --seed: must be at least 0, got -2"),
    ],
)
def test_numbers_out_of_range_are_refused_before_anything_runs(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # no run folder begun


@pytest.mark.parametrize("kind", ["an existing file", "a path under a file", "an unwritable place"])
def test_an_out_folder_that_cannot_be_written_is_refused_naming_it(kind, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    out = {
        "an existing file": a_file,
        "a path under a file": a_file / "run",
        "an unwritable place": Path("/proc/sb3-ddpg-run"),  # refused even to root
    }[kind]
    code = main(["train", "--env", "Pendulum-v1", "--steps", "100", "--out", str(out), "--no-progress"])
    assert code == 2
    error = capsys.readouterr().err
    assert f"sb3-ddpg train: cannot write the run folder {out}" in error
    assert "choose another --out" in error
    assert a_file.read_text() == "mine"


def test_resume_and_out_messages_say_what_the_folder_is(tmp_path, capsys):
    missing = tmp_path / "doesnotexist"
    assert main(["train", "--resume", str(missing), "--steps", "100"]) == 2
    assert f"{missing} does not exist" in capsys.readouterr().err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("not a run")
    assert main(["train", "--env", "Pendulum-v1", "--steps", "100", "--out", str(mine), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "is not empty and holds no run: choose another --out" in error
    assert "--resume" not in error


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"sb3-ddpg {sb3_ddpg_ext.__version__}"


@pytest.mark.parametrize("value", ["dict(batch_norm=False)", "'dict(batch_norm=False)'"])
def test_policy_kwargs_given_on_the_command_line_merge_into_the_profiles(value, tmp_path):
    out = tmp_path / "run"
    args = ["train", "--env", "Pendulum-v1", "--profile", "paper", "--steps", "200", "--out", str(out)]
    assert main([*args, "--no-progress", "--hyperparams", f"policy_kwargs:{value}"]) == 0
    policy_kwargs = sb3_ddpg_ext.DDPG.load(zoo_dir(out) / "Pendulum-v1.zip").policy_kwargs
    assert policy_kwargs["batch_norm"] is False  # the option given
    # The paper profile's other options stay: its actor learning rate and critic-only L2.
    assert policy_kwargs["actor_lr_scale"] == 0.1
    assert policy_kwargs["critic_weight_decay"] == 1e-2
    assert policy_kwargs["net_arch"] == [400, 300]
