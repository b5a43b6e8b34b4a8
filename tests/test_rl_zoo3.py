"""The README's rl_zoo3 commands, run briefly with the real, unmodified rl_zoo3."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState
from rl_zoo3.utils import create_test_env, get_saved_hyperparams
from stable_baselines3 import DDPG
from stable_baselines3.common.evaluation import evaluate_policy

from sb3_ddpg_ext import OUNoise, PaperPolicy

ROOT = Path(__file__).resolve().parents[1]
TRAIN = [
    "-m",
    "rl_zoo3.train",
    "--algo",
    "ddpg",
    "--env",
    "Pendulum-v1",
    "-conf",
    "zoo_configs/ddpg_tuned.yml",
]


def run(*args):
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def zoo_logs(tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    run(
        *TRAIN,
        "--gym-packages",
        "sb3_ddpg_ext",
        "-n",
        "1200",
        "--eval-freq",
        "600",
        "-f",
        str(logs),
        "--seed",
        "0",
        "--num-threads",
        "1",
    )
    return logs


def test_rl_zoo3_train_uses_paper_policy_and_our_noise(zoo_logs):
    model = DDPG.load(zoo_logs / "ddpg" / "Pendulum-v1_1" / "Pendulum-v1.zip")
    assert isinstance(model.policy, PaperPolicy)
    assert isinstance(model.action_noise, OUNoise)
    assert model.action_noise.n_calls == 1200
    assert model.num_timesteps == 1200


def test_rl_zoo3_enjoy_plays_the_saved_agent(zoo_logs):
    out = run(
        "-m",
        "rl_zoo3.enjoy",
        "--algo",
        "ddpg",
        "--env",
        "Pendulum-v1",
        "-f",
        str(zoo_logs),
        "--gym-packages",
        "sb3_ddpg_ext",
        "-n",
        "400",
        "--no-render",
    )
    played = [float(value) for value in re.findall(r"Episode Reward: (-?[\d.]+)", out)]
    # The same agent, evaluated here on rl_zoo3's own test env with enjoy's seed (0) and wrappers.
    folder = zoo_logs / "ddpg" / "Pendulum-v1_1"
    hyperparams, stats_path = get_saved_hyperparams(str(folder / "Pendulum-v1"), test_mode=True)
    env = create_test_env("Pendulum-v1", n_envs=1, stats_path=stats_path, seed=0, hyperparams=hyperparams)
    model = DDPG.load(folder / "Pendulum-v1.zip", env=env)
    expected, _ = evaluate_policy(model, env, n_eval_episodes=2, return_episode_rewards=True)
    assert played == pytest.approx(expected, abs=0.01)  # enjoy prints 2 decimals


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
