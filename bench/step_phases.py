"""Where one gradient step of ``sb3_ddpg_ext.DDPG`` spends its time, phase by phase, on Pendulum-v1.

    python bench/step_phases.py [--batch 64]

One torch thread. Times each phase of the update alone (median of 5 repeats of 400 calls), the whole
``train(1)`` of ours (with the hand-written backward pass, and with autograd's) and of stock SB3 DDPG
(MlpPolicy, [400, 300]), and one 64x400x300 linear layer, whose GFLOP/s says how fast this machine's
matrix products are.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import stable_baselines3 as sb3
import torch as th

import sb3_ddpg_ext


def ms_per_call(fn, calls: int = 400, repeats: int = 5) -> float:
    for _ in range(20):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls * 1e3)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batch", type=int, default=64)
    batch_size = parser.parse_args().batch
    th.set_num_threads(1)
    kwargs = dict(batch_size=batch_size, learning_starts=batch_size, tau=0.005, seed=0)
    ours = sb3_ddpg_ext.DDPG("PaperPolicy", "Pendulum-v1", **kwargs)
    stock = sb3.DDPG("MlpPolicy", "Pendulum-v1", policy_kwargs=dict(net_arch=[400, 300]), **kwargs)
    for model in (ours, stock):
        model.learn(300)
    batch = ours.replay_buffer.sample(batch_size)
    tensors = ours._update_tensors()  # the parameter lists and Adam steps train() uses
    manual = tensors.manual  # the hand-written backward pass
    assert manual is not None
    features = ours.actor.extract_features(batch.observations, ours.actor.features_extractor)
    next_features = ours.actor.extract_features(batch.next_observations, ours.actor.features_extractor)
    grads = {}
    with th.no_grad():
        target_q = batch.rewards + (1 - batch.dones) * 0.99 * manual.target_q(next_features)

    def target_forward():
        with th.no_grad():
            manual.target_q(next_features)

    def critic_forward_backward():
        with th.no_grad():
            grads["critic"] = tuple(manual.critic_grads(features, batch.actions, target_q)[1])

    def actor_forward_backward():
        with th.no_grad():
            grads["actor"] = tuple(manual.actor_grads(features)[1])

    def autograd_train():  # our train(1) with the backward passes left to autograd
        ours._update_tensors_cache = tensors._replace(manual=None)
        ours.train(1, batch_size)
        ours._update_tensors_cache = tensors

    phases = {
        "sample": lambda: ours.replay_buffer.sample(batch_size),
        "target forward": target_forward,
        "critic forward+backward": critic_forward_backward,
        "critic Adam": lambda: tensors.critic_step.step(grads["critic"]),
        "actor forward+backward": actor_forward_backward,
        "actor Adam": lambda: tensors.actor_step.step(grads["actor"]),
        "ours train(1)": lambda: ours.train(1, batch_size),
        "ours train(1), autograd": autograd_train,
        "stock train(1)": lambda: stock.train(1, batch_size),
    }
    for name, fn in phases.items():
        print(f"{name:<25} {ms_per_call(fn):6.3f} ms")
    layer, x = th.nn.Linear(400, 300), th.randn(64, 400)
    with th.no_grad():
        ms = ms_per_call(lambda: layer(x))
    print(f"one 64x400x300 linear     {ms:6.3f} ms = {2 * 64 * 400 * 300 / ms / 1e6:.0f} GFLOP/s")


if __name__ == "__main__":
    main()
