"""An Optuna search space for PaperPolicy and OUNoise, for rl_zoo3's ``--algo ddpg --optimize``.

Opt-in: rl_zoo3 imports the modules named by ``--gym-packages``; naming this one makes rl_zoo3's DDPG
sampler (and its converter, used by ``--trial-id``) search the paper's knobs instead of TD3's generic
ones. Nothing changes for a process that does not import it::

    python -m rl_zoo3.train --algo ddpg --env Pendulum-v1 -conf zoo_configs/ddpg_tuned.yml \\
        --gym-packages sb3_ddpg_ext.app.zoo_search --optimize --n-trials 20 -n 10000 \\
        --storage sqlite:///logs/optuna.sqlite3 --study-name ddpg-Pendulum-v1

Several workers (processes or machines) share a study through a database URL (``--storage
postgresql://...``) and ``--max-total-trials N``. Two things make that survive a worker that dies:

- Database storages get Optuna's heartbeats: a trial whose worker stopped beating for
  ``SB3_DDPG_GRACE_S`` seconds (default 90; beats every ``SB3_DDPG_HEARTBEAT_S``, default 30) is marked
  failed by the next worker to start a trial. rl_zoo3 passes the URL as is, which has no heartbeat, so
  a killed worker's trial stayed "running" forever.
- rl_zoo3 stops a worker once finished plus running trials reach N, counting running ones so that
  workers do not overshoot. A dead worker's trial then counted towards N, and the study ended a trial
  short. :class:`CompleteTrials` stops only at N finished trials: while others' running trials would make
  up N, it waits for them to finish or be marked failed, and takes over a failed one's place.

Each trial records the worker that ran it (``worker``: host and process id) as a user attribute.
"""

from __future__ import annotations

import os
import socket
import time
import warnings
from collections.abc import Container
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from sb3_ddpg_ext import paper
from sb3_ddpg_ext.app.rl_zoo3_adapter import install_search
from sb3_ddpg_ext.callbacks import DDPGDiagnostics, OUNoiseCallback
from sb3_ddpg_ext.noise import OUNoise

NOISE_CALLBACK = f"{OUNoiseCallback.__module__}.{OUNoiseCallback.__name__}"
DIAGNOSTICS_CALLBACK = f"{DDPGDiagnostics.__module__}.{DDPGDiagnostics.__name__}"


def convert_params(params: dict[str, Any]) -> dict[str, Any]:
    """Map a trial's sampled values to rl_zoo3 hyperparameters (the noise as a config callback entry)."""
    return {
        "gamma": 1 - params["one_minus_gamma"],
        "learning_rate": params["learning_rate"],
        "batch_size": params["batch_size"],
        "tau": params["tau"],
        "learning_starts": params["learning_starts"],
        "policy_kwargs": dict(
            net_arch=list(paper.NET_ARCH),
            batch_norm=params["batch_norm"],
            actor_lr_scale=params["actor_lr_scale"],
            critic_weight_decay=params["critic_weight_decay"],
        ),
        "callback": [
            {NOISE_CALLBACK: dict(sigma=params["noise_sigma"], theta=params["noise_theta"], dt=1.0)},
            {DIAGNOSTICS_CALLBACK: {}},
        ],
    }


def sample_params(
    trial: optuna.Trial, n_actions: int, n_envs: int, additional_args: dict[str, Any]
) -> dict[str, Any]:
    """Sample DDPG hyperparameters for PaperPolicy and an OUNoise (theta 1 with dt 1 is white noise)."""
    trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
    trial.suggest_float("one_minus_gamma", 0.005, 0.05, log=True)
    trial.suggest_float("learning_rate", 1e-4, 3e-3, log=True)
    trial.suggest_categorical("batch_size", [64, 128, 256])
    trial.suggest_categorical("tau", [0.001, 0.005, 0.01, 0.02])
    trial.suggest_categorical("learning_starts", [100, 1000, 5000])
    trial.suggest_categorical("batch_norm", [False, True])
    trial.suggest_categorical("actor_lr_scale", [0.1, 0.3, 1.0])
    trial.suggest_categorical("critic_weight_decay", [0.0, 1e-4, 1e-2])
    trial.suggest_float("noise_sigma", 0.05, 0.5)
    trial.suggest_categorical("noise_theta", [0.05, 0.15, 0.5, 1.0])
    hyperparams = convert_params(trial.params)
    noise_kwargs = hyperparams.pop("callback")[0][NOISE_CALLBACK]
    # A noise on the model is kept by the config's OUNoiseCallback, so the sampled one is used.
    hyperparams["action_noise"] = OUNoise(np.zeros(n_actions), **noise_kwargs)
    return hyperparams


def heartbeat_s() -> tuple[int, int]:
    """The heartbeat interval and the grace period, in seconds (environment variables, see above)."""
    interval = int(os.environ.get("SB3_DDPG_HEARTBEAT_S", 30))
    return interval, int(os.environ.get("SB3_DDPG_GRACE_S", 3 * interval))


def create_study(*args: Any, storage: Any = None, **kwargs: Any) -> optuna.Study:
    """``optuna.create_study``, with heartbeats for a database URL (rl_zoo3's ``--storage``)."""
    if isinstance(storage, str) and "://" in storage:
        interval, grace = heartbeat_s()
        storage = optuna.storages.RDBStorage(storage, heartbeat_interval=interval, grace_period=grace)
    return optuna.create_study(*args, storage=storage, **kwargs)


class CompleteTrials:
    """Stop the study at ``n_trials`` finished trials, whatever happens to the other workers.

    A drop-in for the ``MaxTrialsCallback`` that rl_zoo3 builds for ``--max-total-trials``, with its
    arguments.

    :param n_trials: the number of finished trials (in ``states``, less RUNNING) the study needs.
    :param states: the states that count; RUNNING among them means "count others' running trials".
    """

    def __init__(self, n_trials: int, states: Container[TrialState] | None = (TrialState.COMPLETE,)):
        self.n_trials = n_trials
        self.states = tuple(state for state in TrialState if states is None or state in states)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        finished_states = tuple(state for state in self.states if state != TrialState.RUNNING)
        while True:
            with (
                warnings.catch_warnings()
            ):  # fail_stale_trials is experimental; it does nothing without heartbeats
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(study)
            finished = len(study.get_trials(deepcopy=False, states=finished_states))
            running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
            if finished >= self.n_trials:
                study.stop()
                return
            if TrialState.RUNNING not in self.states or finished + running < self.n_trials:
                return  # this worker runs another trial
            # Others' running trials would make up the study: wait until they finish, or fail stale.
            time.sleep(heartbeat_s()[0])


class _OptunaWithHeartbeats:
    """rl_zoo3's view of the optuna module: the same, but its create_study gives databases heartbeats."""

    create_study = staticmethod(create_study)

    def __getattr__(self, name: str) -> Any:
        return getattr(optuna, name)


install_search(sample_params, convert_params, CompleteTrials, _OptunaWithHeartbeats())
