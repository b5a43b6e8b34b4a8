"""How well can any controller do on the start states that Pendulum-v1's final evaluations drew?

    python bench/pendulum_ceiling.py --seeds 0 1 2 3 4 5 6 7 8 9

`sb3-ddpg train` ends with 10 noise-free episodes on an eval env that rl_zoo3 seeds with the run's seed,
so on a given seed every variant meets the same 10 start states. This script replays those states with
a controller that knows the true dynamics: finite-horizon dynamic programming on a (theta, theta-dot)
grid, then, at each real step, the best of many torques against the value of the remaining horizon. It
steps gymnasium's own env, so its returns are real returns an agent could get: a lower bound on the
optimum (close to it; the two grid sizes show how close) and a ceiling estimate for the learners.
Acting instead on the best *discounted* return, with the learners' gamma, shows what the discount
alone costs on the undiscounted return that the evaluation sums.
Writes bench/results/pendulum_ceiling.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import gymnasium as gym
import numpy as np
from provenance import record

RESULTS = Path(__file__).parent / "results"
MAX_SPEED, MAX_TORQUE, G, DT = 8.0, 2.0, 10.0, 0.05  # gymnasium's Pendulum-v1, mass and length 1


def dynamics(theta: np.ndarray, speed: np.ndarray, torque: np.ndarray) -> tuple[np.ndarray, ...]:
    """One step of gymnasium's Pendulum-v1: next angle, next speed, and the reward."""
    angle = (theta + np.pi) % (2 * np.pi) - np.pi
    reward = -(angle**2 + 0.1 * speed**2 + 0.001 * torque**2)
    speed = np.clip(speed + (3 * G / 2 * np.sin(theta) + 3.0 * torque) * DT, -MAX_SPEED, MAX_SPEED)
    return theta + speed * DT, speed, reward


class Grid:
    """Bilinear interpolation on a grid periodic in the angle and bounded in the speed."""

    def __init__(self, n_theta: int, n_speed: int) -> None:
        self.n_theta, self.n_speed = n_theta, n_speed
        self.theta = np.arange(n_theta) * (2 * np.pi / n_theta)
        self.speed = np.linspace(-MAX_SPEED, MAX_SPEED, n_speed)

    def interpolate(self, values: np.ndarray, theta: np.ndarray, speed: np.ndarray) -> np.ndarray:
        x = (theta % (2 * np.pi)) * (self.n_theta / (2 * np.pi))
        i = np.floor(x).astype(np.int64)
        fx = x - i
        i %= self.n_theta
        i1 = (i + 1) % self.n_theta
        y = (speed + MAX_SPEED) * ((self.n_speed - 1) / (2 * MAX_SPEED))
        j = np.clip(np.floor(y).astype(np.int64), 0, self.n_speed - 2)
        fy = y - j
        return (
            (1 - fx) * (1 - fy) * values[i, j]
            + fx * (1 - fy) * values[i1, j]
            + (1 - fx) * fy * values[i, j + 1]
            + fx * fy * values[i1, j + 1]
        )


def grid_steps(grid: Grid, n_torques: int) -> tuple[np.ndarray, ...]:
    """From every grid state under every torque tried: next angle, next speed and reward."""
    theta, speed = np.meshgrid(grid.theta, grid.speed, indexing="ij")
    return dynamics(theta[..., None], speed[..., None], np.linspace(-MAX_TORQUE, MAX_TORQUE, n_torques))


def value_functions(grid: Grid, horizon: int, n_torques: int) -> list[np.ndarray]:
    """values[h]: the best return over the next h steps from each grid state."""
    next_theta, next_speed, reward = grid_steps(grid, n_torques)
    values = [np.zeros((grid.n_theta, grid.n_speed))]
    for _ in range(horizon):
        values.append((reward + grid.interpolate(values[-1], next_theta, next_speed)).max(axis=-1))
    return values


def discounted_values(grid: Grid, horizon: int, n_torques: int, discount: float) -> list[np.ndarray]:
    """The best discounted return from each grid state, the same for every remaining horizon: what an
    agent trained with this discount aims at."""
    next_theta, next_speed, reward = grid_steps(grid, n_torques)
    values = np.zeros((grid.n_theta, grid.n_speed))
    for _ in range(int(np.ceil(np.log(1e-6) / np.log(discount)))):  # until discount**sweeps < 1e-6
        values = (reward + discount * grid.interpolate(values, next_theta, next_speed)).max(axis=-1)
    return [values] * (horizon + 1)


