"""Every place the application leans on rl_zoo3's internals, in one module. When rl_zoo3 changes, this is
the file to update, and :func:`check_internals` (run by the tests, and before every run) says what
changed; it also checks the two private attributes of SB3 and Gymnasium that checkpoints restore (a
VecEnv's ``_seeds`` in :mod:`~sb3_ddpg_ext.app.env_snapshots`, a space's ``_np_random`` in
:mod:`~sb3_ddpg_ext.app.checkpoints`).

``pyproject.toml`` bounds rl_zoo3, SB3 and Gymnasium to the releases CI tests.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import rl_zoo3
import rl_zoo3.exp_manager
import yaml
from gymnasium import spaces
from rl_zoo3 import hyperparams_opt
from rl_zoo3.exp_manager import ExperimentManager
from rl_zoo3.utils import ALGOS, StoreDict
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

from sb3_ddpg_ext.app.env_packages import register_env_packages
from sb3_ddpg_ext.app.env_snapshots import with_recorder
from sb3_ddpg_ext.app.guards import NanGuard

ALGO = "ddpg"


class InternalsChanged(RuntimeError):
    """rl_zoo3 (or SB3, Gymnasium) no longer has the shape this adapter relies on."""


# What RunManager passes to ExperimentManager, and the methods it overrides or calls.
MANAGER_ARGUMENTS = (
    "args", "algo", "env_id", "log_folder", "n_timesteps", "eval_freq", "n_eval_episodes", "seed",
    "config", "hyperparams", "show_progress", "verbose", "log_interval",
)  # fmt: skip
MANAGER_METHODS = {
    "setup_experiment": (),
    "create_envs": ("n_envs", "eval_env", "no_log"),
    "learn": ("model",),
    "save_trained_model": ("model",),
}


def check_internals() -> None:
    """Raise :class:`InternalsChanged`, naming each change, if rl_zoo3's internals (or the private
    attributes of SB3 and Gymnasium read here) are not what this module expects."""
    problems = []
    if not isinstance(ALGOS, dict) or ALGO not in ALGOS:
        problems.append(f"rl_zoo3.utils.ALGOS is no dict with a {ALGO!r} entry")
    init = inspect.signature(ExperimentManager.__init__).parameters
    if missing := [name for name in MANAGER_ARGUMENTS if name not in init]:
        problems.append(f"ExperimentManager() takes no {', '.join(missing)}")
    for method, arguments in MANAGER_METHODS.items():
        function = getattr(ExperimentManager, method, None)
        if function is None or any(a not in inspect.signature(function).parameters for a in arguments):
            problems.append(f"ExperimentManager.{method}({', '.join(arguments)}) is gone")
    for table in ("HYPERPARAMS_SAMPLER", "HYPERPARAMS_CONVERTER"):
        if not isinstance(getattr(hyperparams_opt, table, None), dict):
            problems.append(f"rl_zoo3.hyperparams_opt.{table} is no dict")
    for name in ("MaxTrialsCallback", "optuna"):
        if not hasattr(rl_zoo3.exp_manager, name):
            problems.append(f"rl_zoo3.exp_manager has no {name}")
    if not stock_config_file().is_file():
        problems.append(f"rl_zoo3 has no {stock_config_file()}")
    venv = DummyVecEnv([lambda: gym.make("Pendulum-v1")])
    if not isinstance(getattr(venv, "_seeds", None), list):
        problems.append("SB3's VecEnv keeps no _seeds list")
    venv.close()
    if not isinstance(getattr(spaces.Box(0, 1), "_np_random", "missing"), (np.random.Generator, type(None))):
        problems.append("Gymnasium's spaces keep no _np_random")
    if problems:
        raise InternalsChanged(
            f"rl_zoo3 {rl_zoo3.__version__} has changed where sb3_ddpg_ext/app/rl_zoo3_adapter.py relies on "
            f"it: {'; '.join(problems)}. Install the releases the package admits ({admitted('rl_zoo3')}), or "
            "update that module."
        )


def admitted(distribution: str) -> str:
    """The versions of ``distribution`` that this package's metadata (pyproject.toml) admits."""
    for requirement in importlib.metadata.requires("sb3-ddpg-ext") or []:
        if requirement.lower().replace("-", "_").startswith(distribution.replace("-", "_")):
            return requirement.split(";")[0].strip()
    return distribution


def stock_config_file() -> Path:
    """rl_zoo3's own DDPG hyperparameters (the ``stock`` profile)."""
    return Path(rl_zoo3.__file__).parent / "hyperparams" / f"{ALGO}.yml"


def stock_config() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(stock_config_file().read_text())


def parse_hyperparams(items: list[str]) -> dict[str, Any]:
    """``KEY:VALUE`` strings read as rl_zoo3's ``--hyperparams`` reads them (VALUE evaluated as Python)."""
    namespace = argparse.Namespace()
    StoreDict(["--hyperparams"], "hyperparams", nargs="+")(None, namespace, items)
    return namespace.hyperparams


def evaluate_in_zoo(expression: str) -> Any:
    """A config string evaluated where rl_zoo3 evaluates ``policy_kwargs``, so that names such as
    ``nn.Tanh`` mean what they do there."""
    return eval(expression, vars(rl_zoo3.exp_manager))


