"""Train PaperPolicy on Pendulum-v1 with settings that learn in a few thousand steps, and evaluate it.

``python -m sb3_ddpg_ext`` runs this. The paper's own settings (tau 0.001, actor lr 1e-4, critic L2
1e-2) learn Pendulum slowly; these keep the paper's networks and OU process and speed the rest up.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor

from sb3_ddpg_ext.ddpg import DDPG
from sb3_ddpg_ext.noise import OUNoise

ENV_ID = "Pendulum-v1"


def fast_pendulum_kwargs() -> dict[str, Any]:
    """DDPG arguments that solve Pendulum-v1 in about 10k steps."""
    return dict(
        gamma=0.98,
        tau=0.005,
        learning_starts=1000,
        action_noise=OUNoise(np.zeros(1), sigma=0.1, theta=0.15, dt=1.0),
        policy_kwargs=dict(actor_lr_scale=1.0, critic_weight_decay=0.0),
    )


def evaluate(model: DDPG, seed: int, episodes: int = 10) -> tuple[float, float]:
    """Noise-free mean and std of the return over ``episodes`` episodes of a freshly seeded env."""
    env = Monitor(gym.make(ENV_ID))
    env.reset(seed=seed)
    mean, std = evaluate_policy(model, env, n_eval_episodes=episodes, deterministic=True)
    return float(mean), float(std)


def train_and_evaluate(steps: int, seed: int) -> dict[str, float]:
    """Train for ``steps`` env steps and return the evaluation before and after."""
    model = DDPG("PaperPolicy", ENV_ID, seed=seed, **fast_pendulum_kwargs())
    before, _ = evaluate(model, seed=10_000 + seed)
    start = time.perf_counter()
    model.learn(steps)
    wall = time.perf_counter() - start
    after, after_std = evaluate(model, seed=10_000 + seed)
    return dict(before=before, after=after, after_std=after_std, wall_time_s=wall, steps_per_s=steps / wall)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sb3_ddpg_ext", description=__doc__)
    parser.add_argument("--steps", type=int, default=10_000, help="env steps to train (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 suits small networks)")
    args = parser.parse_args(argv)
    th.set_num_threads(args.threads)
    result = train_and_evaluate(args.steps, args.seed)
    print(
        f"{ENV_ID}: {args.steps} steps in {result['wall_time_s']:.0f} s ({result['steps_per_s']:.0f} steps/s)"
    )
    print(f"untrained policy: {result['before']:.0f}")
    print(f"trained policy:   {result['after']:.0f} +- {result['after_std']:.0f} (10 noise-free episodes)")


if __name__ == "__main__":
    main()
