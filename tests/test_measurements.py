"""Whether an entry is measured, as `sb3-ddpg train` and `list` say it: from the generated measured.yml,
never from the profiles' comments, which only say what an entry is based on."""

import pytest
import yaml

from sb3_ddpg_ext.app import measurements
from sb3_ddpg_ext.app.cli import main
from sb3_ddpg_ext.app.measurements import based_on, entry_status
from sb3_ddpg_ext.app.zoo import load_profile
from sb3_ddpg_ext.zoo_configs import MEASURED, PROFILES

RECORD = dict(steps=20000, seeds=5, final_mean=-150.4, final_std=30.2, made_by="commit abc1234", differs=[])


def test_an_entry_is_measured_only_at_its_budget_and_with_its_settings_as_they_are_now():
    def status(*records):
        return entry_status("tuned", "Pendulum-v1", 20000, {"tuned": {"Pendulum-v1": list(records)}})

    assert status(RECORD) == (
        "measured: final evaluation -150 +- 30.2 over 5 seeds at 20,000 steps (commit abc1234)"
    )
    basis = based_on("tuned", "Pendulum-v1")
    assert status({**RECORD, "steps": 10000}) == (
        f"measured at 10,000 steps only, not at its 20,000; based on {basis}"
    )
    assert status({**RECORD, "differs": ["batch_size"]}) == (
        f"unmeasured as it is now (its runs differ in batch_size); based on {basis}"
    )
    assert status() == f"unmeasured; based on {basis}"
    assert [measurements.figure(v) for v in (-0.04, 0.04, -99.96, 1234.5)] == ["0.0", "0.0", "-100.0", "1234"]
    # Where the benchmark measured what a policy that learned nothing scores, the line gives it to read
    # the figure against.
    assert status({**RECORD, "learned_nothing": -1267.3}) == (
        "measured: final evaluation -150 +- 30.2 over 5 seeds at 20,000 steps (commit abc1234); "
        "a policy that learned nothing scores -1267 here"
    )
    assert entry_status("paper", "Pendulum-v1", 20000, {"tuned": {"Pendulum-v1": [RECORD]}}).startswith(
        "unmeasured; based on the paper's settings"
    )


def test_every_entry_names_what_it_is_based_on_and_no_comment_claims_a_measurement():
    for profile, path in PROFILES.items():
        for env in load_profile(profile):
            assert based_on(profile, env)
        text = path.read_text().lower()
        for claim in ("starting point", "# measured", "not measured"):
            assert claim not in text, (path.name, claim)
    # An entry's own comment wins over its profile's default.
    assert based_on("tuned", "Swimmer-v5") == "RL Zoo's TD3 Swimmer settings (gamma 0.9999)"
    assert based_on("tuned", "Ant-v5") == based_on("tuned", "default")


def test_a_profile_naming_no_source_is_refused_with_the_file_named(tmp_path, monkeypatch):
    bare = tmp_path / "ddpg_tuned.yml"
    bare.write_text("default: &tuned\n  n_timesteps: 100\nPendulum-v1:\n  <<: *tuned\n")
    monkeypatch.setitem(measurements.PROFILES, "tuned", bare)
    with pytest.raises(ValueError, match=r"ddpg_tuned\.yml names no source"):
        based_on("tuned", "Pendulum-v1")


def test_the_generated_measurements_cover_only_entries_the_profiles_have():
    measured = yaml.safe_load(MEASURED.read_text())
    assert set(measured) <= set(PROFILES)
    for profile, entries in measured.items():
        assert set(entries) <= set(load_profile(profile)), profile
        for records in entries.values():
            for record in records:
                assert set(record) - {"learned_nothing"} == set(RECORD)


def test_train_and_list_say_whether_the_entry_is_measured(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(measurements, "load_measured", lambda: {})
    out = tmp_path / "run"
    command = ["train", "--env", "Pendulum-v1", "--steps", "200", "--out", str(out), "--no-progress"]
    assert main([*command, "--eval-freq", "100", "--eval-episodes", "1"]) == 0
    said = capsys.readouterr().out
    assert said.splitlines()[0] == (
        f"The tuned profile's Pendulum-v1 entry: unmeasured; based on {based_on('tuned', 'Pendulum-v1')}"
    )
    monkeypatch.setattr(
        measurements, "load_measured", lambda: {"tuned": {"Pendulum-v1": [RECORD]}, "paper": {}}
    )
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  tuned  Pendulum-v1                  measured: final evaluation -150 +- 30.2" in "\n".join(lines)
    unmeasured = [line for line in lines if line.startswith("  tuned  Ant-v5 ")]
    assert unmeasured == [f"  tuned  Ant-v5{' ' * 23}unmeasured; based on {based_on('tuned', 'Ant-v5')}"]
