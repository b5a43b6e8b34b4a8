"""Checkpoints that resume a run exactly: same seed, same result as a run that was never stopped.

A checkpoint is one file, ``checkpoint.zip`` in the run folder, holding:

- ``model.zip``: SB3's own save (parameters, optimizer states, the learn loop's counters and last
  observation, the action space and its generator);
- ``replay_buffer.pkl``: the buffer's filled part only;
- ``state.pkl``: everything else the next step depends on: numpy's, Python's and torch's global
  generators, the action noise, the envs' episodes so far (see :mod:`sb3_ddpg_ext.app.env_snapshots`) and
  the evaluation history. The run's settings are in its spec (:mod:`sb3_ddpg_ext.app.run_spec`); checkpoints
  written before the spec existed kept them here.

It is written between two env steps, after the gradient steps of the last one, into a temporary file
that is then renamed over the previous checkpoint: a kill at any moment leaves the last good one.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import pickle
import random
import signal
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch as th
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.buffers import BaseBuffer, ReplayBuffer
from stable_baselines3.common.callbacks import BaseCallback, EvalCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.vec_env import VecEnv

from sb3_ddpg_ext.app import env_snapshots
from sb3_ddpg_ext.noise import set_action_noise

CHECKPOINT = "checkpoint.zip"
FORMAT = 1
EVAL_HISTORY = (
    "evaluations_results",
    "evaluations_timesteps",
    "evaluations_length",
    "evaluations_successes",
    "_is_success_buffer",
    "best_mean_reward",
    "last_mean_reward",
)


class CheckpointError(Exception):
    """A checkpoint that is missing, damaged or from another version."""


def buffer_state(buffer: BaseBuffer) -> dict[str, Any]:
    """The buffer's attributes, with its storage arrays cut to their filled part."""
    filled = buffer.buffer_size if buffer.full else buffer.pos

    def cut(value: Any) -> Any:
        if isinstance(value, np.ndarray) and value.shape[:1] == (buffer.buffer_size,):
            return value[:filled]
        if isinstance(value, dict) and value and all(isinstance(v, np.ndarray) for v in value.values()):
            return {key: cut(array) for key, array in value.items()}
        return value

    # Not the device, nor HerReplayBuffer's env (it recomputes relabelled goals' rewards with it): the
    # resumed run's fresh buffer has its own.
    return {name: cut(value) for name, value in vars(buffer).items() if name not in ("device", "env")}


def load_buffer_state(buffer: BaseBuffer, state: dict[str, Any]) -> None:
    """Copy :func:`buffer_state`'s output into a freshly allocated buffer of the same configuration."""

    def put(name: str, current: Any, saved: Any) -> Any:
        if isinstance(current, np.ndarray) and isinstance(saved, np.ndarray):
            if current.shape[1:] != saved.shape[1:] or current.dtype != saved.dtype:
                raise CheckpointError(
                    f"The checkpoint's replay buffer {name} has shape {saved.shape} and dtype {saved.dtype}; "
                    f"this run's has {current.shape} and {current.dtype}: the config has changed."
                )
            current[: len(saved)] = saved
            return current
        if isinstance(current, dict) and isinstance(saved, dict):
            return {key: put(f"{name}[{key}]", current[key], saved[key]) for key in saved}
        return saved

    for name, saved in state.items():
        setattr(buffer, name, put(name, getattr(buffer, name, None), saved))


def random_states() -> dict[str, Any]:
    states = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": th.get_rng_state()}  # noqa: NPY002
    if th.cuda.is_available():
        states["cuda"] = th.cuda.get_rng_state_all()
    return states


def set_random_states(states: dict[str, Any]) -> None:
    random.setstate(states["python"])
    np.random.set_state(states["numpy"])  # noqa: NPY002
    th.set_rng_state(states["torch"])
    if "cuda" in states and th.cuda.is_available():
        th.cuda.set_rng_state_all(states["cuda"])


def eval_callback(callbacks: list[BaseCallback]) -> EvalCallback | None:
    return next((callback for callback in callbacks if isinstance(callback, EvalCallback)), None)


def _off_policy(model: BaseAlgorithm) -> tuple[OffPolicyAlgorithm, VecEnv, ReplayBuffer]:
    # What a checkpoint holds besides the model: its replay buffer and its envs' state.
    env = model.get_env()
    if not isinstance(model, OffPolicyAlgorithm) or env is None or model.replay_buffer is None:
        raise CheckpointError(
            f"A checkpoint holds an off-policy model set up with its envs and replay buffer, not this "
            f"{type(model).__name__}."
        )
    return model, env, model.replay_buffer


