"""RL-Zoo-style DDPG configs: ``ddpg_paper.yml`` (the paper's settings) and ``ddpg_tuned.yml``, and
``measured.yml`` (which of their entries have been measured, and how they did).

Installed as ``sb3_ddpg_ext.zoo_configs``, package data found with :mod:`importlib.resources`:
``sb3-ddpg config tuned --path`` prints where, for ``rl_zoo3.train -conf``.
"""

from importlib.resources import files

# A wheel installs unzipped, so each of these is a file rl_zoo3's -conf can read by its path.
PROFILES = {"paper": files(__name__) / "ddpg_paper.yml", "tuned": files(__name__) / "ddpg_tuned.yml"}
# Which entries the benchmark's results measure, generated from them by bench/report.py.
MEASURED = files(__name__) / "measured.yml"
# Not a file here: rl_zoo3's own ddpg.yml (stock SB3 DDPG), which sb3_ddpg_ext.app.zoo resolves per env so
# that stock runs side by side with ours through the same command.
STOCK_PROFILE = "stock"
