"""The DDPG paper (Lillicrap et al. 2016) for Stable-Baselines3.

Importing this package registers ``"PaperPolicy"``, ``"CnnPaperPolicy"`` and ``"MultiInputPaperPolicy"`` with
SB3's ``DDPG`` and ``TD3``
(and nothing else), so ``stable_baselines3.DDPG("PaperPolicy", env)`` works, and registers the pixel env ids
of :mod:`sb3_ddpg_ext.envs` with Gymnasium.
"""

import stable_baselines3
from stable_baselines3.common.policies import BasePolicy

from sb3_ddpg_ext.cnn_policies import CnnPaperPolicy
from sb3_ddpg_ext.ddpg import DDPG
from sb3_ddpg_ext.envs import register_pixel_envs
from sb3_ddpg_ext.export import load_weights
from sb3_ddpg_ext.noise import OUNoise
from sb3_ddpg_ext.policies import MultiInputPaperPolicy, PaperPolicy

# The one place the version is written: pyproject.toml reads it, and run summaries record this, the code
# that ran, rather than an editable install's metadata, which is not rewritten when the code changes.
__version__ = "0.3.0"

POLICY_ALIASES: dict[str, type[BasePolicy]] = {
    "PaperPolicy": PaperPolicy,
    "CnnPaperPolicy": CnnPaperPolicy,
    "MultiInputPaperPolicy": MultiInputPaperPolicy,
}


def _register_policy_aliases() -> None:
    # New dicts rather than in-place updates: TD3.policy_aliases may be shared with other classes.
    for algo in (stable_baselines3.TD3, stable_baselines3.DDPG):
        algo.policy_aliases = {**algo.policy_aliases, **POLICY_ALIASES}


_register_policy_aliases()
register_pixel_envs()

__all__ = [
    "DDPG",
    "CnnPaperPolicy",
    "MultiInputPaperPolicy",
    "OUNoise",
    "PaperPolicy",
    "__version__",
    "load_weights",
]