def write_checkpoint(
    path: Path,
    model: BaseAlgorithm,
    callbacks: list[BaseCallback],
    wall_s: float,
    eval_walls: list[tuple[int, float]] | None = None,
) -> None:
    """Write the checkpoint atomically: a temporary file in the same folder, flushed, then renamed."""
    model, env, buffer = _off_policy(model)
    evaluation = eval_callback(callbacks)
    state = dict(
        format=FORMAT,
        num_timesteps=model.num_timesteps,
        wall_time_s=wall_s,
        eval_walls=list(eval_walls or []),
        random=random_states(),
        action_space_generator=copy.deepcopy(model.action_space.np_random),
        action_noise=pickle.dumps(model.action_noise),  # as bytes: later steps must not advance it
        env=env_snapshots.snapshot(env),
        eval_env=None if evaluation is None else env_snapshots.snapshot(evaluation.eval_env),
        eval_history=None
        if evaluation is None
        else {name: copy.deepcopy(getattr(evaluation, name)) for name in EVAL_HISTORY},
    )
    saved_model = io.BytesIO()
    model.save(saved_model)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as file:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("model.zip", saved_model.getvalue())
            with archive.open("replay_buffer.pkl", "w", force_zip64=True) as member:
                pickle.dump(buffer_state(buffer), member, protocol=pickle.HIGHEST_PROTOCOL)
            archive.writestr("state.pkl", pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)


class Checkpoint:
    """A checkpoint read back: its state, and how to put a freshly set-up run into it.

    :param path: the checkpoint file.
    """

    def __init__(self, path: Path):
        if not path.is_file():
            raise CheckpointError(f"There is no checkpoint at {path}.")
        try:
            with zipfile.ZipFile(path) as archive:
                self.state: dict[str, Any] = pickle.loads(archive.read("state.pkl"))
                self.model_bytes = archive.read("model.zip")
                with archive.open("replay_buffer.pkl") as member:  # streamed: no second copy in memory
                    self.buffer: dict[str, Any] = pickle.load(member)
        except (zipfile.BadZipFile, KeyError, EOFError, pickle.UnpicklingError) as error:
            raise CheckpointError(f"The checkpoint {path} is damaged ({error}).") from None
        if self.state.get("format") != FORMAT:
            raise CheckpointError(
                f"The checkpoint {path} has format {self.state.get('format')}, not {FORMAT}."
            )

    @property
    def num_timesteps(self) -> int:
        return int(self.state["num_timesteps"])

    @property
    def legacy_settings(self) -> dict[str, Any] | None:
        """The run's settings, in a checkpoint written before run folders had a spec (else None)."""
        return self.state.get("settings")

    def restore(self, fresh: BaseAlgorithm, callbacks: list[BaseCallback]) -> BaseAlgorithm:
        """The checkpoint's model, on ``fresh``'s (newly made) envs, every state as at the checkpoint.

        :param fresh: a model built from the same config; its envs and buffer are reused.
        :param callbacks: the run's callbacks; their counters and the evaluation history are restored.
        """
        fresh, env, buffer = _off_policy(fresh)
        model = type(fresh).load(
            io.BytesIO(self.model_bytes), env=env, device=fresh.device, force_reset=False
        )
        # The saved model keeps the folder it was trained in; a run folder that was moved logs where it is.
        model.tensorboard_log = fresh.tensorboard_log
        model.replay_buffer = buffer
        load_buffer_state(buffer, self.buffer)
        steps_per_env = self.num_timesteps // model.n_envs
        env_snapshots.restore(env, self.state["env"], steps_per_env)
        evaluation = eval_callback(callbacks)
        if evaluation is not None and self.state["eval_env"] is not None:
            env_snapshots.restore(evaluation.eval_env, self.state["eval_env"], 0)
            for name, value in self.state["eval_history"].items():
                setattr(evaluation, name, value)
        for callback in callbacks:
            callback.n_calls = steps_per_env  # callbacks count env steps per env from the run's start
        # Loading re-seeded every generator from the model's seed: put back the ones of the checkpoint.
        model.action_space._np_random = copy.deepcopy(self.state["action_space_generator"])
        set_random_states(self.state["random"])
        return model


