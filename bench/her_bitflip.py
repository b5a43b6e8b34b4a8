"""DDPG + HER on SB3's BitFlippingEnv (continuous actions): the paper's networks against MultiInputPolicy.

    python bench/her_bitflip.py --seeds 0 1 2 3 4

A trivial goal-conditioned task (6 bits, 6 steps an episode; a random policy succeeds in ~10% of
episodes) on which the DDPG paper's optimiser defaults (actor learning rate x0.1, critic L2 1e-2, tau
0.001) learn more slowly than SB3's defaults, and with what to change. Every variant trains with SB3's
``HerReplayBuffer`` (4 future goals per transition) for ``--steps`` env steps, one torch thread, and is
evaluated noise-free every ``--eval-every`` steps on 50 episodes:

- ``stock MultiInputPolicy``: stock ``stable_baselines3.DDPG("MultiInputPolicy")`` at SB3's defaults;
- ``stock MultiInputPaperPolicy``: the same, with the paper's networks and their optimiser defaults;
- ``stock MultiInputPaperPolicy, equal lr, no L2``: the same with ``actor_lr_scale=1`` and
  ``critic_weight_decay=0`` (the optimiser as MultiInputPolicy has it);
- ``ours, paper defaults``: ``sb3_ddpg_ext.DDPG("MultiInputPaperPolicy")``, the paper's settings
  throughout (tau 0.001, batch 64, OU noise);
- ``ours, HER settings``: the paper's networks with the HER paper's optimisation (equal learning rates,
  no critic L2, tau 0.05, gamma 0.95).

Results: bench/results/her_bitflip.json (every evaluation of every run; the summary per variant).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import stable_baselines3 as sb3
import torch as th
from provenance import record
from stable_baselines3 import HerReplayBuffer
from stable_baselines3.common.envs import BitFlippingEnv

import sb3_ddpg_ext

RESULT = Path(__file__).parent / "results" / "her_bitflip.json"
N_BITS = 6
HER = dict(replay_buffer_class=HerReplayBuffer, replay_buffer_kwargs=dict(n_sampled_goal=4))
EQUAL_LR_NO_L2 = dict(actor_lr_scale=1.0, critic_weight_decay=0.0)
VARIANTS: dict[str, tuple[Any, str, dict[str, Any]]] = {
    "stock MultiInputPolicy": (sb3.DDPG, "MultiInputPolicy", {}),
    "stock MultiInputPaperPolicy": (sb3.DDPG, "MultiInputPaperPolicy", {}),
    "stock MultiInputPaperPolicy, equal lr, no L2": (
        sb3.DDPG,
        "MultiInputPaperPolicy",
        dict(policy_kwargs=EQUAL_LR_NO_L2),
    ),
    "ours, paper defaults": (sb3_ddpg_ext.DDPG, "MultiInputPaperPolicy", {}),
    "ours, HER settings": (
        sb3_ddpg_ext.DDPG,
        "MultiInputPaperPolicy",
        dict(policy_kwargs=EQUAL_LR_NO_L2, tau=0.05, gamma=0.95),
    ),
}


def make_env() -> BitFlippingEnv:
    return BitFlippingEnv(n_bits=N_BITS, continuous=True, max_steps=N_BITS)


def success_rate(model: Any, episodes: int = 50) -> float:
    env = make_env()
    successes = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=10_000 + episode)
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(model.predict(obs, deterministic=True)[0])
            done = terminated or truncated
        successes.append(info["is_success"])
    return float(np.mean(successes))


def run(variant: str, seed: int, steps: int, eval_every: int) -> dict[str, Any]:
    algo, policy, kwargs = VARIANTS[variant]
    model = algo(policy, make_env(), learning_starts=10 * N_BITS, seed=seed, **HER, **kwargs)
    curve = [success_rate(model)]
    start = time.perf_counter()
    for _ in range(steps // eval_every):
        model.learn(eval_every, reset_num_timesteps=False)
        curve.append(success_rate(model))
    return dict(seed=seed, success=curve, wall_time_s=round(time.perf_counter() - start, 1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--eval-every", type=int, default=500)
    args = parser.parse_args()
    th.set_num_threads(1)
    results: dict[str, Any] = dict(
        command=f"python bench/her_bitflip.py --seeds {' '.join(map(str, args.seeds))} --steps {args.steps} "
        f"--eval-every {args.eval_every}",
        n_bits=N_BITS,
        eval_steps=list(range(0, args.steps + 1, args.eval_every)),
        runs={},
    )
    for variant in VARIANTS:
        runs = [run(variant, seed, args.steps, args.eval_every) for seed in args.seeds]
        final = [r["success"][-1] for r in runs]
        results["runs"][variant] = runs
        print(f"{variant:<46} final success {np.mean(final):.2f} (per seed {final})", flush=True)
    results["provenance"] = record()  # the commit and versions that made it
    RESULT.write_text(json.dumps(results, indent=1) + "\n")
    print(f"Wrote {RESULT}")


if __name__ == "__main__":
    main()
