"""The application behind the ``sb3-ddpg`` command: run folders, rl_zoo3 profiles, checkpoints and exact
resume, evaluation, plots and hyperparameter search.

It needs the ``zoo`` extra (rl_zoo3, matplotlib, Optuna); the library around it (:mod:`sb3_ddpg_ext`) does
not.
"""
