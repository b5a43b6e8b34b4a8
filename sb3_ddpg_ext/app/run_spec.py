"""The run spec: what a run folder's run is, in one typed, versioned file (``run.json``).

``sb3-ddpg train`` writes it when training starts, before the first checkpoint, and ``--resume`` rewrites
it with the new budget and one more segment. Every command reads a run through it: resume rebuilds the run
from it, and evaluate, export, plot and the benchmarks find the model, the env and the settings in it.
rl_zoo3's own files (``ddpg/ENV_1/``, in rl_zoo3's layout and format) stay beside it, so that
``python -m rl_zoo3.enjoy --algo ddpg --env ENV -f RUN`` loads the run.

Folders written before the spec existed (package 0.3 and older) are read through :func:`legacy_spec`.
This module imports no rl_zoo3: reading a run does not need it.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import sb3_ddpg_ext
from sb3_ddpg_ext.app.errors import UsageError

SPEC = "run.json"
SPEC_VERSION = 1
# The run's outcome, written when a segment ends.
SUMMARY = "summary.json"
# Folders written before the spec kept the resolved config here, and their settings in the checkpoint.
LEGACY_CONFIG = "config.yml"


@dataclass
class Segment:
    """One stretch of training: a run resumed twice has three.

    :param from_step: the env step it started from.
    :param commit: the git commit of the package's source, where it runs from a checkout (else None).
    :param dirty: whether that checkout had uncommitted changes (None outside a checkout).
    :param versions: the versions of the modules it imported (see ``run_record.imported_versions``).
    """

    from_step: int
    commit: str | None = None
    dirty: bool | None = None
    versions: dict[str, str] = field(default_factory=dict)


@dataclass
class RunSpec:
    """A run: what was asked, what it resolved to, and what ran it.

    :param env: the Gymnasium env id.
    :param profile: the config profile (``tuned``, ``paper``, ``stock`` or a YAML file).
    :param seed: the run's seed.
    :param budget: the total env steps.
    :param eval_freq: env steps between periodic noise-free evaluations.
    :param eval_episodes: episodes per periodic evaluation.
    :param final_episodes: episodes of the final evaluation (0: none).
    :param checkpoint_freq: env steps between checkpoints (0: only at the start and the end).
    :param nan_guard: stop at the first NaN or inf observation or reward.
    :param overrides: ``KEY:VALUE`` strings, as ``--hyperparams`` takes them (VALUE a Python expression):
        kept as given, so that resume reads them exactly as the first segment did.
    :param hyperparams: the config as rl_zoo3 resolved it (the profile's entry with the overrides).
    :param model_settings: every setting the model was built with (``run_record.model_settings``).
    :param zoo_dir: the folder, relative to the run folder, that holds rl_zoo3's files and the model.
    :param segments: what ran each stretch of the run.
    """

    env: str
    profile: str
    seed: int
    budget: int
    eval_freq: int
    eval_episodes: int
    final_episodes: int
    checkpoint_freq: int
    nan_guard: bool = True
    overrides: list[str] = field(default_factory=list)
    hyperparams: dict[str, Any] = field(default_factory=dict)
    model_settings: dict[str, Any] = field(default_factory=dict)
    zoo_dir: str = ""
    segments: list[Segment] = field(default_factory=list)
    version: int = SPEC_VERSION

    @property
    def model(self) -> str:
        """The final model's file, relative to the run folder."""
        return str(Path(self.zoo_dir) / f"{self.env}.zip")

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str = SPEC) -> RunSpec:
        if not isinstance(data, dict) or data.get("version") != SPEC_VERSION:
            version = data.get("version") if isinstance(data, dict) else None
            raise UsageError(
                f"{where} has run spec version {version!r}; this sb3-ddpg-ext ({sb3_ddpg_ext.__version__}) "
                f"reads version {SPEC_VERSION}. Use the release that wrote the run."
            )
        names = {f.name for f in dataclasses.fields(cls)}
        if unknown := sorted(set(data) - names):
            raise UsageError(f"{where} has fields this version does not know: {', '.join(unknown)}.")
        try:
            segments = [Segment(**segment) for segment in data.get("segments", [])]
            return cls(**{**data, "segments": segments})
        except TypeError as error:
            raise UsageError(f"{where} is not a run spec ({error}).") from None

    def write(self, run: Path) -> None:
        """Write ``run/run.json`` atomically: a kill leaves the previous spec, never half of one."""
        temporary = run / f".{SPEC}.tmp"
        temporary.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        os.replace(temporary, run / SPEC)


