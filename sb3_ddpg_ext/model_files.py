"""Model zips read before SB3 loads them: refused, with what to do, when they are damaged, a run's
checkpoint, another algorithm's model, or made for another env."""

from __future__ import annotations

import io
import pathlib
import pickle
import zipfile
from typing import Any

import torch as th
from stable_baselines3.common.save_util import json_to_data
from stable_baselines3.common.utils import check_for_correct_spaces
from stable_baselines3.common.vec_env import VecEnv

# What a run's checkpoint.zip holds instead of a model's "data" (see sb3_ddpg_ext.app.checkpoints).
CHECKPOINT_MEMBERS = {"model.zip", "state.pkl"}


def ddpg_model_data(
    path: str | pathlib.Path | io.BufferedIOBase, custom_objects: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The saved model's ``data``, after checking that ``path`` holds a DDPG model (not a TD3 one).
    ``None`` for an open file or a path that SB3 itself resolves (a name without ``.zip``)."""
    data = model_data(path, custom_objects)
    # SB3's DDPG keeps TD3's fields at policy_delay 1 and a zero noise clip (no target smoothing):
    # training a TD3 model as DDPG would silently drop its delayed updates and target smoothing.
    if data is not None and (data.get("policy_delay", 1) != 1 or data.get("target_noise_clip", 0.0) > 0):
        raise ValueError(
            f"{path} is a TD3 model (policy_delay {data.get('policy_delay')}, target policy noise "
            f"{data.get('target_policy_noise')}): load it with stable_baselines3.TD3.load, which keeps "
            "its delayed actor updates and target smoothing."
        )
    return data


def check_env_fits(path: object, env: VecEnv, data: dict[str, Any]) -> None:
    """Refuse an env whose spaces are not the saved model's, naming the fix."""
    try:
        check_for_correct_spaces(env, data["observation_space"], data["action_space"])
    except ValueError as error:
        raise ValueError(
            f"The model in {path} cannot act in this env: {error}. Load it with the env it was "
            "trained on (with the same wrappers, e.g. sb3_ddpg_wrappers.NormalizedActions; a run "
            "folder's config.yml names them), or without env= to only predict."
        ) from error


def damaged(path: object, error: object) -> str:
    return (
        f"{path} is not a readable model zip ({error}): the file is truncated or damaged. Copy it again, "
        "or load an earlier save of the model."
    )


def model_data(
    path: str | pathlib.Path | io.BufferedIOBase, custom_objects: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The saved model's ``data`` (its spaces and settings), after checking that ``path`` holds a model.
    ``None`` for an open file or a path that SB3 itself resolves (a name without ``.zip``)."""
    if not isinstance(path, (str, pathlib.Path)) or not pathlib.Path(path).is_file():
        return None
    if not zipfile.is_zipfile(path):
        raise ValueError(damaged(path, "not a zip file"))
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if names >= CHECKPOINT_MEMBERS:
            raise ValueError(
                f"{path} is a checkpoint of an `sb3-ddpg train` run, not a model. Continue the run with "
                f"`sb3-ddpg train --resume {pathlib.Path(path).parent} --steps TOTAL`, or load the model "
                "the run saved beside it (ENV.zip, or best_model.zip)."
            )
        if "data" not in names:
            raise ValueError(
                f"{path} is a zip file but not an SB3 model (it has no 'data' entry): give the model zip "
                "that `model.save()` or `sb3-ddpg train` wrote."
            )
        # A member cut short inside a whole zip passes the zip's own checks: read each one here, so that
        # the error names it instead of torch's or json's message from deep inside SB3's load.
        for name in sorted(names):
            if name.endswith(".pth"):
                try:
                    th.load(io.BytesIO(archive.read(name)), map_location="cpu", weights_only=True)
                except (RuntimeError, EOFError, pickle.UnpicklingError, ValueError) as error:
                    raise ValueError(damaged(path, f"its member {name}: {error}")) from error
        try:
            return json_to_data(archive.read("data").decode(), custom_objects=custom_objects)
        except ValueError as error:  # json.JSONDecodeError among them
            raise ValueError(damaged(path, f"its member data: {error}")) from error
