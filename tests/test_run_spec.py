"""The run spec (sb3_ddpg_ext.app.run_spec): one typed, versioned file that says what a run is."""

import json
import shutil
from pathlib import Path

import pytest
import torch.nn as nn

from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.rl_zoo3_adapter import parse_hyperparams
from sb3_ddpg_ext.app.run_spec import SPEC, SPEC_VERSION, RunSpec, Segment, override_sources, read_spec

SAVED_RUN = Path(__file__).parent / "data" / "saved_0.2.0" / "run"


def a_spec(**changes):
    fields = dict(
        env="Pendulum-v1",
        profile="tuned",
        seed=3,
        budget=1000,
        eval_freq=500,
        eval_episodes=5,
        final_episodes=10,
        checkpoint_freq=100,
        overrides=["learning_starts:100"],
        hyperparams={"batch_size": 64, "policy_kwargs": {"net_arch": [400, 300]}},
        zoo_dir="ddpg/Pendulum-v1_1",
        segments=[Segment(from_step=0, commit="abc", dirty=False, versions={"torch": "2.13.0"})],
    )
    return RunSpec(**{**fields, **changes})


def test_a_spec_reads_back_as_written_and_leaves_no_temporary_file(tmp_path):
    spec = a_spec()
    spec.write(tmp_path)
    assert read_spec(tmp_path) == spec
    assert [path.name for path in tmp_path.iterdir()] == [SPEC]
    assert spec.model == "ddpg/Pendulum-v1_1/Pendulum-v1.zip"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": SPEC_VERSION + 1}, f"has run spec version {SPEC_VERSION + 1}"),
        ({"colour": "red"}, "has fields this version does not know: colour"),
    ],
)
def test_a_spec_this_version_cannot_read_is_refused_naming_why(tmp_path, change, message):
    (tmp_path / SPEC).write_text(json.dumps({**a_spec().to_json(), **change}))
    with pytest.raises(UsageError, match=message):
        read_spec(tmp_path)


def test_a_damaged_spec_is_refused_naming_the_file(tmp_path):
    (tmp_path / SPEC).write_text('{"env": ')
    with pytest.raises(UsageError, match=r"run\.json is not valid JSON"):
        read_spec(tmp_path)


def test_overrides_are_kept_as_strings_that_evaluate_back_to_them():
    values = {
        "learning_starts": 100,
        "tau": 0.001,
        "policy_kwargs": "dict(batch_norm=True)",
        "normalize": None,
    }
    sources = override_sources(values)
    assert sources[0] == "learning_starts:100"
    assert parse_hyperparams(sources) == values  # as rl_zoo3's --hyperparams reads them on resume
    assert override_sources(["policy_kwargs:dict(activation_fn=nn.ReLU)"]) == [
        "policy_kwargs:dict(activation_fn=nn.ReLU)"
    ]


def test_an_override_that_cannot_be_written_back_is_refused_naming_the_string_form():
    with pytest.raises(UsageError, match=r"hyperparams\['policy_kwargs'\].*KEY:VALUE string"):
        override_sources({"policy_kwargs": {"activation_fn": nn.ReLU}})


def test_a_run_folder_from_before_the_spec_reads_as_one(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(SAVED_RUN, run)
    spec = read_spec(run)
    assert (spec.env, spec.profile, spec.seed) == ("Pendulum-v1", "tuned", 0)
    assert spec.model == "Pendulum-v1.zip"  # rl_zoo3's files at the folder's top level
    assert (run / spec.zoo_dir / "evaluations.npz").is_file()
