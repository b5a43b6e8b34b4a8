"""What a policy that learned nothing scores on the tasks with published DDPG results.

    python bench/reference_policies.py

Two reference policies per task, each over 10 episodes with the final evaluation's protocol (SB3's
`evaluate_policy`, seeded env): zero action (the actuators idle; on Hopper and Walker2d it earns the
healthy reward until the body falls) and uniform random actions (seeded). They put the learners' returns
on a scale: a best evaluation near the zero-action return says the agent barely beat doing nothing.
Writes bench/results/reference_policies.json; `bench/report.py` shows them beside the published figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from provenance import record
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor

RESULTS = Path(__file__).parent / "results"
ENVS = (
    "HalfCheetah-v5",
    "Hopper-v5",
    "Walker2d-v5",
    "InvertedPendulum-v5",
    "InvertedDoublePendulum-v5",
    "Reacher-v5",
    "PendulumPixels-v1",  # registered by sb3_ddpg_ext (imported by provenance)
)
EPISODES = 10
SEED = 0


class ReferencePolicy:
    """A fixed policy with SB3's `predict` signature: zero action, or uniform random in the action space."""

    def __init__(self, space: gym.spaces.Box, kind: str, seed: int) -> None:
        self.space, self.kind = space, kind
        self.rng = np.random.default_rng(seed)

    def predict(
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: tuple[np.ndarray, ...] | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = False,
    ) -> tuple[np.ndarray, None]:
        assert isinstance(observation, np.ndarray)  # the tasks here have Box observations
        shape = (len(observation), *self.space.shape)
        if self.kind == "zero":
            return np.zeros(shape, dtype=self.space.dtype), None
        return self.rng.uniform(self.space.low, self.space.high, size=shape).astype(self.space.dtype), None


def measure(env_id: str, kind: str) -> dict[str, Any]:
    env = Monitor(gym.make(env_id))
    env.reset(seed=SEED)
    assert isinstance(env.action_space, gym.spaces.Box)
    policy = ReferencePolicy(env.action_space, kind, SEED)
    returns, lengths = evaluate_policy(policy, env, n_eval_episodes=EPISODES, return_episode_rewards=True)
    env.close()
    episode_returns, episode_lengths = np.asarray(returns), np.asarray(lengths)
    return dict(
        mean=float(episode_returns.mean()),
        std=float(episode_returns.std()),
        returns=episode_returns.round(3).tolist(),
        lengths=episode_lengths.tolist(),
    )


def main() -> None:
    results = {env: {kind: measure(env, kind) for kind in ("zero", "random")} for env in ENVS}
    for env, row in results.items():
        print(f"{env:<28} zero action {row['zero']['mean']:9.2f}   random {row['random']['mean']:9.2f}")
    command = f"python bench/{Path(__file__).name}"
    payload = dict(command=command, episodes=EPISODES, seed=SEED, results=results)
    payload["provenance"] = record()  # the commit and versions that made it
    (RESULTS / "reference_policies.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
