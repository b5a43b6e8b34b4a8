"""Shared test set-up."""

import os
import sys

if os.environ.get("MUTANT_UNDER_TEST"):
    # Under mutmut, the mutated sources are a copy whose wrappers/ folder is importable as `wrappers` only;
    # the installed `sb3_ddpg_wrappers` would be the unmutated original. Point it at the copy.
    import wrappers
    import wrappers.normalized_actions

    sys.modules["sb3_ddpg_wrappers"] = wrappers
    sys.modules["sb3_ddpg_wrappers.normalized_actions"] = wrappers.normalized_actions
