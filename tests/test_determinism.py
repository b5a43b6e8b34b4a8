"""Same seed, same run: every random source (torch, numpy, the envs, the OU noise of each env) follows the
model's seed."""

import pytest
import torch as th
from stable_baselines3.common.env_util import make_vec_env

from sb3_ddpg_ext import DDPG


def train(n_envs, batch_norm, seed):
    env = make_vec_env("Pendulum-v1", n_envs=n_envs, seed=seed)
    model = DDPG(
        "PaperPolicy",
        env,
        seed=seed,
        learning_starts=100,
        batch_size=32,
        policy_kwargs=dict(batch_norm=batch_norm),
    )
    return model.learn(400)


@pytest.mark.parametrize("n_envs", [1, 4])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_same_seed_gives_identical_parameters_buffer_and_noise(n_envs, batch_norm):
    first, second = (train(n_envs, batch_norm, seed=3) for _ in range(2))
    for (name, a), (_, b) in zip(
        first.policy.state_dict().items(), second.policy.state_dict().items(), strict=True
    ):
        assert th.equal(a, b), name
    size = first.replay_buffer.size()
    assert (first.replay_buffer.actions[:size] == second.replay_buffer.actions[:size]).all()
    other = train(n_envs, batch_norm, seed=4)
    assert not th.equal(other.actor.mu[-2].weight, first.actor.mu[-2].weight)  # the seed matters
