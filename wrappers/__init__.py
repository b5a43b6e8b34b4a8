"""Gymnasium wrappers for DDPG-style agents; they depend only on gymnasium and numpy."""

from wrappers.action_repeat import ActionRepeat
from wrappers.normalized_actions import NormalizedActions
from wrappers.pixels import PaperPixels

__all__ = ["ActionRepeat", "NormalizedActions", "PaperPixels"]
