"""Checkpoints and exact resume: a stopped run continues to the result of one that never stopped."""

import json
import signal
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest
import torch as th
import yaml
from stable_baselines3 import DDPG

from sb3_ddpg_ext.app import checkpoints
from sb3_ddpg_ext.app.checkpoints import CHECKPOINT, Checkpoint
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.run_spec import read_spec
from sb3_ddpg_ext.app.runs import zoo_dir
from sb3_ddpg_ext.app.training import resume, train
from sb3_ddpg_ext.app.zoo import load_profile

ENV = "Pendulum-v1"
FAST = {"learning_starts": 100}  # gradient steps from step 100, so a short run trains


def run_files(run):
    """What a run leaves that must not depend on where it was stopped."""
    model = DDPG.load(zoo_dir(run) / f"{ENV}.zip")
    evaluations = np.load(zoo_dir(run) / "evaluations.npz")
    episodes = [line.split(",")[:2] for line in (zoo_dir(run) / "0.monitor.csv").read_text().splitlines()[2:]]
    return model, evaluations, episodes


def assert_same_run(a, b):
    model_a, evaluations_a, episodes_a = run_files(a)
    model_b, evaluations_b, episodes_b = run_files(b)
    assert model_a.num_timesteps == model_b.num_timesteps
    state_a, state_b = model_a.policy.state_dict(), model_b.policy.state_dict()
    for name in state_a:
        th.testing.assert_close(state_a[name], state_b[name], rtol=0, atol=1e-6, msg=name)
    for name in ("timesteps", "results"):
        np.testing.assert_array_equal(evaluations_a[name], evaluations_b[name])
    assert episodes_a == episodes_b  # returns and lengths of every training episode


