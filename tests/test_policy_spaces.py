"""PaperPolicy as a drop-in: registration, observation and action spaces, HER, saving across processes."""

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
from conftest import SpacesEnv
from gymnasium import spaces
from stable_baselines3 import HerReplayBuffer
from stable_baselines3.common.envs import BitFlippingEnv
from stable_baselines3.common.torch_layers import CombinedExtractor
from stable_baselines3.common.utils import FloatSchedule
from torch import nn

import sb3_ddpg_ext
from sb3_ddpg_ext import PaperPolicy
from sb3_ddpg_ext.policies import MultiInputPaperPolicy, PaperActor

OBS = spaces.Box(-np.inf, np.inf, shape=(5,), dtype=np.float32)
ACT = spaces.Box(-2.0, 3.0, shape=(2,), dtype=np.float32)


def linears(module):
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


def success_rate(model, env, episodes):
    successes = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=episode)
        done = False
        while not done:
            obs, _, terminated, truncated, info = env.step(model.predict(obs, deterministic=True)[0])
            done = terminated or truncated
        successes.append(info["is_success"])
    return float(np.mean(successes))


def test_registration_adds_paper_policy_to_ddpg_and_td3_only():
    assert sb3.DDPG.policy_aliases["PaperPolicy"] is PaperPolicy
    assert sb3.TD3.policy_aliases["PaperPolicy"] is PaperPolicy
    for algo in (sb3.SAC, sb3.PPO, sb3.A2C, sb3.DQN):
        assert "PaperPolicy" not in algo.policy_aliases
    model = sb3.DDPG("PaperPolicy", gym.make("Pendulum-v1"))
    assert isinstance(model.actor, PaperActor)
    assert sb3_ddpg_ext.DDPG("MlpPolicy", "Pendulum-v1").policy_class is sb3.td3.policies.MlpPolicy


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (spaces.Dict({"a": OBS}), "use 'MultiInputPaperPolicy' for Dict observations"),
        (spaces.Graph(spaces.Box(0, 1, (2,)), None), "Box, Discrete, MultiDiscrete or MultiBinary"),
    ],
)
def test_unsupported_observation_spaces_get_a_clear_error(space, message):
    with pytest.raises(ValueError, match=message):
        PaperPolicy(space, ACT, FloatSchedule(1e-3))


def test_image_observations_are_flattened_as_by_mlp_policy_with_a_warning():
    with pytest.warns(UserWarning, match="CnnPaperPolicy"):
        policy = PaperPolicy(spaces.Box(0, 255, (8, 8, 3), np.uint8), ACT, FloatSchedule(1e-3), n_critics=1)
    assert linears(policy.actor)[0].in_features == 8 * 8 * 3


@pytest.mark.parametrize(
    ("space", "features"),
    [
        (spaces.Discrete(5), 5),  # one-hot, as MlpPolicy
        (spaces.MultiDiscrete([3, 4]), 7),
        (spaces.MultiBinary(6), 6),
        (spaces.Box(-1, 1, (2, 3), np.float32), 6),
    ],
)
@pytest.mark.parametrize("algo", [sb3_ddpg_ext.DDPG, sb3.DDPG, sb3.TD3], ids=["ours", "stock", "td3"])
def test_paper_policy_takes_what_mlp_policy_takes(space, features, algo):
    env = SpacesEnv(space)
    model = algo("PaperPolicy", env, seed=0, learning_starts=20, batch_size=16)
    mlp = algo("MlpPolicy", env, seed=0)
    assert linears(model.actor)[0].in_features == features == mlp.actor.features_dim
    model.learn(60)
    obs, _ = env.reset(seed=1)
    assert env.action_space.contains(model.predict(obs, deterministic=True)[0])


