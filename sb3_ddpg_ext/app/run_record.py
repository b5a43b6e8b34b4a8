"""What a run ran with, read back from the trained model and the interpreter: its resolved settings and
the versions of the modules it imported.

A profile entry says what was asked; these say what ran: every hyperparameter the algorithm holds, the
policy's constructor arguments with PaperPolicy's defaults filled in, the exploration noise and its
parameters, the env's wrappers and any observation or reward normalisation.
"""

from __future__ import annotations

import enum
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import torch as th
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.noise import ActionNoise, VectorizedActionNoise
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv, VecEnvWrapper

# Algorithm attributes that change what a run learns (those a class lacks are left out).
ALGORITHM_SETTINGS = (
    "learning_rate",
    "buffer_size",
    "learning_starts",
    "batch_size",
    "tau",
    "gamma",
    "train_freq",
    "gradient_steps",
    "n_steps",
    "optimize_memory_usage",
    "replay_buffer_class",
    "replay_buffer_kwargs",
    "policy_delay",
    "target_policy_noise",
    "target_noise_clip",
    "seed",
)
# The noise's parameters, not its state (position, generator, call count).
NOISE_SETTINGS = (
    *("_mu", "_sigma", "_theta", "_dt", "_sigma_min"),
    *("anneal_steps", "start_stationary", "initial_noise", "_dtype"),
)
VEC_NORMALIZE_SETTINGS = ("norm_obs", "norm_reward", "clip_obs", "clip_reward", "gamma", "epsilon")
# Module -> distribution, for the modules whose version can change a result: the stack, and the physics
# engines (a new MuJoCo or Box2D release can change a task's returns).
DISTRIBUTIONS = {
    "sb3_ddpg_ext": "sb3-ddpg-ext",
    "stable_baselines3": "stable-baselines3",
    "sb3_contrib": "sb3-contrib",
    "rl_zoo3": "rl_zoo3",
    "torch": "torch",
    "gymnasium": "gymnasium",
    "numpy": "numpy",
    "mujoco": "mujoco",
    "Box2D": "box2d",
    "gymnasium_robotics": "gymnasium-robotics",
    "optuna": "optuna",
}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def plain(value: Any) -> Any:
    """``value`` as JSON: arrays as lists, classes and functions by dotted name, anything else as its repr
    without memory addresses (so that two runs of the same settings record the same text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (np.ndarray, np.generic, th.Tensor)):
        return value.tolist()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, np.dtype):
        return str(value)
    return _ADDRESS.sub("", repr(value))


def noise_settings(noise: ActionNoise | None) -> Any:
    if noise is None:
        return None
    if isinstance(noise, VectorizedActionNoise):
        # One noise per env, all of the same class and parameters; their streams differ, not their settings.
        return {
            "class": plain(type(noise)),
            "n_envs": noise.n_envs,
            "noise": noise_settings(noise.base_noise),
        }
    values = {
        name.lstrip("_"): plain(getattr(noise, name)) for name in NOISE_SETTINGS if hasattr(noise, name)
    }
    return {"class": plain(type(noise)), **values}


def env_settings(env: VecEnv | None) -> Any:
    """The VecEnv wrappers (outermost first, with VecNormalize's settings), the VecEnv, and the Gymnasium
    wrappers of its first env (outermost first) with the env's own kwargs."""
    if env is None:
        return None
    vec_wrappers = []
    while isinstance(env, VecEnvWrapper):
        wrapper: dict[str, Any] = {"class": plain(type(env))}
        wrapper.update(
            {name: plain(getattr(env, name)) for name in VEC_NORMALIZE_SETTINGS if hasattr(env, name)}
        )
        vec_wrappers.append(wrapper)
        env = env.venv
    settings: dict[str, Any] = {
        "vec_wrappers": vec_wrappers,
        "vec_env": plain(type(env)),
        "n_envs": env.num_envs,
    }
    if isinstance(env, DummyVecEnv):
        inner, wrappers = env.envs[0], []
        while hasattr(inner, "env"):
            wrappers.append(plain(type(inner)))
            inner = inner.env
        spec = inner.spec
        settings.update(
            wrappers=wrappers, env=plain(type(inner)), env_kwargs=plain(spec.kwargs if spec else {})
        )
    return settings


def model_settings(model: BaseAlgorithm) -> dict[str, Any]:
    """Every setting the trained ``model`` ran with, as JSON."""
    policy = {
        key: plain(value)
        for key, value in model.policy._get_constructor_parameters().items()
        if key not in ("observation_space", "action_space", "lr_schedule")
    }
    return {
        "algorithm": plain(type(model)),
        **{name: plain(getattr(model, name)) for name in ALGORITHM_SETTINGS if hasattr(model, name)},
        "policy": {"class": plain(type(model.policy)), **policy},
        "action_noise": noise_settings(model.action_noise),
        "env": env_settings(model.get_env()),
    }


def imported_versions() -> dict[str, str]:
    """The Python version and the version of each module in :data:`DISTRIBUTIONS` that is imported now
    (the module's own ``__version__`` first: an editable install's metadata can be stale)."""
    versions = {"python": sys.version.split()[0]}
    for module_name, distribution in DISTRIBUTIONS.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        found = getattr(module, "__version__", None)
        if not isinstance(found, str):
            try:
                found = version(distribution)
            except PackageNotFoundError:
                found = "unknown"
        versions[distribution] = found
    return versions
