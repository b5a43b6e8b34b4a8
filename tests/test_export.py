"""Safe loading: an exported policy loads without unpickling and acts exactly as the model it came from."""

import hashlib
import json
import os
import shutil

import gymnasium as gym
import numpy as np
import pytest
import torch as th
from stable_baselines3 import DDPG

import sb3_ddpg_ext
from sb3_ddpg_ext.app.cli import main
from sb3_ddpg_ext.app.runs import zoo_dir
from sb3_ddpg_ext.app.training import train
from sb3_ddpg_ext.export import ExportError, export_policy, load_weights
from sb3_ddpg_wrappers import NormalizedActions, PaperPixels

ENV = "Pendulum-v1"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "run"
    hyperparams = {"learning_starts": 100, "policy_kwargs": "dict(batch_norm=True)"}
    train(ENV, "tuned", 0, out, steps=300, progress=False, verbose=0, hyperparams=hyperparams)
    return out


@pytest.fixture(scope="module")
def exported(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("exported") / "policy"
    assert main(["export", str(run), "--out", str(out)]) == 0
    return out


def observations(env, n=64):
    env.observation_space.seed(0)
    return np.stack([env.observation_space.sample() for _ in range(n)])


def test_exported_policy_acts_exactly_as_the_model(run, exported):
    env = NormalizedActions(gym.make(ENV))  # the tuned profile trains Pendulum with NormalizedActions
    policy = sb3_ddpg_ext.load_weights(exported, env)
    model = DDPG.load(zoo_dir(run) / f"{ENV}.zip")
    obs = observations(env)
    np.testing.assert_array_equal(
        policy.predict(obs, deterministic=True)[0], model.predict(obs, deterministic=True)[0]
    )
    for name, tensor in model.policy.state_dict().items():  # batch norm's running statistics included
        assert th.equal(policy.state_dict()[name], tensor), name
    assert not policy.training
    assert (
        json.loads((exported / "policy.json").read_text())["metadata"]["env_wrapper"]
        == "sb3_ddpg_wrappers.NormalizedActions"
    )


def test_pixel_policy_takes_the_envs_own_image_layout(tmp_path):
    env = PaperPixels(gym.make(ENV, render_mode="rgb_array"), repeat=1, size=64)
    model = DDPG("CnnPaperPolicy", env, buffer_size=10, policy_kwargs=dict(batch_norm=True), seed=0)
    policy = load_weights(export_policy(model.policy, tmp_path), env)
    obs = observations(env, 4)  # (64, 64, 3) images, as the env gives them; SB3 transposes them
    np.testing.assert_array_equal(
        policy.predict(obs, deterministic=True)[0], model.predict(obs, deterministic=True)[0]
    )


def test_an_env_with_other_spaces_is_refused_naming_the_wrappers(exported):
    with pytest.raises(
        ExportError, match=r"actions Box\(-2\.0, 2\.0.*wrapped in sb3_ddpg_wrappers\.NormalizedActions"
    ):
        load_weights(exported, gym.make(ENV))
    with pytest.raises(ExportError, match="observations Box"):
        load_weights(exported, NormalizedActions(gym.make("MountainCarContinuous-v0")))


def copy_of(exported, tmp_path):
    return shutil.copytree(exported, tmp_path / "copy")


def test_classes_outside_the_allow_list_are_refused(exported, tmp_path):
    for name, message in [
        ("os.system", "is not a class an exported policy may name"),
        ("torch.nn.functional.relu", "is not a torch module, optimizer or policy class"),
    ]:
        directory = copy_of(exported, tmp_path / name)
        constructor = json.loads((directory / "policy.json").read_text())
        constructor["arguments"]["activation_fn"] = {"class": name}
        (directory / "policy.json").write_text(json.dumps(constructor))
        with pytest.raises(ExportError, match=message):
            load_weights(directory)


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):  # what a malicious file does: unpickling it runs a command
        return os.system, (f"touch {self.marker}",)


def test_weights_that_are_not_plain_tensors_are_never_unpickled(exported, tmp_path):
    directory = copy_of(exported, tmp_path)
    marker = tmp_path / "code-ran"
    th.save({"payload": Payload(marker)}, directory / "policy.pt")
    with pytest.raises(ExportError, match="does not match the checksum"):
        load_weights(directory)
    constructor = json.loads((directory / "policy.json").read_text())
    constructor["weights_sha256"] = hashlib.sha256((directory / "policy.pt").read_bytes()).hexdigest()
    (directory / "policy.json").write_text(json.dumps(constructor))
    with pytest.raises(ExportError, match="does not hold this policy's weights"):
        load_weights(directory)
    assert not marker.exists()
    th.load(directory / "policy.pt", weights_only=False)  # unpickled, as SB3's zips are: the command runs
    assert marker.exists()


def test_not_an_export(tmp_path):
    with pytest.raises(ExportError, match=r"is not an exported policy: it needs policy\.json and policy\.pt"):
        load_weights(tmp_path)


def test_evaluate_takes_a_bare_model_zip_with_its_env(run, tmp_path, capsys):
    model = shutil.copy(zoo_dir(run) / f"{ENV}.zip", tmp_path / "model.zip")
    assert main(["evaluate", str(model), "--env", ENV, "--episodes", "1"]) == 0
    assert capsys.readouterr().out.startswith(f"{ENV}: ")
    in_run = zoo_dir(run) / f"{ENV}.zip"  # the zip of a run folder says its env
    assert main(["evaluate", str(in_run), "--episodes", "1"]) == 0
    assert main(["evaluate", str(model), "--episodes", "1"]) == 2
    assert "does not say its env: give --env ENV_ID" in capsys.readouterr().err
    assert main(["evaluate", str(model), "--env", "MountainCarContinuous-v0", "--episodes", "1"]) == 2
    assert "cannot act in this env" in capsys.readouterr().err
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(model.read_bytes()[:5000])
    assert main(["evaluate", str(truncated), "--env", ENV, "--episodes", "1"]) == 2
    assert "the file is truncated or damaged" in capsys.readouterr().err