def test_multi_input_paper_policy_puts_the_papers_networks_on_sb3s_combined_extractor():
    env = BitFlippingEnv(n_bits=4, continuous=True)
    for algo, n_critics in ((sb3_ddpg_ext.DDPG, 1), (sb3.DDPG, 1), (sb3.TD3, 2)):
        model = algo("MultiInputPaperPolicy", env, seed=0)
        assert isinstance(model.policy, MultiInputPaperPolicy)
        assert isinstance(model.actor.features_extractor, CombinedExtractor)
        features = model.actor.features_extractor.features_dim  # 4 + 4 + 4 bits
        assert [m.in_features for m in linears(model.actor)] == [features, 400, 300]
        assert [m.in_features for m in linears(model.critic)][:3] == [features, 400 + 4, 300]
        assert len(model.critic.q_networks) == n_critics
    with pytest.raises(ValueError, match="use 'PaperPolicy'"):
        sb3_ddpg_ext.DDPG("MultiInputPaperPolicy", "Pendulum-v1")


def test_ddpg_with_her_and_the_papers_networks_learns_bit_flipping():
    """DDPG + HER (the HER paper's algorithm) with the DDPG paper's networks: 6 bits, 6 steps an episode.
    A random policy succeeds in ~10% of episodes; the HER paper's optimisation settings (equal learning
    rates, no critic L2, tau 0.05) solve it in 3,000 steps."""
    env = BitFlippingEnv(n_bits=6, continuous=True, max_steps=6)
    model = sb3_ddpg_ext.DDPG(
        "MultiInputPaperPolicy",
        env,
        replay_buffer_class=HerReplayBuffer,
        replay_buffer_kwargs=dict(n_sampled_goal=4, goal_selection_strategy="future"),
        learning_starts=60,
        tau=0.05,
        gamma=0.95,
        policy_kwargs=dict(actor_lr_scale=1.0, critic_weight_decay=0.0),
        seed=0,
    )
    eval_env = BitFlippingEnv(n_bits=6, continuous=True, max_steps=6)
    assert success_rate(model, eval_env, 50) < 0.3  # untrained: about chance
    model.learn(3_000)
    assert success_rate(model, eval_env, 50) >= 0.9


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (spaces.Discrete(3), "continuous \\(Box\\) action space"),
        (spaces.Box(-np.inf, np.inf, shape=(2,)), "finite action bounds"),
    ],
)
def test_unsupported_action_spaces_get_a_clear_error(space, message):
    with pytest.raises(ValueError, match=message):
        PaperPolicy(OBS, space, FloatSchedule(1e-3))


LOAD_AND_ACT = """
import sys, numpy as np, torch as th
from stable_baselines3 import DDPG
from sb3_ddpg_ext import PaperPolicy
kind, path, obs_path = sys.argv[1:]
obs = np.load(obs_path)
if kind == "model":
    model = DDPG.load(path)
    print(model.actor.optimizer.param_groups[0]["lr"], model.policy.critic_weight_decay)
    actions = model.predict(obs, deterministic=True)[0]
else:
    policy = PaperPolicy.load(path)
    actions = policy.predict(obs, deterministic=True)[0]
np.save(obs_path.replace("obs", "actions_" + kind), actions)
"""


@pytest.mark.parametrize("batch_norm", [False, True, "renorm"])
def test_save_and_load_in_a_fresh_process_gives_identical_actions(tmp_path, batch_norm):
    env = gym.make("Pendulum-v1")
    model = sb3_ddpg_ext.DDPG(
        "PaperPolicy",
        env,
        seed=0,
        learning_starts=100,
        batch_size=32,
        policy_kwargs=dict(batch_norm=batch_norm, actor_lr_scale=0.5),
    )
    model.learn(250)
    obs = np.stack([env.observation_space.sample() for _ in range(16)])
    np.save(tmp_path / "obs.npy", obs)
    model.save(tmp_path / "model.zip")
    model.policy.save(tmp_path / "policy.pt")
    expected = model.predict(obs, deterministic=True)[0]
    script = tmp_path / "load.py"
    script.write_text(LOAD_AND_ACT)
    for kind, path in (("model", "model.zip"), ("policy", "policy.pt")):
        out = subprocess.run(
            [sys.executable, str(script), kind, str(tmp_path / path), str(tmp_path / "obs.npy")],
            capture_output=True,
            text=True,
            check=True,
        )
        np.testing.assert_array_equal(np.load(tmp_path / f"actions_{kind}.npy"), expected)
        if kind == "model":
            lr, decay = out.stdout.split()
            assert float(lr) == pytest.approx(5e-4)
            assert float(decay) == 1e-2
