"""Shared test set-up."""

import sys
from pathlib import Path

if Path(__file__).resolve().parent.parent.name == "mutants":
    # Under mutmut the sources are a mutated copy in mutants/, whose wrappers/ folder imports as `wrappers`
    # only; `sb3_ddpg_wrappers` would be the installed, unmutated original. Point it at the copy.
    import wrappers
    import wrappers.normalized_actions

    sys.modules["sb3_ddpg_wrappers"] = wrappers
    sys.modules["sb3_ddpg_wrappers.normalized_actions"] = wrappers.normalized_actions