def control_episode(
    env: gym.Env, grid: Grid, values: list[np.ndarray], torques: np.ndarray, discount: float = 1.0
) -> float:
    """Run one episode from the env's current state, acting greedily on the remaining horizon's values."""
    total, horizon = 0.0, len(values) - 1
    for remaining in range(horizon, 0, -1):
        theta, speed = env.unwrapped.state
        next_theta, next_speed, reward = dynamics(np.float64(theta), np.float64(speed), torques)
        future = grid.interpolate(values[remaining - 1], next_theta, next_speed)
        torque = torques[np.argmax(reward + discount * future)]
        _, step_reward, terminated, truncated, _ = env.step(np.array([torque], dtype=np.float32))
        total += float(step_reward)
        if terminated or truncated:
            break
    return total


def evaluation_returns(
    seed: int, episodes: int, grid: Grid, values: list[np.ndarray], discount: float = 1.0
) -> list[float]:
    """The returns on the start states of a run's final evaluation: rl_zoo3's eval env, seeded once with
    the run's seed, then reset without a seed after each episode (as evaluate_policy does)."""
    env = gym.make("Pendulum-v1")
    torques = np.linspace(-MAX_TORQUE, MAX_TORQUE, 401)
    returns = []
    for episode in range(episodes):
        env.reset(seed=seed if episode == 0 else None)
        returns.append(control_episode(env, grid, values, torques, discount))
    env.close()
    return returns


def ceiling(args: argparse.Namespace, grid: Grid, values: list[np.ndarray], discount: float = 1.0) -> dict:
    per_seed = {seed: evaluation_returns(seed, args.episodes, grid, values, discount) for seed in args.seeds}
    means = [float(np.mean(returns)) for returns in per_seed.values()]
    name = f"discount {discount}" if discount < 1 else "no discount"
    print(f"grid {grid.n_theta}, {name}: mean over seeds {np.mean(means):.1f};", [round(m, 1) for m in means])
    return {
        "per_seed_mean": dict(zip(map(str, args.seeds), means, strict=True)),
        "per_seed_returns": {str(seed): returns for seed, returns in per_seed.items()},
        "mean": float(np.mean(means)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--episodes", type=int, default=10, help="episodes per final evaluation")
    parser.add_argument("--grids", type=int, nargs="+", default=[201, 401], help="grid points per axis")
    parser.add_argument("--torques", type=int, default=41, help="torques tried in each DP backup")
    parser.add_argument(
        "--discounts",
        type=float,
        nargs="*",
        default=[0.98, 0.99],
        help="also act on the best discounted return (on the first grid), to see what a discount costs; "
        "0.98 is RL Zoo's and our tuned profile's gamma for Pendulum-v1",
    )
    args = parser.parse_args()
    if min(args.grids) < 2 or args.torques < 2 or args.episodes < 1:
        parser.error("--grids and --torques need at least 2 points each, --episodes at least 1")
    if any(not 0 < discount < 1 for discount in args.discounts):
        parser.error(
            f"--discounts must lie strictly between 0 and 1 (got {args.discounts}); "
            "the undiscounted run is always made"
        )

    horizon = gym.spec("Pendulum-v1").max_episode_steps
    result: dict = {"seeds": args.seeds, "episodes": args.episodes, "torques": args.torques}
    grids = [Grid(size, size) for size in args.grids]
    result["grids"] = {
        str(grid.n_theta): ceiling(args, grid, value_functions(grid, horizon, args.torques)) for grid in grids
    }
    result["discounted"] = {"grid": grids[0].n_theta}
    for discount in args.discounts:
        values = discounted_values(grids[0], horizon, args.torques, discount)
        result["discounted"][str(discount)] = ceiling(args, grids[0], values, discount)
    RESULTS.mkdir(exist_ok=True)
    result["provenance"] = record()  # the commit and versions that made it
    (RESULTS / "pendulum_ceiling.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
