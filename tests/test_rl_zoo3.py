"""The README's rl_zoo3 commands, run briefly with the real, unmodified rl_zoo3."""

import re

import pytest
from conftest import ZOO_TRAIN as TRAIN
from conftest import run_python as run
from rl_zoo3.utils import create_test_env, get_saved_hyperparams
from stable_baselines3 import DDPG
from stable_baselines3.common.evaluation import evaluate_policy

from sb3_ddpg_ext import OUNoise, PaperPolicy


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