def read_spec(run: Path) -> RunSpec:
    """The spec of the run folder ``run`` (built from the older files where it has no ``run.json``)."""
    path = run / SPEC
    if not path.is_file():
        return legacy_spec(run)
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise UsageError(f"{path} is not valid JSON ({error}): the run folder is damaged.") from None
    return RunSpec.from_json(data, str(path))


def legacy_spec(run: Path, checkpoint_settings: dict[str, Any] | None = None) -> RunSpec:
    """The spec of a folder written before ``run.json``: from its summary and ``config.yml``, or, for one
    that never finished, from the settings its checkpoint kept (``checkpoint_settings``).

    Its rl_zoo3 files lie at the folder's top level, and its overrides were kept as values, which
    :func:`override_sources` writes back as ``KEY:VALUE`` strings.
    """
    summary_path, config_path = run / SUMMARY, run / LEGACY_CONFIG
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    config = yaml.safe_load(config_path.read_text()) if config_path.is_file() else {}
    settings = checkpoint_settings or {}
    if not summary and not settings:
        raise UsageError(
            f"{run} is not a run folder: it has no {SPEC}. Give a folder written by "
            "`sb3-ddpg train --out DIR`."
        )
    old = {**summary, **settings}  # what the checkpoint kept is what resume trusted
    return RunSpec(
        env=old["env"],
        profile=old["profile"],
        seed=old["seed"],
        budget=int(old.get("budget") or config.get("n_timesteps") or old.get("steps") or 0),
        eval_freq=old.get("eval_freq", config.get("eval_freq", 0)),
        eval_episodes=old.get("eval_episodes", 5),
        final_episodes=old.get("final_episodes", old.get("final_eval_episodes", 10)),
        checkpoint_freq=old.get("checkpoint_freq", 0),
        nan_guard=old.get("nan_guard", True),
        overrides=override_sources(old.get("hyperparams", old.get("overrides") or {})),
        hyperparams=config.get("hyperparams", {}),
        model_settings=old.get("model_settings", {}),
        zoo_dir="",
        segments=[Segment(from_step=0, versions=old.get("versions", {}))] if summary else [],
    )


def override_sources(hyperparams: dict[str, Any] | list[str]) -> list[str]:
    """Overrides as ``KEY:VALUE`` strings whose VALUE evaluates back to the given value.

    A list is taken as such strings already. A value whose ``repr`` is no Python expression for it (a
    class, a function) is refused: give it as a string, as on the command line, so that the run can be
    rebuilt from its spec.
    """
    if isinstance(hyperparams, list):
        return list(hyperparams)
    sources = []
    for key, value in hyperparams.items():
        source = repr(value)
        try:
            same = ast.literal_eval(source) == value
        except (ValueError, SyntaxError):
            same = False
        if not same:
            raise UsageError(
                f"hyperparams[{key!r}] = {source} cannot be recorded so that the run can be rebuilt: give it "
                f"as a KEY:VALUE string, as --hyperparams takes it, e.g. hyperparams=['{key}:...'] (for "
                "policy_kwargs: 'policy_kwargs:dict(activation_fn=nn.ReLU)')."
            )
        sources.append(f"{key}:{source}")
    return sources


def git_state(root: Path, *pathspec: str) -> tuple[str, str]:
    """The commit checked out at ``root``, and ``git status --porcelain`` over ``pathspec`` (tracked and
    new files); raises ``subprocess.CalledProcessError`` outside a git checkout."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    return git("rev-parse", "HEAD").strip(), git("status", "--porcelain", "--", *pathspec)


def source_state() -> tuple[str | None, bool | None]:
    """The git commit of this package's source and whether its code differs from it; (None, None) for an
    installed package."""
    root = Path(sb3_ddpg_ext.__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None, None
    try:
        commit, changes = git_state(root, "sb3_ddpg_ext", "wrappers")
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return commit, bool(changes.strip())
