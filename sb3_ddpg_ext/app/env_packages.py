"""The envs of our profiles that a package other than Gymnasium registers, and registering them."""

from __future__ import annotations

import importlib

import gymnasium as gym

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.extras import install_hint

# The profiles' envs that another package registers: env id -> (the package, the extra that installs it).
ENV_PACKAGES = {"PointMaze_UMaze-v3": ("gymnasium_robotics", "robotics")}


def register_env_packages(env_id: str) -> None:
    """Import the package that registers ``env_id`` when Gymnasium does not know it yet (what rl_zoo3's
    ``--gym-packages`` does by hand); refuse, naming the extra, when that package is not installed."""
    if env_id in gym.registry or env_id not in ENV_PACKAGES:
        return
    package, extra = ENV_PACKAGES[env_id]
    try:
        importlib.import_module(package)
    except ModuleNotFoundError:
        raise UsageError(
            f"{env_id} is registered by {package}, which is not installed: install the {extra!r} extra, "
            f"{install_hint(extra)}."
        ) from None
