"""Gymnasium wrappers for DDPG-style agents; they depend only on gymnasium and numpy.

Installed as ``sb3_ddpg_wrappers``, a name no project of its own is likely to have. ``import wrappers``
gives the same modules (not copies, so ``isinstance`` holds across both names) where no other
``wrappers`` comes first on the path.
"""

import importlib
import sys

from .action_repeat import ActionRepeat
from .normalized_actions import NormalizedActions
from .pixels import PaperPixels

__all__ = ["ActionRepeat", "NormalizedActions", "PaperPixels"]

PACKAGE = "sb3_ddpg_wrappers"
MODULES = ("action_repeat", "normalized_actions", "pixels")

if __name__ != PACKAGE:  # this folder imported by its older name: hand out the installed modules
    _package = importlib.import_module(PACKAGE)
    sys.modules[__name__] = _package
    for _module in MODULES:
        sys.modules[f"{__name__}.{_module}"] = importlib.import_module(f"{PACKAGE}.{_module}")
