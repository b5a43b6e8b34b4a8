"""Profiles and their checks (sb3_ddpg_ext.app.zoo), without training."""

import pytest
import yaml

from sb3_ddpg_ext.app import rl_zoo3_adapter
from sb3_ddpg_ext.app.errors import UsageError
from sb3_ddpg_ext.app.zoo import (
    check_keys,
    config_file,
    load_profile,
    merge_policy_kwargs,
    parse_overrides,
    stock_profile,
)


def test_overrides_are_read_as_python_and_a_bad_one_names_the_format():
    assert parse_overrides(["batch_size:128", "tau:1e-3"]) == {"batch_size": 128, "tau": 1e-3}
    with pytest.raises(UsageError, match=r"Give KEY:VALUE pairs"):
        parse_overrides(["batch_size=128"])


def test_policy_kwargs_overrides_keep_the_profiles_other_options():
    entry = load_profile("paper")["Pendulum-v1"]
    merged = merge_policy_kwargs(entry, {"policy_kwargs": "dict(batch_norm=False)", "tau": 0.01})
    assert merged["tau"] == 0.01
    assert merged["policy_kwargs"]["batch_norm"] is False
    assert merged["policy_kwargs"]["critic_weight_decay"] == 1e-2  # the paper profile's, kept
    with pytest.raises(UsageError, match=r"policy_kwargs must be a dict"):
        merge_policy_kwargs(entry, {"policy_kwargs": "[1, 2]"})


def test_stock_v5_envs_take_rl_zoo3s_v4_entries():
    stock, zoo = stock_profile(), rl_zoo3_adapter.stock_config()
    assert stock["Hopper-v5"] == zoo["Hopper-v4"]
    assert stock["Pendulum-v1"] == zoo["Pendulum-v1"]


def test_a_misspelt_key_is_refused_naming_the_closest(tmp_path):
    with pytest.raises(
        UsageError, match=r"Unknown hyperparameter 'bach_size' in here\. Did you mean 'batch_size'"
    ):
        check_keys({"bach_size": 64}, "here")
    path = config_file("tuned", "Pendulum-v1", tmp_path)
    path.write_text(yaml.safe_dump({"Pendulum-v1": {"batch_size": 7}}))
    assert config_file("tuned", "Pendulum-v1", tmp_path) == path  # a run's copy is kept, not rewritten
    assert yaml.safe_load(path.read_text())["Pendulum-v1"]["batch_size"] == 7