@pytest.mark.parametrize(
    ("hyperparams", "stop", "total", "eval_freq"),
    [
        # 250 is mid-episode (Pendulum's are 200 steps), after two evaluations: the resumed envs must be
        # mid-episode too, and the eval env where the evaluations left it.
        ({**FAST, "n_envs": 2, "policy_kwargs": "dict(batch_norm=True)"}, 250, 300, 100),
        # 1500 of 3000 (the case) is before the first evaluation: the eval env must still take its
        # seed at its first reset.
        (FAST, 1500, 3000, 2000),
    ],
    ids=["2-envs-batch-norm-stop-250-of-300", "1-env-stop-1500-of-3000-before-first-evaluation"],
)
def test_stopping_and_resuming_gives_the_uninterrupted_run(tmp_path, hyperparams, stop, total, eval_freq):
    settings = dict(eval_freq=eval_freq, eval_episodes=2, final_episodes=2, progress=False, verbose=0)
    settings.update(checkpoint_freq=stop // 3, hyperparams=hyperparams)
    for run, steps in (("whole", total), ("parts", stop)):
        train(ENV, "tuned", 3, tmp_path / run, steps, **settings)
    assert Checkpoint(tmp_path / "parts" / CHECKPOINT).num_timesteps == stop  # the final checkpoint
    # The resumed run is rebuilt from the entry it started with, copied into its folder, not the profile.
    entry = yaml.safe_load((tmp_path / "parts" / "tuned_ddpg.yml").read_text())
    assert entry == {ENV: load_profile("tuned")[ENV]}
    summary = resume(tmp_path / "parts", total, progress=False, verbose=0)
    assert (summary["steps"], summary["resumed_from"], summary["interrupted"]) == (total, stop, False)
    assert_same_run(tmp_path / "parts", tmp_path / "whole")
    # Each evaluation's wall-clock is kept across the stop, once each.
    whole = json.loads((tmp_path / "whole" / "summary.json").read_text())
    assert [step for step, _ in summary["eval_walls"]] == [step for step, _ in whole["eval_walls"]]
    parts, whole_spec = read_spec(tmp_path / "parts"), read_spec(tmp_path / "whole")
    assert parts.model_settings == whole_spec.model_settings
    assert [segment.from_step for segment in parts.segments] == [0, stop]
    assert (parts.budget, parts.zoo_dir) == (total, whole_spec.zoo_dir)  # one rl_zoo3 folder for the run


def test_a_failure_while_writing_a_checkpoint_keeps_the_last_good_one(tmp_path, monkeypatch):
    train(ENV, "tuned", 0, tmp_path / "run", steps=200, checkpoint_freq=0, progress=False, verbose=0)
    path = tmp_path / "run" / CHECKPOINT
    before = path.read_bytes()

    def disk_full(*args, **kwargs):  # stands for anything that stops a write half-way, a kill included
        raise OSError("No space left on device")

    monkeypatch.setattr(checkpoints.pickle, "dump", disk_full)  # the replay buffer's write
    with pytest.raises(OSError, match="No space left"):
        resume(tmp_path / "run", 300, progress=False, verbose=0)
    assert path.read_bytes() == before
    assert (tmp_path / "run" / f".{CHECKPOINT}.tmp").exists()  # the torn write went to the temporary file
    monkeypatch.undo()
    assert Checkpoint(path).num_timesteps == 200
    assert resume(tmp_path / "run", 300, progress=False, verbose=0)["steps"] == 300


def test_a_moved_run_folder_resumes_writing_only_into_its_new_place(tmp_path):
    train(ENV, "tuned", 0, tmp_path / "old", steps=200, checkpoint_freq=0, progress=False, verbose=0)
    (tmp_path / "old").rename(tmp_path / "new")
    assert resume(tmp_path / "new", 300, progress=False, verbose=0)["steps"] == 300
    assert not (tmp_path / "old").exists()
    assert len(list((tmp_path / "new" / "tensorboard").rglob("events.out.tfevents.*"))) == 2


def test_resume_refuses_what_it_cannot_continue(tmp_path):
    with pytest.raises(UsageError, match=r"has no checkpoint\.zip to resume from"):
        resume(tmp_path, 100)
    train(ENV, "tuned", 0, tmp_path / "run", steps=200, checkpoint_freq=0, progress=False, verbose=0)
    with pytest.raises(UsageError, match="already at step 200: give --steps above that"):
        resume(tmp_path / "run", 200)
    # The run folder's copy of its profile entry, edited by hand.
    entry_file = tmp_path / "run" / "tuned_ddpg.yml"
    entry = yaml.safe_load(entry_file.read_text())
    entry_file.write_text(yaml.safe_dump({ENV: {**entry[ENV], "gama": 0.9}}))
    with pytest.raises(
        UsageError, match=r"Unknown hyperparameter 'gama' in .*tuned_ddpg\.yml\. Did you mean 'gamma'"
    ):
        resume(tmp_path / "run", 400)
    entry_file.write_text(yaml.safe_dump({"Pendulum-v0": entry[ENV]}))
    with pytest.raises(UsageError, match=f"has no entry for {ENV}.*Delete the file"):
        resume(tmp_path / "run", 400)
    entry_file.write_text("Pendulum-v1: [")
    with pytest.raises(UsageError, match="is not valid YAML"):
        resume(tmp_path / "run", 400)
    assert Checkpoint(tmp_path / "run" / CHECKPOINT).num_timesteps == 200  # refused before any work
    with zipfile.ZipFile(tmp_path / "run" / CHECKPOINT, "w") as archive:
        archive.writestr("state.pkl", b"not a pickle")
    with pytest.raises(UsageError, match="is damaged"):
        resume(tmp_path / "run", 400)


def sb3_ddpg(*args):
    return [sys.executable, "-m", "sb3_ddpg_ext", *args]


def checkpoint_step(run):
    return Checkpoint(run / CHECKPOINT).num_timesteps if (run / CHECKPOINT).exists() else -1


def test_sigkill_at_random_moments_always_resumes_to_the_uninterrupted_run(tmp_path):
    """Kill the training process (SIGKILL: no cleanup) again and again; each time it resumes, exactly."""
    steps, run = 600, tmp_path / "killed"
    common = ["--no-progress", "--eval-freq", "200", "--eval-episodes", "2"]
    start = [
        *common,
        "--env",
        ENV,
        "--steps",
        str(steps),
        "--checkpoint-freq",
        "25",
        "-params",
        "learning_starts:100",
    ]
    subprocess.run(
        sb3_ddpg("train", *start, "--out", str(tmp_path / "whole")), check=True, capture_output=True
    )
    rng = np.random.default_rng(0)
    killed_at: list[int] = []
    command = sb3_ddpg("train", *start, "--out", str(run))
    while True:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if len(killed_at) < 4:
            if len(killed_at) % 2 == 0:
                # Mid-training: once this process has written a checkpoint past the last kill, a random
                # moment after it (between steps, mid-step, mid-write).
                while process.poll() is None and checkpoint_step(run) <= max(killed_at, default=-1):
                    time.sleep(0.1)
                time.sleep(rng.uniform(0.0, 2.0))
            else:
                time.sleep(rng.uniform(0.0, 5.0))  # during start-up or restore, as often as not
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed_at.append(checkpoint_step(run))
                print(f"kill {len(killed_at)}: last checkpoint at step {killed_at[-1]}")
                command = sb3_ddpg("train", *common[:1], "--resume", str(run), "--steps", str(steps))
                continue
        _, stderr = process.communicate()
        assert process.returncode == 0, stderr
        break
    assert len(killed_at) == 4
    assert_same_run(run, tmp_path / "whole")


@pytest.mark.parametrize("reader", ["terminal", "tee-killed-too"])
def test_ctrl_c_saves_exits_130_and_resumes_from_where_it_stopped(tmp_path, reader):
    """Ctrl-C: a checkpoint at the step it stopped, the model and summary saved, exit 130; resume goes on
    from that step to the uninterrupted run. With ``| tee log`` Ctrl-C ends tee too, so the command's
    output pipe breaks: saving must not depend on it."""
    steps, run = 2000, tmp_path / "interrupted"
    start = ["--env", ENV, "--steps", str(steps), "--eval-freq", "500", "--eval-episodes", "2"]
    start += ["--checkpoint-freq", "1000", "--no-progress", "-params", "learning_starts:100"]
    subprocess.run(
        sb3_ddpg("train", *start, "--out", str(tmp_path / "whole")), check=True, capture_output=True
    )
    with open(tmp_path / "stderr", "w") as stderr:
        process = subprocess.Popen(
            sb3_ddpg("train", *start, "--out", str(run)),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if reader == "terminal" else stderr,
            text=True,
            # Ctrl-C reaches a process only if SIGINT is not ignored, which it is when the tests themselves
            # run in the background (bash ignores it for asynchronous commands, and children inherit that).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        monitor = run / "ddpg" / f"{ENV}_1" / "0.monitor.csv"  # rl_zoo3 numbers the first run 1
        deadline = time.time() + 120
        while time.time() < deadline and (not monitor.exists() or len(monitor.read_text().splitlines()) < 5):
            time.sleep(0.05)  # 3 finished episodes (600 steps): training is under way
        process.send_signal(signal.SIGINT)
        if reader == "terminal":
            output, _ = process.communicate(timeout=120)
        else:
            process.stdout.close()  # tee is gone
            process.wait(timeout=120)
    errors = (tmp_path / "stderr").read_text()
    assert process.returncode == 130, errors
    assert "Traceback" not in errors
    summary = json.loads((run / "summary.json").read_text())
    assert summary["interrupted"] is True
    assert summary["final_eval_mean"] is None
    stopped = summary["steps"]
    assert 600 <= stopped < steps
    assert DDPG.load(zoo_dir(run) / f"{ENV}.zip").num_timesteps == stopped
    assert checkpoint_step(run) == stopped  # not the last periodic checkpoint (1000)
    if reader == "terminal":
        assert f"Interrupted at step {stopped}" in output
    resumed = subprocess.run(
        sb3_ddpg("train", "--no-progress", "--resume", str(run), "--steps", str(steps)),
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"from step {stopped}" in resumed.stdout
    assert_same_run(run, tmp_path / "whole")


def test_a_pixel_run_resumes_exactly_too(tmp_path):
    """PixelReplayBuffer's compressed storage and a rendering env, restored at a checkpoint."""
    env = "PendulumPixels-v1"
    hyperparams = {"learning_starts": 30, "buffer_size": 1000}
    threads = th.get_num_threads()
    th.set_num_threads(1)  # as sb3-ddpg train does: convolutions on 2 threads crawl when the CPU is shared
    settings = dict(eval_freq=1000, eval_episodes=1, final_episodes=0, progress=False, verbose=0)
    try:
        train(env, "tuned", 0, tmp_path / "whole", 55, checkpoint_freq=0, hyperparams=hyperparams, **settings)
        train(env, "tuned", 0, tmp_path / "parts", 40, checkpoint_freq=0, hyperparams=hyperparams, **settings)
        resume(tmp_path / "parts", 55, progress=False, verbose=0)
    finally:
        th.set_num_threads(threads)
    whole, parts = (
        DDPG.load(zoo_dir(tmp_path / r) / f"{env}.zip").policy.state_dict() for r in ("whole", "parts")
    )
    for name in whole:
        th.testing.assert_close(parts[name], whole[name], rtol=0, atol=1e-6, msg=name)


def test_a_config_whose_env_state_cannot_be_captured_trains_without_checkpoints(tmp_path):
    with pytest.warns(UserWarning, match="cannot capture the state of VecFrameStack.*cannot be resumed"):
        summary = train(
            ENV,
            "tuned",
            0,
            tmp_path / "run",
            100,
            final_episodes=0,
            progress=False,
            verbose=0,
            hyperparams={"frame_stack": 2},
        )
    assert summary["steps"] == 100
    assert not (tmp_path / "run" / CHECKPOINT).exists()


@pytest.mark.parametrize("norm_obs", [True, False])
def test_a_run_with_vecnormalize_evaluates_and_resumes(tmp_path, norm_obs):
    # SB3 syncs VecNormalize's statistics into the evaluation env by walking both wrapper stacks in step, so
    # the NaN guard must wrap both the same way; without norm_obs, VecNormalize has no obs_rms to snapshot.
    run = tmp_path / "run"
    command = [sys.executable, "-m", "sb3_ddpg_ext", "train", "--no-progress"]
    normalize = f"normalize:'dict(norm_obs={norm_obs}, norm_reward=True)'"
    first = subprocess.run(
        [*command, "--env", "Pendulum-v1", "--steps", "600", "--eval-freq", "200", "--eval-episodes", "1",
         "--out", str(run), "-params", "learning_starts:100", normalize],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert len(np.load(zoo_dir(run) / "evaluations.npz")["timesteps"]) == 3
    resumed = subprocess.run(
        [*command, "--resume", str(run), "--steps", "800"], capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((run / "summary.json").read_text())["steps"] == 800
