"""The Optuna search space (sb3_ddpg_ext.app.zoo_search) under the real rl_zoo3's --optimize."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import numpy as np
import optuna
import pytest
from conftest import ROOT
from conftest import ZOO_TRAIN as TRAIN
from conftest import run_python as run
from optuna.trial import TrialState
from stable_baselines3 import DDPG

from sb3_ddpg_ext import OUNoise


def test_rl_zoo3_optimize_runs_our_search_space_on_sqlite(tmp_path):
    storage = f"sqlite:///{tmp_path / 'optuna.sqlite3'}"
    run(
        *TRAIN,
        "--gym-packages",
        "sb3_ddpg_ext.app.zoo_search",
        "--optimize",
        "--n-trials",
        "2",
        "-n",
        "300",
        "--n-evaluations",
        "1",
        "--eval-episodes",
        "1",
        "--sampler",
        "random",
        "--pruner",
        "none",
        "--storage",
        storage,
        "--study-name",
        "test",
        "-f",
        str(tmp_path / "logs"),
        "--no-optim-plots",
        "--num-threads",
        "1",
        "--seed",
        "0",
    )
    trials = optuna.load_study(study_name="test", storage=storage).trials
    assert [t.state for t in trials] == [optuna.trial.TrialState.COMPLETE] * 2
    assert {"noise_sigma", "noise_theta", "actor_lr_scale", "critic_weight_decay", "batch_norm"} <= trials[
        0
    ].params.keys()


def test_search_space_builds_ou_noise_and_converts_back_to_a_config():
    from sb3_ddpg_ext.app.zoo_search import NOISE_CALLBACK, convert_params, sample_params

    params = dict(
        one_minus_gamma=0.02,
        learning_rate=5e-4,
        batch_size=128,
        tau=0.005,
        learning_starts=1000,
        batch_norm=False,
        actor_lr_scale=0.3,
        critic_weight_decay=0.0,
        noise_sigma=0.3,
        noise_theta=0.5,
    )
    sampled = sample_params(optuna.trial.FixedTrial(params), n_actions=3, n_envs=1, additional_args={})
    noise = sampled["action_noise"]
    assert isinstance(noise, OUNoise)
    assert noise.shape == (3,)
    np.testing.assert_allclose(noise.sigma, 0.3)
    assert noise._theta == 0.5
    assert sampled["gamma"] == pytest.approx(0.98)
    assert sampled["policy_kwargs"]["actor_lr_scale"] == 0.3
    config = convert_params(params)
    assert config["callback"][0][NOISE_CALLBACK] == {"sigma": 0.3, "theta": 0.5, "dt": 1.0}
    DDPG("PaperPolicy", "Pendulum-v1", **{k: v for k, v in sampled.items()})


POSTGRES = os.environ.get("SB3_DDPG_POSTGRES_URL")


def test_two_workers_on_postgresql_finish_the_study_when_one_is_killed_mid_trial(tmp_path):
    """The multi-machine set-up of the README, on one machine: two workers, one SIGKILLed mid-trial.

    Skipped without PostgreSQL, except in CI (CI=true), where it is the evidence for a README claim and a
    missing server fails the run."""
    if not POSTGRES:
        message = "no PostgreSQL: .ci/run starts one and sets SB3_DDPG_POSTGRES_URL"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}, and under CI this test must run.")
        pytest.skip(message)
    study_name, n_trials = f"kill-test-{uuid.uuid4().hex[:8]}", 4
    command = [
        sys.executable,
        *TRAIN,
        *("--gym-packages", "sb3_ddpg_ext.app.zoo_search", "--optimize", "--max-total-trials", str(n_trials)),
        *("--n-evaluations", "1", "--eval-episodes", "1", "--sampler", "random", "--pruner", "none"),
        *("--storage", POSTGRES, "--study-name", study_name, "--no-optim-plots"),
        *("--num-threads", "1", "-f", str(tmp_path / "logs")),
    ]
    heartbeat = {**os.environ, "SB3_DDPG_HEARTBEAT_S": "1", "SB3_DDPG_GRACE_S": "3"}
    # The victim's trials are long, so it is still mid-trial when killed whatever learning_starts the
    # sampler draws (one above the budget makes a short trial a fraction of a second).
    workers = [
        subprocess.Popen(
            [*command, "--seed", seed, "-n", steps], cwd=ROOT, env=heartbeat, stdout=subprocess.DEVNULL
        )
        for seed, steps in (("1", "100000"), ("2", "1000"))
    ]
    victim = f"{socket.gethostname()}:{workers[0].pid}"
    deadline = time.time() + 240
    running = []
    while time.time() < deadline and not running:  # wait until the victim is in the middle of a trial
        time.sleep(0.2)
        try:
            trials = optuna.load_study(study_name=study_name, storage=POSTGRES).trials
        except KeyError:  # the study does not exist yet
            continue
        running = [
            t for t in trials if t.state == TrialState.RUNNING and t.user_attrs.get("worker") == victim
        ]
    assert running, "the first worker never started a trial"
    time.sleep(2)
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait()
    assert workers[1].wait(timeout=300) == 0
    trials = optuna.load_study(study_name=study_name, storage=POSTGRES).trials
    states = [t.state for t in trials]
    assert states.count(TrialState.COMPLETE) == n_trials  # none lost, no extra one
    killed = next(t for t in trials if t.number == running[0].number)
    assert killed.state == TrialState.FAIL  # the heartbeat marked the victim's trial failed
    assert states.count(TrialState.FAIL) == 1
    assert TrialState.RUNNING not in states
    assert len({t.number for t in trials}) == len(trials)  # no trial recorded twice
