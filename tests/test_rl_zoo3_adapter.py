"""The one module that knows rl_zoo3's internals says, naming itself, when they change."""

import re

import pytest
from rl_zoo3 import hyperparams_opt
from rl_zoo3.exp_manager import ExperimentManager
from rl_zoo3.utils import ALGOS

from sb3_ddpg_ext.app import rl_zoo3_adapter
from sb3_ddpg_ext.app.rl_zoo3_adapter import InternalsChanged, check_internals

ADAPTER = re.escape("sb3_ddpg_ext/app/rl_zoo3_adapter.py")


def test_the_installed_rl_zoo3_has_the_shape_the_adapter_relies_on():
    check_internals()


def test_a_changed_rl_zoo3_is_named_with_the_adapter_to_update(monkeypatch):
    monkeypatch.delitem(ALGOS, "ddpg")
    monkeypatch.setattr(ExperimentManager, "create_envs", lambda self, n_envs: None)
    monkeypatch.delattr(hyperparams_opt, "HYPERPARAMS_SAMPLER")
    with pytest.raises(InternalsChanged) as error:
        check_internals()
    message = str(error.value)
    assert re.search(ADAPTER, message)
    assert "ALGOS is no dict with a 'ddpg' entry" in message
    assert "ExperimentManager.create_envs(n_envs, eval_env, no_log) is gone" in message
    assert "rl_zoo3.hyperparams_opt.HYPERPARAMS_SAMPLER is no dict" in message


def test_a_run_does_not_start_on_a_changed_rl_zoo3(monkeypatch, tmp_path):
    monkeypatch.setattr(rl_zoo3_adapter, "MANAGER_ARGUMENTS", (*rl_zoo3_adapter.MANAGER_ARGUMENTS, "new"))
    with pytest.raises(InternalsChanged, match=r"ExperimentManager\(\) takes no new"):
        rl_zoo3_adapter.RunManager(tmp_path, env_id="Pendulum-v1")


def test_hyperparameters_are_read_as_rl_zoo3_reads_them():
    parsed = rl_zoo3_adapter.parse_hyperparams(["batch_size:128", "policy_kwargs:dict(net_arch=[64])"])
    assert parsed == {"batch_size": 128, "policy_kwargs": {"net_arch": [64]}}
    assert rl_zoo3_adapter.evaluate_in_zoo("nn.Tanh").__name__ == "Tanh"
    assert "Pendulum-v1" in rl_zoo3_adapter.stock_config()


@pytest.mark.parametrize("distribution", ["rl_zoo3", "stable-baselines3", "sb3-contrib", "gymnasium"])
def test_the_installed_releases_are_inside_the_bounds_the_package_admits(distribution):
    import importlib.metadata

    from packaging.requirements import Requirement

    requirement = Requirement(rl_zoo3_adapter.admitted(distribution))
    assert requirement.specifier, f"{distribution} has no version bound"
    assert requirement.specifier.contains(importlib.metadata.version(distribution))