def install_search(
    sampler: Callable[..., dict[str, Any]],
    converter: Callable[[dict[str, Any]], dict[str, Any]],
    max_trials_callback: type,
    optuna_module: Any,
) -> None:
    """Make rl_zoo3's ``--algo ddpg --optimize`` sample with ``sampler``, stop with
    ``max_trials_callback`` and create studies through ``optuna_module``: rl_zoo3 looks each up in its
    own modules when it runs a search, and offers no hook to replace them."""
    hyperparams_opt.HYPERPARAMS_SAMPLER[ALGO] = sampler
    hyperparams_opt.HYPERPARAMS_CONVERTER[ALGO] = converter  # type: ignore[assignment]  # typed for on-policy
    rl_zoo3.exp_manager.MaxTrialsCallback = max_trials_callback  # type: ignore[misc, assignment]
    rl_zoo3.exp_manager.optuna = optuna_module


def zoo_args(
    env_id: str, seed: int, budget: int, eval_freq: int, profile: str, overrides: list[str]
) -> argparse.Namespace:
    """The arguments rl_zoo3 saves as ``args.yml``, with the keys its ``enjoy`` reads (``env_kwargs``)."""
    return argparse.Namespace(
        algo=ALGO,
        env=env_id,
        env_kwargs=None,  # the entry's env_kwargs are in config.yml, where enjoy reads them first
        seed=seed,
        n_timesteps=budget,
        eval_freq=eval_freq,
        hyperparams=overrides,
        profile=profile,
    )


class RunManager(ExperimentManager):
    """rl_zoo3's ExperimentManager, writing one run into one run folder.

    rl_zoo3's files keep its own layout and format under the folder (``ddpg/ENV_1/ENV.zip``,
    ``ddpg/ENV_1/ENV/config.yml`` and ``args.yml``, ``evaluations.npz``, ``0.monitor.csv``), so that
    ``python -m rl_zoo3.enjoy --algo ddpg --env ENV -f RUN`` loads the run. With ``nan_guard``, the
    training env is wrapped in :class:`~sb3_ddpg_ext.app.guards.NanGuard`. Every env is wrapped in
    :class:`~sb3_ddpg_ext.app.env_snapshots.EpisodeRecorder` (outermost), so checkpoints can restore it.

    :param run_dir: the run folder.
    :param save_dir: where rl_zoo3's files go: a resumed run's existing folder (default: a new
        ``run_dir/ddpg/ENV_N``, as rl_zoo3 numbers them).
    :param nan_guard: stop at the first NaN or inf observation or reward.
    :param resumed: ``learn()`` continues the model's step count instead of starting from 0.
    :param algo_class: what builds the model (default: rl_zoo3's, stock SB3 ``DDPG``).
    """

    def __init__(
        self,
        run_dir: Path,
        save_dir: Path | None = None,
        nan_guard: bool = False,
        resumed: bool = False,
        algo_class: Callable[..., BaseAlgorithm] | None = None,
        **kwargs: Any,
    ):
        check_internals()
        register_env_packages(kwargs["env_id"])  # what rl_zoo3's --gym-packages does before its manager
        super().__init__(log_folder=str(run_dir), **kwargs)
        if save_dir is not None:
            self.save_path = str(save_dir)
            self.params_path = str(save_dir / self.env_name)
        self.tensorboard_log = str(run_dir / "tensorboard")
        self.nan_guard = nan_guard
        self.resumed = resumed
        self.algo_class = algo_class

    def setup_experiment(self) -> tuple[BaseAlgorithm, dict[str, Any]] | None:
        if self.algo_class is None:
            return super().setup_experiment()
        # rl_zoo3 builds the model from its ALGOS table, with no other way to choose the class.
        stock = ALGOS[self.algo]
        ALGOS[self.algo] = self.algo_class  # type: ignore[assignment]  # setup_experiment only calls it
        try:
            return super().setup_experiment()
        finally:
            ALGOS[self.algo] = stock

    def create_envs(self, n_envs: int, eval_env: bool = False, no_log: bool = False) -> VecEnv:
        configured = self.env_wrapper
        self.env_wrapper = with_recorder(configured)
        try:
            env = super().create_envs(n_envs, eval_env=eval_env, no_log=no_log)
        finally:
            self.env_wrapper = configured
        # The evaluation env too: SB3 syncs VecNormalize statistics by walking both wrapper stacks in step.
        return NanGuard(env, evaluation=eval_env) if self.nan_guard else env

    def learn(self, model: BaseAlgorithm) -> None:
        if not self.resumed:
            return super().learn(model)
        # As rl_zoo3's learn(), which has no way to pass reset_num_timesteps: a resumed run continues its
        # step count, so that schedules and callbacks go on where the checkpoint left them.
        try:
            model.learn(self.n_timesteps, callback=self.callbacks, reset_num_timesteps=False)
        except KeyboardInterrupt:
            pass  # the model so far is saved, as rl_zoo3 does
        finally:
            if self.callbacks:
                self.callbacks[0].on_training_end()  # closes the progress bar
            if model.env is not None:
                model.env.close()
