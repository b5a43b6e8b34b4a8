"""Profiles: loading them, checking their entries and overrides, and the entry a run folder keeps."""

from __future__ import annotations

import difflib
import importlib.util
import inspect
from pathlib import Path
from typing import Any

import gymnasium as gym
import stable_baselines3
import yaml
from gymnasium import spaces

import sb3_ddpg_wrappers
from sb3_ddpg_ext.app import rl_zoo3_adapter
from sb3_ddpg_ext.app.env_packages import register_env_packages
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.extras import install_hint
from sb3_ddpg_ext.app.rl_zoo3_adapter import ALGO, RunManager
from sb3_ddpg_ext.app.runs import SUMMARY
from sb3_ddpg_ext.zoo_configs import PROFILES, STOCK_PROFILE

# Names that moved to rl_zoo3_adapter, errors and runs, still importable from here.
__all__ = ["ALGO", "SUMMARY", "RunManager", "UsageError", "load_profile", "register_env_packages"]


def load_profile(profile: str) -> dict[str, dict[str, Any]]:
    """The YAML config of a profile, one entry per env id."""
    if profile == STOCK_PROFILE:
        return stock_profile()
    if profile not in PROFILES:
        valid = ", ".join([*sorted(PROFILES), STOCK_PROFILE])
        raise UsageError(f"Unknown profile {profile!r}. Valid profiles: {valid}.")
    return yaml.safe_load(PROFILES[profile].read_text())


def stock_profile() -> dict[str, dict[str, Any]]:
    """rl_zoo3's own DDPG config, with entries for our envs that it only has under another name.

    rl_zoo3 2.9 lists the MuJoCo envs as v4 only, all sharing one set of MuJoCo defaults: a v5 env that
    Gymnasium also has as v4 takes its v4 entry, or those defaults (the HalfCheetah-v4 entry) when rl_zoo3
    has no v4 entry either. Our pixel ids have no v4 and no stock entry.
    """
    stock = rl_zoo3_adapter.stock_config()
    ours = load_profile("tuned")
    for env_id in ours:
        name, _, env_version = env_id.rpartition("-")
        if env_id not in stock and env_version == "v5" and f"{name}-v4" in gym.registry:
            stock[env_id] = stock.get(f"{name}-v4", stock["HalfCheetah-v4"])
    return stock


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``KEY:VALUE`` strings to hyperparameters, VALUE evaluated as Python, as rl_zoo3's ``-params``."""
    try:
        return rl_zoo3_adapter.parse_hyperparams(items)
    except Exception as error:
        raise UsageError(
            f"Could not read --hyperparams {' '.join(items)} ({error}). Give KEY:VALUE pairs whose VALUE "
            "is a Python expression, e.g. --hyperparams batch_size:128 policy_kwargs:'dict(batch_norm=True)'."
        ) from None


