"""RL-Zoo-style DDPG configs: ``ddpg_paper.yml`` (the paper's settings) and ``ddpg_tuned.yml``."""

from pathlib import Path

CONFIG_DIR = Path(__file__).parent
PROFILES = {"paper": CONFIG_DIR / "ddpg_paper.yml", "tuned": CONFIG_DIR / "ddpg_tuned.yml"}
