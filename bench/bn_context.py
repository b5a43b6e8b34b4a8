"""How much the critic's batch norm makes the actor's update depend on the rest of its batch.

    python bench/bn_context.py            # -> bench/results/bn_context.json

In training mode a batch-normalised critic scores a state with the statistics of the batch it sits in, so
Q(s, mu(s)) and its action gradient dQ/da, which is all the actor learns from, change with the other
states drawn beside s. For each case below this trains the run (`sb3-ddpg train`, one thread, the
variants of bench/learning.py), then, with the run's final critic, actor and replay buffer: 64 states
from the buffer, each placed among 63 others drawn from the buffer, 64 times, and for each placement
dQ/da at a = mu(s) with the critic on the batch's statistics, as the actor's update sees it. Reported:

- ``sign_agreement``: the fraction of placements whose dQ/da has the sign of the state's mean over its
  placements (per action dimension): 0.5 when the other states alone decide the direction the actor is
  pushed, 1.0 when the state does;
- ``median_snr``: the median over states of |mean dQ/da| / its standard deviation across placements;
- ``q_spread``: the standard deviation of Q(s, mu(s)) across placements over its spread across states;
- ``running_sign_agreement``: the fraction of placements whose dQ/da has the sign of dQ/da on the
  critic's running statistics (``actor_update_stats="running"``, independent of the batch).

And what the target networks normalise with, against the online critic: over 2000 batches of 64 from the
buffer, per observation feature, the median ratio of the next states' standard deviation to the states'
(``next_std_ratio``) and the mean shift of their mean in units of the buffer's standard deviation
(``next_mean_shift``), over all next states (``target_batch_stats="batch"``) and over the non-terminal
ones only (``"nonterminal"``); ``terminal_fraction``: the buffer's share of terminal transitions.
"""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch as th

sys.path.insert(0, str(Path(__file__).parent))
from provenance import record
from variants import variant_setup

from sb3_ddpg_ext import DDPG
from sb3_ddpg_ext.normalization import running_statistics

RESULT = Path(__file__).parent / "results" / "bn_context.json"
# (env, bench/learning.py variant, steps, seed)
CASES = [
    ("Pendulum-v1", "paper", 20_000, 0),
    ("Pendulum-v1", "paper:bn=critic", 20_000, 0),
    ("InvertedDoublePendulum-v5", "paper", 30_000, 0),
]
STATES = 64
PLACEMENTS = 64


def train(env: str, variant: str, steps: int, seed: int, out: Path) -> dict[str, Any]:
    profile, overrides = variant_setup(variant, env)
    command = [
        *("train", "--env", env, "--profile", profile, "--seed", str(seed), "--steps", str(steps)),
        *("--out", str(out), "--threads", "1", "--no-progress"),
    ]
    if overrides:
        command += ["--hyperparams", *(f"{key}:{value}" for key, value in overrides.items())]
    subprocess.run([sys.executable, "-m", "sb3_ddpg_ext", *command], check=True, capture_output=True)
    return {"command": "sb3-ddpg " + " ".join(command), **json.loads((out / "summary.json").read_text())}


def action_gradients(model: DDPG, batch: np.ndarray) -> tuple[th.Tensor, th.Tensor]:
    """Q(s, mu(s)) and dQ/da for every state of ``batch``, the critic on the batch's statistics."""
    obs = th.as_tensor(batch)
    with th.no_grad(), running_statistics(model.actor):  # the action the actor would take: fixed
        actions = model.actor(obs)
    actions.requires_grad_(True)
    q = model.critic.q_networks[0](obs, actions)
    (grad,) = th.autograd.grad(q.sum(), actions)
    return q.detach()[:, 0], grad


def measure(model: DDPG, buffer: dict[str, Any], seed: int) -> dict[str, float]:
    observations = buffer["observations"][:, 0].astype(np.float32)
    model.policy.set_training_mode(True)
    rng = np.random.default_rng(seed)
    states = rng.integers(len(observations), size=STATES)
    # First: the forwards in training mode below move the running statistics.
    obs = th.as_tensor(observations[states])
    with th.no_grad(), running_statistics(model.actor):
        actions = model.actor(obs)
    actions.requires_grad_(True)
    with running_statistics(model.critic):
        (running,) = th.autograd.grad(model.critic.q_networks[0](obs, actions).sum(), actions)
    qs, grads = np.empty((PLACEMENTS, STATES)), []
    for placement in range(PLACEMENTS):
        row = []
        for index, state in enumerate(states):
            batch = observations[rng.integers(len(observations), size=64)]
            batch[0] = observations[state]
            q, grad = action_gradients(model, batch)
            qs[placement, index] = q[0].item()
            row.append(grad[0].numpy())
        grads.append(row)
    grad = np.array(grads)  # placements x states x action dims
    mean = grad.mean(axis=0)
    return {
        "sign_agreement": float((np.sign(grad) == np.sign(mean)).mean()),
        "median_snr": float(np.median(np.abs(mean) / (grad.std(axis=0) + 1e-12))),
        "q_spread": float(qs.std(axis=0).mean() / qs.mean(axis=0).std()),
        "running_sign_agreement": float((np.sign(grad) == np.sign(running.numpy())).mean()),
    }


def next_state_statistics(buffer: dict[str, Any], seed: int) -> dict[str, Any]:
    observations = buffer["observations"][:, 0].astype(np.float64)
    next_observations = buffer["next_observations"][:, 0].astype(np.float64)
    terminal = (buffer["dones"][:, 0] > 0) & (buffer["timeouts"][:, 0] == 0)
    spread = observations.std(axis=0)
    varying = spread > 0  # a feature constant over the whole buffer has no ratio
    rng = np.random.default_rng(seed)
    figures: dict[str, Any] = {"terminal_fraction": float(terminal.mean())}
    for name, keep_terminal in (("batch", True), ("nonterminal", False)):
        ratios, shifts = [], []
        for _ in range(2000):
            rows = rng.integers(len(observations), size=64)
            next_rows = rows if keep_terminal else rows[~terminal[rows]]
            states, next_states = observations[rows][:, varying], next_observations[next_rows][:, varying]
            state_std = states.std(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):  # a feature constant in this batch: no ratio
                ratios.append(np.where(state_std > 0, next_states.std(axis=0) / state_std, np.nan))
            shifts.append((next_states.mean(axis=0) - states.mean(axis=0)) / spread[varying])
        figures[name] = {
            "next_std_ratio": np.round(np.nanmedian(ratios, axis=0), 3).tolist(),
            "next_mean_shift": np.round(np.mean(shifts, axis=0), 3).tolist(),
        }
    return figures


def main() -> None:
    th.set_num_threads(1)
    results = []
    for env, variant, steps, seed in CASES:
        with tempfile.TemporaryDirectory() as folder:
            run = Path(folder) / "run"
            summary = train(env, variant, steps, seed, run)
            with zipfile.ZipFile(run / "checkpoint.zip") as archive:  # the run's final state
                model = DDPG.load(io.BytesIO(archive.read("model.zip")), device="cpu")
                buffer = pickle.load(io.BytesIO(archive.read("replay_buffer.pkl")))
            figures: dict[str, Any] = measure(model, buffer, seed)
            figures["next_state_statistics"] = next_state_statistics(buffer, seed)
        results.append(
            dict(env=env, variant=variant, steps=steps, seed=seed, command=summary["command"],
                 final_eval_mean=summary["final_eval_mean"], **figures)
        )  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
    summary = {"states": STATES, "placements": PLACEMENTS, "cases": results}
    summary["provenance"] = record()  # the commit and versions that made it
    RESULT.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
