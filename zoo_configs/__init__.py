"""RL-Zoo-style DDPG configs: ``ddpg_paper.yml`` (the paper's settings) and ``ddpg_tuned.yml``."""

from pathlib import Path

CONFIG_DIR = Path(__file__).parent
PROFILES = {"paper": CONFIG_DIR / "ddpg_paper.yml", "tuned": CONFIG_DIR / "ddpg_tuned.yml"}
# Not a file here: rl_zoo3's own ddpg.yml (stock SB3 DDPG), which sb3_ddpg_ext.app.zoo resolves per env so
# that stock runs side by side with ours through the same command.
STOCK_PROFILE = "stock"
