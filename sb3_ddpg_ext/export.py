"""A model format that loads without unpickling: tensors, plus the policy's constructor arguments as JSON.

SB3's model zips are unpickled on load, which runs whatever code the file's author put in them.
:func:`export_policy` writes ``policy.pt`` (a plain state dict, read back with
``torch.load(weights_only=True)``, which refuses anything but tensors and containers) and
``policy.json``; :func:`load_weights` rebuilds the policy from them. Classes named in the JSON (the
activation, the optimizer, the feature extractor) are only looked up in an allow-list of modules, and
must be torch modules or optimizers: nothing in the files can name a function to call.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.preprocessing import is_image_space
from stable_baselines3.common.vec_env import VecEnv, VecTransposeImage

FORMAT = 1
WEIGHTS = "policy.pt"
CONSTRUCTOR = "policy.json"
# Where the classes a policy's constructor takes may come from, and what they must be.
ALLOWED_MODULES = (
    "torch.nn",
    "torch.optim",
    "stable_baselines3.common.torch_layers",
    "stable_baselines3.td3.policies",
    "sb3_ddpg_ext",
    "sb3_contrib.common.torch_layers",
)
ALLOWED_BASES = (th.nn.Module, th.optim.Optimizer)


class ExportError(ValueError):
    """Files that are not an export of ours, or that do not match the env."""


def _encode(value: Any) -> Any:
    if isinstance(value, type):
        return {"class": f"{value.__module__}.{value.__qualname__}"}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ExportError(f"Cannot export the constructor argument {value!r} ({type(value).__name__}) as JSON.")


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"class"}:
        return _allowed_class(value["class"])
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _allowed_class(name: str) -> type:
    module_name, _, class_name = name.rpartition(".")
    if not any(
        module_name == allowed or module_name.startswith(f"{allowed}.") for allowed in ALLOWED_MODULES
    ):
        raise ExportError(f"{name} is not a class an exported policy may name (allowed: {ALLOWED_MODULES}).")
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, (BasePolicy, *ALLOWED_BASES))):
        raise ExportError(f"{name} is not a torch module, optimizer or policy class.")
    return cls


def _encode_box(space: gym.Space) -> dict[str, Any]:
    if not isinstance(space, spaces.Box):
        raise ExportError(f"Only Box spaces can be exported, got {space}.")

    def bound(array: np.ndarray) -> Any:  # one number for a uniform bound (images), else the full list
        return array.flat[0].item() if np.all(array == array.flat[0]) else array.tolist()

    return {
        "shape": list(space.shape),
        "dtype": str(space.dtype),
        "low": bound(space.low),
        "high": bound(space.high),
    }


def _decode_box(data: dict[str, Any]) -> spaces.Box:
    dtype = np.dtype(data["dtype"])
    low = np.broadcast_to(np.asarray(data["low"], dtype=dtype), data["shape"])
    high = np.broadcast_to(np.asarray(data["high"], dtype=dtype), data["shape"])
    return spaces.Box(low=low, high=high, dtype=dtype)


def export_policy(policy: BasePolicy, out: Path, metadata: dict[str, Any] | None = None) -> Path:
    """Write ``policy`` to the folder ``out`` as ``policy.pt`` and ``policy.json``.

    :param policy: an SB3 policy (PaperPolicy, CnnPaperPolicy, or SB3's own DDPG/TD3 policies).
    :param out: the folder, created if needed.
    :param metadata: shown to whoever loads it (the env id and wrappers it was trained with).
    """
    arguments = policy._get_constructor_parameters()
    observation_space, action_space = arguments.pop("observation_space"), arguments.pop("action_space")
    arguments.pop("lr_schedule", None)  # the policy only acts: its optimizers get a dummy schedule
    out.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().cpu().clone() for name, tensor in policy.state_dict().items()}
    th.save(state, out / WEIGHTS)
    constructor = {
        "format": FORMAT,
        "policy_class": _encode(type(policy))["class"],
        "observation_space": _encode_box(observation_space),
        "action_space": _encode_box(action_space),
        "arguments": _encode(arguments),
        "weights_sha256": hashlib.sha256((out / WEIGHTS).read_bytes()).hexdigest(),
        "metadata": metadata or {},
    }
    (out / CONSTRUCTOR).write_text(json.dumps(constructor, indent=2) + "\n")
    return out


def load_weights(
    directory: str | Path, env: gym.Env | VecEnv | None = None, device: str = "cpu"
) -> BasePolicy:
    """The policy exported to ``directory``, rebuilt without unpickling anything; use its ``predict()``.

    Example:
        >>> policy = load_weights("exported/", env)  # doctest: +SKIP
        >>> action, _ = policy.predict(obs, deterministic=True)  # doctest: +SKIP

    :param directory: a folder written by :func:`export_policy` (``sb3-ddpg export``).
    :param env: if given, the env the policy will act in: its spaces must be the policy's.
    :param device: the torch device of the policy.
    """
    directory = Path(directory)
    if not (directory / CONSTRUCTOR).is_file() or not (directory / WEIGHTS).is_file():
        raise ExportError(
            f"{directory} is not an exported policy: it needs {CONSTRUCTOR} and {WEIGHTS}. Write one with "
            "`sb3-ddpg export RUN_DIR --out DIR`."
        )
    try:
        constructor = json.loads((directory / CONSTRUCTOR).read_text())
    except json.JSONDecodeError as error:
        raise ExportError(f"{directory / CONSTRUCTOR} is not valid JSON ({error}).") from None
    if constructor.get("format") != FORMAT:
        raise ExportError(
            f"{directory} has export format {constructor.get('format')}; this version reads {FORMAT}."
        )
    if hashlib.sha256((directory / WEIGHTS).read_bytes()).hexdigest() != constructor["weights_sha256"]:
        raise ExportError(
            f"{directory / WEIGHTS} does not match the checksum in {CONSTRUCTOR}: it is damaged or was "
            "changed. Export the policy again."
        )
    policy_class = _allowed_class(constructor["policy_class"])
    observation_space = _decode_box(constructor["observation_space"])
    action_space = _decode_box(constructor["action_space"])
    if env is not None:
        _check_env(env, observation_space, action_space, constructor.get("metadata", {}))
    policy = policy_class(observation_space, action_space, lambda _: 0.0, **_decode(constructor["arguments"]))
    try:
        state = th.load(directory / WEIGHTS, map_location=device, weights_only=True)
        policy.load_state_dict(state)
    except Exception as error:  # a weights file that is not a plain state dict for this policy
        raise ExportError(f"{directory / WEIGHTS} does not hold this policy's weights ({error}).") from None
    policy.set_training_mode(False)
    return policy.to(device)


def _check_env(
    env: gym.Env | VecEnv, observation_space: spaces.Box, action_space: spaces.Box, metadata: dict[str, Any]
) -> None:
    observed = env.observation_space
    # SB3 feeds images channel-first; a policy exported from such a model takes the env's own layout too.
    transposed = (
        isinstance(observed, spaces.Box)
        and is_image_space(observed)
        and VecTransposeImage.transpose_space(observed) == observation_space
    )
    problems = []
    if observed != observation_space and not transposed:
        problems.append(f"observations {observed} (the policy takes {observation_space})")
    if env.action_space != action_space:
        problems.append(f"actions {env.action_space} (the policy acts in {action_space})")
    if problems:
        trained = metadata.get("env", "its env")
        wrapper = metadata.get("env_wrapper")
        raise ExportError(
            f"This env has {' and '.join(problems)}. The policy was trained on {trained}"
            + (f" wrapped in {wrapper}" if wrapper else "")
            + ": give it that env, with the same wrappers."
        )