def merge_policy_kwargs(entry: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` with their ``policy_kwargs`` merged into the entry's: ``dict(batch_norm=True)`` sets
    that option and keeps the profile's others (rl_zoo3's -params would replace them all)."""
    if "policy_kwargs" not in overrides or "policy_kwargs" not in entry:
        return overrides
    merged = {**_policy_kwargs(entry["policy_kwargs"]), **_policy_kwargs(overrides["policy_kwargs"])}
    return {**overrides, "policy_kwargs": merged}


def _policy_kwargs(value: str | dict[str, Any]) -> dict[str, Any]:
    kwargs = rl_zoo3_adapter.evaluate_in_zoo(value) if isinstance(value, str) else value
    if not isinstance(kwargs, dict):
        raise UsageError(f"policy_kwargs must be a dict, e.g. dict(batch_norm=True), got {value!r}.")
    return kwargs


def config_file(profile: str, env_id: str, out: Path) -> Path:
    """The YAML file rl_zoo3 reads the run's hyperparameters from: the profile's entry for the env, copied
    into the run folder (``PROFILE_ddpg.yml``), so that ``--resume`` rebuilds the run from the entry it
    started with even if the profile has changed since. An existing copy is kept."""
    path = out / f"{profile}_ddpg.yml"
    if not path.is_file():
        path.write_text(yaml.safe_dump({env_id: load_profile(profile)[env_id]}, sort_keys=False))
    return path


def engine_extra(env_id: str) -> str:
    """The extra that installs the physics engine of a Gymnasium env (MuJoCo's or Box2D's)."""
    entry_point = str(gym.spec(env_id).entry_point)
    return "box2d" if entry_point.startswith("gymnasium.envs.box2d") else "mujoco"


def check_env(env_id: str, profile: str) -> None:
    """Refuse, with the valid choices, an env that is unknown, not in the profile, or not continuous."""
    register_env_packages(env_id)
    entries = [name for name in load_profile(profile) if name != "default"]
    if env_id not in gym.registry:
        close = difflib.get_close_matches(env_id, list(gym.registry), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UsageError(
            f"Unknown env id {env_id!r}.{hint} Envs with a {profile!r} config: {', '.join(entries)} "
            "(`sb3-ddpg list` shows every profile)."
        )
    try:
        env = gym.make(env_id)
    except gym.error.DependencyNotInstalled as error:
        raise UsageError(
            f"{env_id} needs a package that is not installed ({error}). Install the extra for it: "
            f"{install_hint(engine_extra(env_id))}."
        ) from None
    action_space = env.action_space
    env.close()
    if not isinstance(action_space, spaces.Box):
        raise UsageError(
            f"{env_id} has a {type(action_space).__name__} action space, but DDPG needs continuous (Box) "
            f"actions. Pick a continuous env: {', '.join(entries)}."
        )
    if env_id not in entries:
        raise UsageError(
            f"{env_id!r} has no entry in the {profile!r} profile ({PROFILES.get(profile, STOCK_PROFILE)}). "
            f"Envs it has: {', '.join(entries)}. Add an entry for it there (rl_zoo3 itself falls back to "
            "'default')."
        )


# Keys rl_zoo3 reads from an entry itself; every other key goes to the algorithm's constructor.
ZOO_KEYS = {
    "n_timesteps",
    "policy",
    "policy_kwargs",
    "env_wrapper",
    "vec_env_wrapper",
    "callback",
    "normalize",
    "n_envs",
    "frame_stack",
    "noise_type",
    "noise_std",
    "env_kwargs",
    "monitor_kwargs",
    "replay_buffer_class",
    "replay_buffer_kwargs",
}


def check_keys(entry: dict[str, Any], where: str) -> None:
    """Refuse a key that neither rl_zoo3 nor SB3's DDPG knows, naming the closest valid one."""
    arguments = inspect.signature(stable_baselines3.DDPG.__init__).parameters
    valid = ZOO_KEYS | {name for name in arguments if not name.startswith("_")} - {"self", "env"}
    for key in entry:
        if key not in valid:
            close = difflib.get_close_matches(key, sorted(valid), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"Unknown hyperparameter {key!r} in {where}.{hint} Valid keys: DDPG's arguments "
                f"({', '.join(sorted(valid - ZOO_KEYS))}) and rl_zoo3's ({', '.join(sorted(ZOO_KEYS))})."
            )
    check_wrapper_names(entry, where)


def check_wrapper_names(entry: dict[str, Any], where: str) -> None:
    """Refuse an entry that names our wrappers by their older import name ``wrappers`` where another
    ``wrappers`` (a project's own module) comes first on the path, naming its file and the fix."""
    named = yaml.safe_dump(entry.get("env_wrapper"))
    ours = [name for name in sb3_ddpg_wrappers.__all__ if f"wrappers.{name}" in named]
    if not ours or f"sb3_ddpg_wrappers.{ours[0]}" in named:
        return
    spec = importlib.util.find_spec("wrappers")
    found = spec.origin if spec is not None else None
    if found is None or Path(found).resolve() != Path(sb3_ddpg_wrappers.__file__).resolve():
        raise UsageError(
            f"{where} names wrappers.{ours[0]}, but the module 'wrappers' on the path is not this "
            f"package's: it is {found}. Write sb3_ddpg_wrappers.{ours[0]} instead (the name the package "
            "installs its wrappers under), or rename that module."
        )
