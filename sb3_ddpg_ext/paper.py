"""The settings of Lillicrap et al. (2016), section 7, each written once.

The library's defaults (``DDPG``, ``PaperPolicy``, ``OUNoise``, the layer initialisation), the callbacks,
the search space and the benchmarks read them from here; ``zoo_configs/ddpg_paper.yml`` writes them out
for rl_zoo3, and a test checks that it says the same.
"""

from __future__ import annotations

from typing import Final

# Networks
NET_ARCH: Final = (400, 300)  # actor and critic hidden widths
ACTION_LAYER: Final = 2  # the critic's hidden layer (1-based) that the action joins
FINAL_LAYER_BOUND: Final = 3e-3  # final layers' weights and biases uniform in +-this
PIXEL_FINAL_LAYER_BOUND: Final = 3e-4  # the same, for the networks that learn from pixels

# Optimisation
CRITIC_LEARNING_RATE: Final = 1e-3
ACTOR_LR_SCALE: Final = 0.1  # actor 1e-4 = 0.1 x the critic's 1e-3
CRITIC_WEIGHT_DECAY: Final = 1e-2  # L2 on the critic only
GAMMA: Final = 0.99
TAU: Final = 1e-3
BATCH_SIZE: Final = 64
PIXEL_BATCH_SIZE: Final = 16
BUFFER_SIZE: Final = 1_000_000

# Exploration: Ornstein-Uhlenbeck noise. The paper gives no time step; dt 1 is the plain discrete process.
OU_THETA: Final = 0.15
OU_SIGMA: Final = 0.2
OU_DT: Final = 1.0
