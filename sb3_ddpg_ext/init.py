"""Deprecated: the layer initialisation is :mod:`sb3_ddpg_ext.initialization` (this name read as the
package's ``__init__``)."""

import warnings

from sb3_ddpg_ext.initialization import fan_in_conv, fan_in_linear, uniform_linear
from sb3_ddpg_ext.paper import FINAL_LAYER_BOUND as PAPER_FINAL_BOUND
from sb3_ddpg_ext.paper import PIXEL_FINAL_LAYER_BOUND as PAPER_PIXEL_FINAL_BOUND

warnings.warn(
    "sb3_ddpg_ext.init is deprecated: import from sb3_ddpg_ext.initialization (the layers) and "
    "sb3_ddpg_ext.paper (the bounds, FINAL_LAYER_BOUND and PIXEL_FINAL_LAYER_BOUND).",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["PAPER_FINAL_BOUND", "PAPER_PIXEL_FINAL_BOUND", "fan_in_conv", "fan_in_linear", "uniform_linear"]
