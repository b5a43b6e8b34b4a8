"""An Optuna search space for PaperPolicy and OUNoise, for rl_zoo3's ``--algo ddpg --optimize``.

Opt-in: rl_zoo3 imports the modules named by ``--gym-packages``; naming this one makes rl_zoo3's DDPG
sampler (and its converter, used by ``--trial-id``) search the paper's knobs instead of TD3's generic
ones. Nothing changes for a process that does not import it::

    python -m rl_zoo3.train --algo ddpg --env Pendulum-v1 -conf zoo_configs/ddpg_tuned.yml \\
        --gym-packages sb3_ddpg_ext.zoo_search --optimize --n-trials 20 -n 10000 \\
        --storage sqlite:///logs/optuna.sqlite3 --study-name ddpg-Pendulum-v1
"""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna
from rl_zoo3 import hyperparams_opt

from sb3_ddpg_ext.callbacks import DDPGDiagnostics, OUNoiseCallback
from sb3_ddpg_ext.noise import OUNoise

NOISE_CALLBACK = f"{OUNoiseCallback.__module__}.{OUNoiseCallback.__name__}"
DIAGNOSTICS_CALLBACK = f"{DDPGDiagnostics.__module__}.{DDPGDiagnostics.__name__}"


def convert_params(params: dict[str, Any]) -> dict[str, Any]:
    """Map a trial's sampled values to rl_zoo3 hyperparameters (the noise as a config callback entry)."""
    return {
        "gamma": 1 - params["one_minus_gamma"],
        "learning_rate": params["learning_rate"],
        "batch_size": params["batch_size"],
        "tau": params["tau"],
        "learning_starts": params["learning_starts"],
        "policy_kwargs": dict(
            net_arch=[400, 300],
            batch_norm=params["batch_norm"],
            actor_lr_scale=params["actor_lr_scale"],
            critic_weight_decay=params["critic_weight_decay"],
        ),
        "callback": [
            {NOISE_CALLBACK: dict(sigma=params["noise_sigma"], theta=params["noise_theta"], dt=1.0)},
            {DIAGNOSTICS_CALLBACK: {}},
        ],
    }


def sample_params(
    trial: optuna.Trial, n_actions: int, n_envs: int, additional_args: dict[str, Any]
) -> dict[str, Any]:
    """Sample DDPG hyperparameters for PaperPolicy and an OUNoise (theta 1 with dt 1 is white noise)."""
    trial.suggest_float("one_minus_gamma", 0.005, 0.05, log=True)
    trial.suggest_float("learning_rate", 1e-4, 3e-3, log=True)
    trial.suggest_categorical("batch_size", [64, 128, 256])
    trial.suggest_categorical("tau", [0.001, 0.005, 0.01, 0.02])
    trial.suggest_categorical("learning_starts", [100, 1000, 5000])
    trial.suggest_categorical("batch_norm", [False, True])
    trial.suggest_categorical("actor_lr_scale", [0.1, 0.3, 1.0])
    trial.suggest_categorical("critic_weight_decay", [0.0, 1e-4, 1e-2])
    trial.suggest_float("noise_sigma", 0.05, 0.5)
    trial.suggest_categorical("noise_theta", [0.05, 0.15, 0.5, 1.0])
    hyperparams = convert_params(trial.params)
    noise_kwargs = hyperparams.pop("callback")[0][NOISE_CALLBACK]
    # A noise on the model is kept by the config's OUNoiseCallback, so the sampled one is used.
    hyperparams["action_noise"] = OUNoise(np.zeros(n_actions), **noise_kwargs)
    return hyperparams


hyperparams_opt.HYPERPARAMS_SAMPLER["ddpg"] = sample_params
hyperparams_opt.HYPERPARAMS_CONVERTER["ddpg"] = convert_params