def checkpoint_step(path: Path) -> int:
    """The env step at which the checkpoint ``path`` was written, read without loading its model or buffer."""
    try:
        with zipfile.ZipFile(path) as archive:
            return int(pickle.loads(archive.read("state.pkl"))["num_timesteps"])
    except (OSError, zipfile.BadZipFile, KeyError, EOFError, pickle.UnpicklingError) as error:
        raise CheckpointError(f"The checkpoint {path} is damaged ({error}).") from None


class Checkpointer(BaseCallback):
    """Write a checkpoint every ``freq`` env steps, at the start of training, when training ends, and
    where Ctrl-C stopped it (see :meth:`ctrl_c_stops_at_a_checkpoint`).

    A checkpoint is taken between env steps, where nothing is half-done: at the start of a rollout,
    after the previous step's gradient steps.

    :param path: the checkpoint file.
    :param freq: env steps between checkpoints (0: only at the start and the end).
    :param budget: the run's total steps; the final checkpoint is written only when it is reached.
    :param callbacks: the run's callbacks (their state is saved too).
    :param resumed_from: the checkpoint this segment resumes, whose action noise it puts back after
        ``learn()`` has reset it.
    """

    def __init__(
        self,
        path: Path,
        freq: int,
        budget: int,
        callbacks: list[BaseCallback],
        resumed_from: Checkpoint | None = None,
    ):
        super().__init__()
        self.path = path
        self.freq = freq
        self.budget = budget
        self.callbacks = callbacks
        self.resumed_from = resumed_from
        self.wall_before = 0.0 if resumed_from is None else float(resumed_from.state["wall_time_s"])
        # (env step, wall-clock) at each periodic evaluation: how long a run takes to reach a return.
        self.eval_walls: list[tuple[int, float]] = (
            [] if resumed_from is None else list(resumed_from.state.get("eval_walls", []))
        )
        self._evaluation: EvalCallback | None = None
        self._evals_seen = 0
        self._next = 0 if resumed_from is None else self._after(resumed_from.num_timesteps)
        self._start = time.perf_counter()
        self._stop_requested = False

    def _after(self, steps: int) -> int:
        return (steps // self.freq + 1) * self.freq if self.freq > 0 else self.budget

    @property
    def wall_time_s(self) -> float:
        """Training time over every segment of the run."""
        return self.wall_before + time.perf_counter() - self._start

    def _on_training_start(self) -> None:
        self._start = time.perf_counter()
        self._evaluation = eval_callback(self.callbacks)  # looked up once: _on_step runs every env step
        self._evals_seen = 0 if self._evaluation is None else len(self._evaluation.evaluations_timesteps)
        if self.resumed_from is not None:
            set_action_noise(self.model, pickle.loads(self.resumed_from.state["action_noise"]))

    def _on_rollout_start(self) -> None:
        if self._stop_requested:  # Ctrl-C came during the last step: stop here, resumable from here
            self.save()
            raise KeyboardInterrupt
        if self._next <= self.model.num_timesteps < self.budget:
            self.save()
            self._next = self._after(self.model.num_timesteps)

    def _on_step(self) -> bool:
        # Runs after the evaluation callback (it comes later in the list), so a new evaluation is seen
        # in the step that made it, with its own duration counted.
        evaluation = self._evaluation
        if evaluation is not None and len(evaluation.evaluations_timesteps) > self._evals_seen:
            self._evals_seen = len(evaluation.evaluations_timesteps)
            self.eval_walls.append((int(evaluation.evaluations_timesteps[-1]), self.wall_time_s))
        return True

    def _on_training_end(self) -> None:
        if self.model.num_timesteps >= self.budget:
            self.save()

    @contextlib.contextmanager
    def ctrl_c_stops_at_a_checkpoint(self) -> Iterator[None]:
        """While training, Ctrl-C (SIGINT) lets the env step under way finish, writes a checkpoint and
        stops with ``KeyboardInterrupt``: a KeyboardInterrupt raised mid-step would leave a state no
        checkpoint can hold. A second Ctrl-C stops at once."""

        def on_ctrl_c(signum: int, frame: object) -> None:
            if self._stop_requested:
                raise KeyboardInterrupt
            self._stop_requested = True

        previous = signal.signal(signal.SIGINT, on_ctrl_c)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def save(self) -> None:
        write_checkpoint(self.path, self.model, self.callbacks, self.wall_time_s, self.eval_walls)
