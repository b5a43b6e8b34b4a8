"""The paper's settings are written once, in sb3_ddpg_ext.paper: the defaults and the paper profile agree."""

import inspect

import numpy as np
import yaml

from sb3_ddpg_ext import DDPG, OUNoise, PaperPolicy, paper
from sb3_ddpg_ext.callbacks import OUNoiseCallback
from sb3_ddpg_ext.zoo_configs import PROFILES


def defaults(function):
    return {name: p.default for name, p in inspect.signature(function).parameters.items()}


def test_the_paper_profile_says_what_the_paper_module_says():
    entry = yaml.safe_load(PROFILES["paper"].read_text())["default"]
    policy_kwargs = eval(entry["policy_kwargs"], {"dict": dict, "__builtins__": {}})
    noise = entry["callback"][0][f"{OUNoiseCallback.__module__}.{OUNoiseCallback.__name__}"]
    assert (entry["learning_rate"], entry["batch_size"], entry["tau"]) == (
        paper.CRITIC_LEARNING_RATE,
        paper.BATCH_SIZE,
        paper.TAU,
    )
    assert (entry["gamma"], entry["buffer_size"]) == (paper.GAMMA, paper.BUFFER_SIZE)
    assert tuple(policy_kwargs["net_arch"]) == paper.NET_ARCH
    assert policy_kwargs["action_layer"] == paper.ACTION_LAYER
    assert policy_kwargs["actor_lr_scale"] == paper.ACTOR_LR_SCALE
    assert policy_kwargs["critic_weight_decay"] == paper.CRITIC_WEIGHT_DECAY
    assert noise == {"sigma": paper.OU_SIGMA, "theta": paper.OU_THETA, "dt": paper.OU_DT}


def test_the_library_defaults_are_the_papers():
    ddpg = defaults(DDPG.__init__)
    assert (ddpg["learning_rate"], ddpg["batch_size"], ddpg["tau"], ddpg["gamma"]) == (
        paper.CRITIC_LEARNING_RATE,
        paper.BATCH_SIZE,
        paper.TAU,
        paper.GAMMA,
    )
    policy = defaults(PaperPolicy.__init__)
    assert (policy["actor_lr_scale"], policy["final_layer_bound"]) == (
        paper.ACTOR_LR_SCALE,
        paper.FINAL_LAYER_BOUND,
    )
    noise = OUNoise(np.zeros(1), paper.OU_SIGMA)
    assert (noise._theta, noise._dt) == (paper.OU_THETA, paper.OU_DT)
    model = DDPG("PaperPolicy", "Pendulum-v1")
    assert model.policy.net_arch == list(paper.NET_ARCH)
    assert model.policy.action_layer == paper.ACTION_LAYER
    assert model.policy.critic_weight_decay == paper.CRITIC_WEIGHT_DECAY
    assert np.all(model.action_noise.sigma == paper.OU_SIGMA)
