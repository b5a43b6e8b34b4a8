"""Gymnasium wrappers for DDPG-style agents; they depend only on gymnasium and numpy.

Installed as ``sb3_ddpg_wrappers``, a name no project of its own is likely to have.
"""

from .action_repeat import ActionRepeat
from .normalized_actions import NormalizedActions
from .pixels import PaperPixels

__all__ = ["ActionRepeat", "NormalizedActions", "PaperPixels"]
