"""Gymnasium wrappers for DDPG-style agents; they depend only on gymnasium and numpy."""

from wrappers.normalized_actions import NormalizedActions

__all__ = ["NormalizedActions"]
