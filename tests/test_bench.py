"""The benchmark scripts' own logic: statistics, variants, the report, and resuming a stopped run."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import sb3_ddpg_ext

BENCH = Path(__file__).resolve().parent.parent / "bench"


sys.path.insert(0, str(BENCH))  # the scripts import their sibling modules, as `python bench/X.py` does


def load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = load("report")
learning = load("learning")
import comparisons  # noqa: E402
import findings  # noqa: E402
import learning_tables  # noqa: E402
import measured_entries  # noqa: E402  (the scripts' sibling modules, importable once bench/ is on the path)
import result_files  # noqa: E402
import seed_stats  # noqa: E402
import variants  # noqa: E402
import wallclock  # noqa: E402


def test_iqm_is_the_mean_of_the_middle_half():
    assert seed_stats.iqm(np.array([100.0, 1, 3, 2, 4])) == pytest.approx(3.0)
    assert seed_stats.iqm(np.array([1.0, 2, 3, 4])) == pytest.approx(2.5)
    assert seed_stats.iqm(np.array([7.0])) == 7.0


def test_bootstrap_interval_brackets_the_estimate_and_collapses_for_equal_values():
    values = np.array([-160.0, -130, -120, -200, -140])
    low, high = seed_stats.bootstrap_ci(values)
    assert low < seed_stats.iqm(values) < high
    assert values.min() <= low
    assert high <= values.max()
    assert seed_stats.bootstrap_ci(np.full(5, -150.0)) == (-150.0, -150.0)


def test_normalisation_variants_override_only_batch_norm_of_the_tuned_entry():
    profile, overrides = variants.variant_setup("renorm", "Pendulum-v1")
    # Read as --hyperparams reads it (a Python expression: a string), then as rl_zoo3 reads that string.
    policy_kwargs = eval(eval(overrides["policy_kwargs"]))
    assert profile == "tuned"
    assert policy_kwargs["batch_norm"] == "renorm"
    assert policy_kwargs["batch_norm_kwargs"] == {"warmup_steps": variants.RENORM_WARMUP}
    assert policy_kwargs["net_arch"] == [400, 300]
    none = variants.variant_setup("none", "Pendulum-v1")[1]["policy_kwargs"]
    assert eval(eval(none))["batch_norm"] is False
    assert variants.variant_setup("tuned:batch_size=256,tau=0.01", "Pendulum-v1") == (
        "tuned",
        {"batch_size": "256", "tau": "0.01"},
    )


def resolved(variant, env="Pendulum-v1"):
    """A variant's profile and overrides, read as --hyperparams then rl_zoo3 read them."""
    profile, overrides = variants.variant_setup(variant, env)
    values = {key: eval(value) for key, value in overrides.items()}
    if "policy_kwargs" in values:
        values["policy_kwargs"] = eval(values["policy_kwargs"])
    return profile, values


def test_ablation_variants_take_one_component_from_the_other_profiles_entry():
    profile, values = resolved("paper-bn")
    assert profile == "paper"
    assert values["policy_kwargs"]["batch_norm"] is False  # the tuned profile's
    assert values["policy_kwargs"]["critic_weight_decay"] == 1e-2  # the rest stays the paper's
    assert values["policy_kwargs"]["target_batch_stats"] == "nonterminal"  # unused without batch norm
    bn = resolved("tuned+bn", "InvertedDoublePendulum-v5")[1]["policy_kwargs"]
    assert (bn["batch_norm"], bn["target_batch_stats"]) == (True, "nonterminal")  # as in the paper profile
    assert resolved("tuned+l2")[1]["policy_kwargs"]["critic_weight_decay"] == 1e-2
    assert resolved("tuned+tau") == ("tuned", {"tau": 0.001})
    assert resolved("paper-tau-starts") == ("paper", {"tau": 0.005, "learning_starts": 1000})
    noise = resolved("paper-noise")[1]["callback"][0]["sb3_ddpg_ext.callbacks.OUNoiseCallback"]
    assert noise == {"sigma": 0.1, "theta": 0.15, "dt": 1.0}  # the tuned Pendulum entry's
    gauss = resolved("paper:noise=gauss0.1")[1]
    assert (gauss["noise_type"], gauss["noise_std"]) == ("normal", 0.1)
    assert [list(c) for c in gauss["callback"]] == [["sb3_ddpg_ext.callbacks.DDPGDiagnostics"]]
    assert resolved("paper:bn=critic")[1]["policy_kwargs"]["batch_norm"] == {"pi": False, "qf": True}
    both = resolved("paper:batch_norm_kwargs={'momentum':0.001,'eps':1e-3},tau=0.01")[1]
    assert both["policy_kwargs"]["batch_norm_kwargs"] == {"momentum": 0.001, "eps": 1e-3}
    assert both["tau"] == 0.01
    for bad in ("paper+bn", "tuned-bn", "paper-nope", "mine"):
        with pytest.raises(ValueError, match="Unknown"):
            variants.variant_setup(bad, "Pendulum-v1")


FAKE_COMMIT = "a" * 40


def fake_run(variant, seed, final):
    return dict(
        provenance=dict(
            commit=FAKE_COMMIT,
            dirty=False,
            segments=[dict(commit=FAKE_COMMIT, dirty=False, from_step=0, to_step=20000, command="...")],
        ),
        env="Pendulum-v1",
        budget=20000,
        variant=variant,
        seed=seed,
        interrupted=False,
        final_eval_mean=final,
        steps_per_s=100.0,
        eval_curve=dict(steps=[10000, 20000], mean=[-900.0, final], std=[1.0, 1.0]),
    )


def test_the_late_mean_averages_only_the_evaluations_in_the_budget_s_last_third():
    run = dict(budget=300, eval_curve=dict(steps=[100, 200, 250, 300], mean=[-50.0, 10.0, 20.0, 60.0]))
    assert seed_stats.late_mean(run) == 40.0  # 250 and 300; 200 is exactly two thirds, so it is left out


def test_report_tables_comparisons_plot_and_headline(tmp_path):
    finals = {"tuned": [-140.0, -130.0, -150.0], "stock": [-160.0, -150.0, -170.0, -100.0]}
    for variant, values in finals.items():
        for seed, final in enumerate(values):
            path = tmp_path / "results" / "learning" / "Pendulum-v1-20000" / variant / f"seed{seed}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(fake_run(variant, seed, final)))
    grids = {
        "51": {"per_seed_mean": {"0": -125.0, "1": -115.0, "2": -135.0, "7": -1.0}, "mean": -94.0},
        "101": {"per_seed_mean": {"0": -120.0, "1": -110.0, "2": -130.0, "7": -1.0}, "mean": -90.0},
    }
    discounted = {"grid": 51, "0.98": {"per_seed_mean": {"0": -130.0, "1": -125.0, "2": -141.0, "7": -1.0}}}
    ceiling = {"episodes": 10, "grids": grids, "discounted": discounted}
    (tmp_path / "results" / "pendulum_ceiling.json").write_text(json.dumps(ceiling))
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- headline -->\nold table\n<!-- /headline -->\nend\n")
    report.main(**point_report_at(tmp_path, readme))

    text = (tmp_path / "docs" / "benchmarks.md").read_text()
    # The sample standard deviation (ddof=1); with 3 seeds no bootstrap interval is claimed.
    assert "| tuned profile | 3 | -140 +- 10.0 | -140 (CI needs 5+ seeds) | -150 / -130 |" in text
    assert "| stock RL Zoo DDPG | 4 |" in text
    # Seeds 0-2, run by both: tuned -140 against stock -160 (stock's seed 3 left out).
    assert "On the seeds both ran (0, 1, 2), the tuned profile's final evaluation averages -140.0" in text
    assert "the last third of the evaluations, -140.0 and -160.0." in text
    assert "target" not in text.lower().replace("target network", "").replace("targets on", "")
    # The ceiling counts the seeds that it and both learners ran, on its finest grid (101, not 51).
    assert "(seeds [0, 1, 2], 10 episodes each)" in text
    assert "on a 101x101 grid) averages -120.0, against tuned -140.0, stock -160.0" in text
    assert "on the 51x51 grid (no discount there: -125.0): gamma 0.98: -132.0." in text
    assert (tmp_path / "docs" / "img" / "Pendulum-v1-20000.png").stat().st_size > 5_000
    new_readme = readme.read_text()
    assert "old table" not in new_readme
    assert "| Pendulum-v1 (20,000) | -140 +- 10.0 (3) | - | -145 +- 31.1 (4) |" in new_readme
    assert new_readme.startswith("intro\n")
    assert new_readme.endswith("end\n")


CODE = {"commit": "b" * 40, "dirty": False}


@pytest.fixture
def runs(tmp_path, monkeypatch):
    """bench/learning.py's run folders, inside the checkout (its commands name them relative to it)."""
    folder = learning.ROOT / "bench" / "runs" / f"test-{tmp_path.name}"
    monkeypatch.setattr(learning, "RUNS", folder)
    monkeypatch.setattr(learning, "RESULTS", tmp_path / "results")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_stopped_benchmark_run_is_resumed_not_restarted(runs):
    from sb3_ddpg_ext.app.training import train

    # What a session that ended at step 200 of a 400-step benchmark run leaves behind: the run folder,
    # and the segments file naming the commit its first segment ran (a later one, killed at 300 before
    # its next checkpoint, redoes nothing that counts).
    stopped = runs / "Pendulum-v1-400" / "tuned" / "seed0"
    train("Pendulum-v1", "tuned", 0, stopped, 200, eval_freq=100, eval_episodes=1, progress=False)
    first = {"commit": "a" * 40, "dirty": False, "from_step": 0, "command": "sb3-ddpg train ..."}
    killed = {**first, "commit": "c" * 40, "from_step": 300}
    (stopped.parent / "seed0.segments.json").write_text(json.dumps([first, killed]))
    result = learning.run_one("Pendulum-v1", "tuned", 0, 400, CODE)
    assert (result["steps"], result["resumed_from"], result["interrupted"]) == (400, 200, False)
    assert result["eval_curve"]["steps"] == [100, 200, 300, 400]  # the stopped part's evaluations kept
    assert json.loads(learning.result_path("Pendulum-v1", 400, "tuned", 0).read_text())["steps"] == 400
    assert not stopped.exists()  # the result is kept; the run folder and its checkpoints are not
    assert not (stopped.parent / "seed0.segments.json").exists()
    segments = result["provenance"]["segments"]
    assert [(s["commit"], s["from_step"], s["to_step"]) for s in segments] == [
        ("a" * 40, 0, 200),
        ("b" * 40, 200, 400),
    ]
    assert segments[1]["command"].startswith("sb3-ddpg train --resume bench/runs/")  # no machine's paths
    assert result["provenance"]["dirty"] is False
    assert result["command"] == (
        "python bench/learning.py --env Pendulum-v1 --steps 400 --variants tuned --seeds 0 --force"
    )
    # The settings as the model ran them, and the versions of what was imported.
    assert result["model_settings"]["policy"]["net_arch"] == [400, 300]
    assert result["model_settings"]["action_noise"]["sigma"] == [0.1]
    assert result["versions"]["sb3-ddpg-ext"] == sb3_ddpg_ext.__version__
    # Pendulum's episodes are 200 steps: the stopped segment's episode is kept beside the new one's.
    assert [step for step, _ in result["training_episodes"]] == [200, 400]
    assert all(-2000 < ret < 0 for _, ret in result["training_episodes"])


def test_a_new_benchmark_run_records_its_commit_and_a_relative_command(runs):
    result = learning.run_one("Pendulum-v1", "tuned", 0, 1000, {"commit": "d" * 40, "dirty": True})
    (segment,) = result["provenance"]["segments"]
    assert (segment["commit"], segment["from_step"], segment["to_step"]) == ("d" * 40, 0, 1000)
    assert result["provenance"]["dirty"] is True
    assert "/tmp" not in segment["command"]
    assert segment["command"].startswith("sb3-ddpg train --env Pendulum-v1 --profile tuned --seed 0 ")
    assert [step for step, _ in result["eval_walls"]] == result["eval_curve"]["steps"] == [500, 1000]


def test_redo_unrecorded_reruns_only_results_that_name_no_commit(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"final_eval_mean": 1.0}))
    new.write_text(json.dumps({"final_eval_mean": 1.0, "provenance": {"commit": "f" * 40}}))
    # Provenance reconstructed from git history names the commit that added the file, not one that ran.
    rebuilt = tmp_path / "rebuilt.json"
    rebuilt.write_text(
        json.dumps({"provenance": {"reconstructed": True, "commit": None, "added_in": "e" * 40}})
    )
    paths = (old, new, rebuilt, tmp_path / "none.json")
    assert [learning.needs_run(p, True) for p in paths] == [True, False, True, True]
    assert [learning.needs_run(p, False) for p in paths] == [False, False, False, True]


def git(root, *args):
    import subprocess

    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_the_code_state_is_dirty_for_changed_or_new_code_but_not_for_new_results(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "bench" / "results").mkdir(parents=True)
    (tmp_path / "module.py").write_text("x = 1\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    state = learning.code_state(tmp_path)
    assert (state["commit"], state["dirty"]) == (git(tmp_path, "rev-parse", "HEAD").strip(), False)
    (tmp_path / "bench" / "results" / "seed0.json").write_text("{}")
    assert learning.code_state(tmp_path)["dirty"] is False
    (tmp_path / "new.py").write_text("y = 2\n")
    assert learning.code_state(tmp_path)["dirty"] is True
    (tmp_path / "new.py").unlink()
    (tmp_path / "module.py").write_text("x = 2\n")
    assert learning.code_state(tmp_path)["dirty"] is True


def test_the_benchmark_refuses_a_dirty_checkout_unless_allowed(monkeypatch, capsys):
    monkeypatch.setattr(
        learning, "code_state", lambda: {"commit": "e" * 40, "dirty": True, "changes": " M x\n"}
    )
    monkeypatch.setattr(learning, "run_one", lambda *args: pytest.fail("ran on a dirty checkout"))
    monkeypatch.setattr("sys.argv", ["learning.py", "--env", "Pendulum-v1", "--seeds", "0"])
    with pytest.raises(SystemExit, match="uncommitted changes"):
        learning.main()
    ran = []
    monkeypatch.setattr(learning, "run_one", lambda *args: ran.append(args))
    monkeypatch.setattr(learning, "result_path", lambda *args: Path("/nonexistent/seed0.json"))
    monkeypatch.setattr("sys.argv", ["learning.py", "--env", "Pendulum-v1", "--seeds", "0", "--allow-dirty"])
    with pytest.raises(SystemExit) as exit_info:
        learning.main()
    assert exit_info.value.code == 0
    assert {args[-1]["dirty"] for args in ran} == {True}


@pytest.mark.parametrize("how", ["exit 130", "summary says interrupted"])
def test_a_benchmark_run_stopped_by_ctrl_c_is_kept_for_resuming_not_saved_as_a_result(runs, monkeypatch, how):
    # Ctrl-C reaches the whole process group: `sb3-ddpg train` checkpoints where it stopped and exits
    # 130 (older trains exited 0 with an interrupted summary). Either way the run is not finished.
    def stopped_train(command, **kwargs):
        out = learning.ROOT / command[command.index("--out") + 1]
        out.mkdir(parents=True)
        (out / "checkpoint.zip").write_bytes(b"checkpoint")
        (out / "summary.json").write_text(json.dumps({"interrupted": True, "steps": 300}))
        return subprocess.CompletedProcess(command, 130 if how == "exit 130" else 0, "", "")

    monkeypatch.setattr(learning.subprocess, "run", stopped_train)
    with pytest.raises(learning.Stopped, match="resumes it"):
        learning.run_one("Pendulum-v1", "tuned", 0, 400, CODE)
    assert not learning.result_path("Pendulum-v1", 400, "tuned", 0).exists()
    run = runs / "Pendulum-v1-400" / "tuned" / "seed0"
    assert (run / "checkpoint.zip").is_file()
    assert (run.parent / "seed0.segments.json").is_file()


def test_ctrl_c_stops_the_benchmark_instead_of_starting_the_next_run(monkeypatch, capsys):
    started = []

    def run_one(env, variant, seed, steps, code):
        started.append(seed)
        raise learning.Stopped(f"seed {seed} stopped; the same command resumes it")

    monkeypatch.setattr(learning, "code_state", lambda: {"commit": "e" * 40, "dirty": False, "changes": ""})
    monkeypatch.setattr(learning, "run_one", run_one)
    monkeypatch.setattr(learning, "result_path", lambda *args: Path("/nonexistent/seed.json"))
    monkeypatch.setattr(
        "sys.argv", ["learning.py", "--env", "Pendulum-v1", "--seeds", "0", "1", "2", "--jobs", "1"]
    )
    with pytest.raises(SystemExit) as stop:
        learning.main()
    assert stop.value.code == 130
    assert started == [0]
    assert "the same command resumes" in capsys.readouterr().err


def test_a_run_moved_inside_a_run_folder_is_refused_not_deleted(runs):
    out = runs / "Pendulum-v1-400" / "tuned" / "seed0"
    (out / "seed0").mkdir(parents=True)
    (out / "seed0" / "checkpoint.zip").write_bytes(b"a run's checkpoint")
    with pytest.raises(RuntimeError, match=r"holds a run at .*seed0/seed0: move it to"):
        learning.run_one("Pendulum-v1", "tuned", 0, 400, CODE)
    assert (out / "seed0" / "checkpoint.zip").exists()


def test_tuned_and_stock_are_compared_on_the_seeds_both_ran_only():
    runs = {
        "tuned": [dict(fake_run("tuned", seed, 1500.0 + seed), env="Hopper-v5") for seed in range(3)],
        "stock": [dict(fake_run("stock", seed, 1000.0), env="Hopper-v5") for seed in (0, 2, 7)],
    }
    assert learning_tables.stock_line(runs) == (
        "On the seeds both ran (0, 2), the tuned profile's final evaluation averages 1501.0 and stock RL Zoo "
        "DDPG's 1000.0; over the last third of the evaluations, 1501.0 and 1000.0."
    )
    assert (
        learning_tables.stock_line({"tuned": runs["tuned"], "stock": [dict(fake_run("stock", 5, 1.0))]})
        is None
    )


def test_the_pendulum_ceiling_steps_as_gymnasium_does():
    ceiling = load("pendulum_ceiling")
    env = gym.make("Pendulum-v1")
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for torque in rng.uniform(-2.0, 2.0, size=50):
        theta, speed = env.unwrapped.state
        expected = ceiling.dynamics(np.float64(theta), np.float64(speed), np.float64(torque))
        _, reward, _, _, _ = env.step(np.array([torque], dtype=np.float32))
        np.testing.assert_allclose((*env.unwrapped.state, reward), expected, rtol=1e-5, atol=1e-5)
    env.close()


def test_the_pendulum_ceiling_controller_swings_up_and_holds():
    ceiling = load("pendulum_ceiling")
    grid = ceiling.Grid(61, 61)
    values = ceiling.value_functions(grid, 200, 11)
    returns = ceiling.evaluation_returns(seed=0, episodes=2, grid=grid, values=values)
    # Zero torque from these two starts returns -979 and -1708.
    assert all(-400 < value < -1 for value in returns)


def write_runs(root, variant, finals, config=None):
    for seed, final in enumerate(finals):
        path = root / "results" / "learning" / "Pendulum-v1-20000" / variant / f"seed{seed}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        run = fake_run(variant, seed, final)
        if config is not None:
            run["config"] = config(seed)
        path.write_text(json.dumps(run))


def load_groups(tmp_path):
    return result_files.load_learning(tmp_path / "results")


def point_report_at(tmp_path, readme=None):
    """report.main's paths, in tmp_path."""
    if readme is None:
        readme = tmp_path / "README.md"
        readme.write_text("intro\n")
    return dict(
        results=tmp_path / "results",
        docs=tmp_path / "docs",
        readme=readme,
        measured_file=tmp_path / "measured.yml",
    )


def test_the_ablation_table_gives_each_change_against_its_profile_on_shared_seeds(tmp_path):
    write_runs(tmp_path, "paper", [-700.0, -600.0, -500.0])
    write_runs(tmp_path, "paper-bn", [-150.0, -130.0, -160.0, -120.0])  # seed 3 has no paper run
    write_runs(tmp_path, "paper:target_batch_stats=batch", [-170.0, -130.0])
    report.main(**point_report_at(tmp_path))
    text = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert "| paper | (none) | 3 | -600 +- 100 |" in text
    # -150 - -700, -130 - -600, -160 - -500: a mean change of +453, on the 3 seeds both ran.
    assert "| paper | without batch norm | 4 | -140 +- 18.3 |" in text
    assert "| 453 (3) |" in text
    assert "| paper | targets on all next states' batch statistics | 2 |" in text


def test_the_report_refuses_a_row_whose_runs_ran_with_different_settings(tmp_path):
    write_runs(tmp_path, "tuned", [-140.0, -150.0], config=lambda seed: {"batch_size": 64 if seed else 256})
    with pytest.raises(ValueError, match=r"Pendulum-v1 @ 20000 tuned ran with different settings.*seed0"):
        report.main(**point_report_at(tmp_path))


def test_the_committed_docs_are_what_the_committed_results_generate(tmp_path):
    """docs/benchmarks.md and the README's generated tables cannot drift from bench/results/: after adding
    results, `python bench/report.py` regenerates both."""
    readme = tmp_path / "README.md"
    readme.write_text(report.README.read_text())
    committed_docs = (report.DOCS / "benchmarks.md").read_text()
    (tmp_path / "docs").mkdir()
    for name in report.PROSE:
        (tmp_path / "docs" / name).write_text((report.DOCS / name).read_text())
    measured = tmp_path / "measured.yml"
    report.main(docs=tmp_path / "docs", readme=readme, measured_file=measured)
    assert (tmp_path / "docs" / "benchmarks.md").read_text() == committed_docs
    assert readme.read_text() == report.README.read_text()
    for name in report.PROSE:
        assert (tmp_path / "docs" / name).read_text() == (report.DOCS / name).read_text(), name
    assert measured.read_text() == measured_entries.MEASURED_FILE.read_text()


def test_two_spellings_of_the_same_settings_share_a_row(tmp_path):
    spellings = ["dict(dict(batch_norm=True), **{'tau_like': 1})", "dict(batch_norm=True, tau_like=1)"]
    write_runs(tmp_path, "paper", [-150.0, -140.0], config=lambda seed: {"policy_kwargs": spellings[seed]})
    report.main(**point_report_at(tmp_path))
    assert "| paper profile | 2 |" in (tmp_path / "docs" / "benchmarks.md").read_text()


def test_the_paper_profile_is_set_beside_the_published_figures_with_both_metrics(tmp_path):
    for seed, (final, curve) in enumerate(
        [(1200.0, [300.0, 1900.0, 1200.0]), (800.0, [1600.0, 1500.0, 800.0])]
    ):
        run = dict(fake_run("paper", seed, final), env="Hopper-v5", budget=300000)
        run["eval_curve"] = dict(steps=[100000, 200000, 300000], mean=curve, std=[1.0] * 3)
        path = tmp_path / "results" / "learning" / "Hopper-v5-300000" / "paper" / f"seed{seed}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(run))
    reference = dict(zero=dict(mean=145.18), random=dict(mean=28.06))
    references = tmp_path / "results" / "reference_policies.json"
    references.write_text(json.dumps(dict(results={"Hopper-v5": reference})))
    report.main(**point_report_at(tmp_path))
    text = (tmp_path / "docs" / "benchmarks.md").read_text()
    # final 1000 +- 283; each seed's best, 1900 and 1600: 1750 +- 212; the seed-mean curve, 950, 1700 and
    # 1000, peaks at 1700 (the TD3 paper's metric); the published figures as printed
    row = "| Hopper-v5 | 300,000 | 2 | 1000 +- 283 | 1750 +- 212 | 1700 | 2020.5 | 1419 | 145 / 28.1 |"
    assert row in text
    assert "| HalfCheetah-v5 | - | - | - | - | - | 3305.6 | 5579 | - |" in text


def test_the_reference_policies_act_as_named_and_repeat_with_the_seed():
    references = load("reference_policies")
    space = gym.spaces.Box(low=np.array([-1.0, 0.0]), high=np.array([1.0, 3.0]), dtype=np.float32)
    observations = np.zeros((4, 3))
    zero, _ = references.ReferencePolicy(space, "zero", 0).predict(observations)
    assert zero.shape == (4, 2)
    assert not zero.any()
    actions = [references.ReferencePolicy(space, "random", 7).predict(observations)[0] for _ in range(2)]
    np.testing.assert_array_equal(actions[0], actions[1])
    assert actions[0].shape == (4, 2)
    assert np.all(actions[0] >= space.low)
    assert np.all(actions[0] <= space.high)
    assert len(np.unique(actions[0][:, 1])) == 4


def test_variant_folders_are_portable_distinct_and_plain_names_stay_as_they_are():
    names = ["tuned", "paper-bn-l2", "tuned+bn", "paper:noise=gauss0.1", "paper:noise=gauss0.1,tau=0.01"]
    names += ["paper:batch_norm_kwargs={'eps':1e-3}", "paper:batch_norm_kwargs={'eps':1e-4}"]
    folders = [variants.folder_name(name) for name in names]
    assert folders[:3] == names[:3]
    assert all(variants.PORTABLE.fullmatch(folder) for folder in folders)
    assert len(set(folders)) == len(names)
    assert folders[3].startswith("paper__noise-gauss0.1-")


def test_variants_have_plain_names():
    assert variants.label("paper-batch") == "paper profile, the tuned profile's batch size"
    assert variants.label("tuned+bn") == "tuned profile, the paper's batch norm"
    assert variants.label("bn:target_batch_stats=copy") == (
        "tuned profile + batch norm, targets on copied running statistics (SB3's)"
    )
    assert variants.label("paper-bn-noise:learning_starts=25000") == (
        "paper profile, without batch norm, the tuned profile's noise, learning_starts 25000"
    )
    assert variants.label("stock") == "stock RL Zoo DDPG"


def reconstructed(run):
    return {**run, "provenance": {"reconstructed": True, "commit": None, "added_in": "c" * 40}}


def test_the_report_refuses_rows_that_mix_code_states(tmp_path):
    write_runs(tmp_path, "tuned", [-140.0, -150.0])
    old = tmp_path / "results" / "learning" / "Pendulum-v1-20000" / "tuned" / "seed1.json"
    old.write_text(json.dumps(reconstructed(json.loads(old.read_text()))))
    with pytest.raises(ValueError, match="mixes re-run and reconstructed results"):
        report.main(**point_report_at(tmp_path))
    old.write_text(
        json.dumps({key: v for key, v in json.loads(old.read_text()).items() if key != "provenance"})
    )
    with pytest.raises(ValueError, match="name no code"):
        report.main(**point_report_at(tmp_path))
    settings = {"batch_size": 64, "policy": {"net_arch": [400, 300]}, "seed": 0}
    for seed, net_arch in enumerate(([400, 300], [64, 64])):
        run = fake_run("tuned", seed, -150.0)
        run["model_settings"] = {**settings, "policy": {"net_arch": net_arch}, "seed": seed}
        (old.parent / f"seed{seed}.json").write_text(json.dumps(run))
    with pytest.raises(ValueError, match="different settings"):
        report.main(**point_report_at(tmp_path))


def test_runs_of_one_row_at_two_commits_must_share_their_code(tmp_path, monkeypatch):
    differs = {("a" * 40, "b" * 40): True, ("a" * 40, "d" * 40): False}
    monkeypatch.setattr(result_files, "code_differs", lambda a, b: differs[(a, b)])
    runs = []
    for seed, commit in enumerate(("a" * 40, "d" * 40)):
        run = fake_run("tuned", seed, -150.0)
        run["provenance"]["segments"][0]["commit"] = commit
        runs.append({**run, "path": tmp_path / f"seed{seed}.json"})
    result_files.check_row("row", runs, tmp_path)  # the same code at two commits
    assert result_files.commit_cell(runs) == "aaaaaaa, ddddddd"
    runs[1]["provenance"]["segments"][0]["commit"] = "b" * 40
    runs[1]["provenance"]["dirty"] = True
    with pytest.raises(ValueError, match="ran different code"):
        result_files.check_row("row", runs, tmp_path)
    assert result_files.commit_cell(runs) == "aaaaaaa, bbbbbbb +dirty"
    old = [reconstructed(run) for run in runs]
    assert result_files.commit_cell(old) == f"ccccccc {result_files.RECONSTRUCTED_MARK}"


def test_code_differs_between_commits_that_changed_the_library():
    head = git(result_files.ROOT, "rev-parse", "HEAD").strip()
    assert result_files.code_differs(head, head) is False
    # c2e37f2 changed sb3_ddpg_ext/app (run records); its parent did not have them.
    try:
        git(result_files.ROOT, "cat-file", "-e", "c2e37f2^{commit}")
    except Exception:
        pytest.skip("a shallow clone without that commit")
    assert result_files.code_differs("c2e37f2", "c2e37f2^") is True


def test_generated_sentences_compare_on_shared_seeds_and_name_their_metric():

    speed = {
        "results": [
            {
                "env": "Pendulum-v1",
                "batch_size": 64,
                "steps_per_s": {
                    "stock MlpPolicy": [100.0, 50.0],
                    "stock PaperPolicy": [110.0, 40.0],
                    "ours": [150.0, 80.0],
                },
            }
        ]
    }
    # Paired by round: ours / MlpPolicy 1.5 and 1.6 (median 1.55); ours / PaperPolicy 1.36 and 2.0 (1.68).
    assert "runs at 1.55x-1.55x the env steps/s of stock SB3 DDPG with `MlpPolicy`, and at 1.68x-1.68x" in (
        findings.speed_ratios(speed)
    )
    groups = {
        ("Pendulum-v1", 20000): {
            "tuned": [fake_run("tuned", seed, -100.0 - seed) for seed in range(10)],
            "paper": [fake_run("paper", seed, -200.0) for seed in range(3)],
        }
    }
    line = findings.compared(groups, "tuned", "paper")
    # Seeds 0-2 only: tuned's -100, -101, -102, not its ten-seed mean.
    assert line.startswith("- Pendulum-v1, 20,000 steps, seeds 0-2: final evaluation (10 episodes)")
    assert "tuned -101, paper -200" in line
    text = "a\n<!-- tuned-vs-paper -->\nold\n<!-- /tuned-vs-paper -->\nb\n"
    assert (
        findings.fill(text, {"tuned-vs-paper": "new"})
        == "a\n<!-- tuned-vs-paper -->\nnew\n<!-- /tuned-vs-paper -->\nb\n"
    )


def test_the_halfcheetah_exploration_sentence_gives_every_seed_on_the_seeds_all_variants_ran():

    names = findings.EXPLORATION_VARIANTS
    runs = {
        name: [fake_run(name, seed, 1000.0 * i + 10 * seed) for seed in range(3)]
        for i, name in enumerate(names)
    }
    runs[names[-1]] = runs[names[-1]][:2]  # one variant has seeds 0 and 1 only
    for run in runs[names[1]]:
        run["eval_curve"]["mean"][0] = 0.0  # the late mean covers the last third only (here the last point)
    line = findings.halfcheetah_exploration({("HalfCheetah-v5", 300000): runs})
    assert line.startswith(
        "HalfCheetah-v5, 300,000 steps, seeds 0, 1: final evaluation (10 episodes) per seed"
    )
    assert f"{variants.label(names[1])}: 1000, 1010 (mean 1005; last third's evaluations, mean 1005)" in line
    assert "1020" not in line  # seed 2 is not shared
    assert findings.halfcheetah_exploration({}) == ""


def test_an_entry_is_measured_by_the_rows_of_its_profile_with_the_settings_it_has_now():
    from sb3_ddpg_ext.app.zoo import load_profile

    entry = load_profile("tuned")["Pendulum-v1"]
    runs = [{**fake_run("tuned", seed, -100.0 - 10 * seed), "config": dict(entry)} for seed in range(3)]
    other = [{**run, "config": {**entry, "batch_size": 256}} for run in runs]
    groups = {
        ("Pendulum-v1", 20000): {"tuned": runs, "tuned+bn": runs},
        ("Pendulum-v1", 10000): {"tuned": other},
    }
    groups[("Pendulum-v1", 5000)] = {"tuned": [fake_run("tuned", 0, -900.0)]}  # its settings unknown
    floors = {"Pendulum-v1": {"zero": {"mean": -1290.0}, "random": {"mean": -1240.0}}}
    measured = measured_entries.measured_entries(groups, floors)
    assert list(measured) == ["tuned"]  # the paper profile ran nowhere; a variant is not its profile
    unknown, older, now = measured["tuned"]["Pendulum-v1"]
    assert unknown["differs"] == ["settings not recorded"]
    assert (older["steps"], older["differs"]) == (10000, ["batch_size"])
    assert now == dict(
        steps=20000,
        seeds=3,
        final_mean=-110.0,
        final_std=10.0,
        made_by=f"commit {FAKE_COMMIT[:7]}",
        differs=[],
        learned_nothing=-1240.0,  # the better of zero action and random actions
    )
    assert "learned_nothing" not in measured_entries.measured_entries(groups, {})["tuned"]["Pendulum-v1"][2]
    assert "| tuned | Pendulum-v1 | 20,000 | measured: final evaluation -110 +- 10.0 over 3 seeds" in (
        measured_entries.entries_table(measured)
    )
    summary = measured_entries.measured_summary(measured).splitlines()
    assert summary[0].startswith("- `paper` profile, measured at each entry's own budget: none; not measured")
    # Only Pendulum-v1 ran at its entry's budget (20,000) with the entry's settings as they are now.
    assert summary[1].startswith("- `tuned` profile, measured at each entry's own budget: Pendulum-v1; ")
    assert "MountainCarContinuous-v0, " in summary[1]


def test_a_candidate_row_becomes_the_profile_s_row_once_the_entry_takes_its_settings():
    from sb3_ddpg_ext.app.zoo import load_profile

    entry = load_profile("tuned")["Pendulum-v1"]
    old = [{**fake_run("tuned", s, -300.0), "config": {**entry, "batch_size": 7}} for s in range(3)]
    adopted = [{**fake_run("tuned:batch_size=X", s, -120.0), "config": dict(entry)} for s in range(3)]
    other = [{**fake_run("tuned:tau=Y", s, -100.0), "config": {**entry, "tau": 0.5}} for s in range(3)]
    key = ("Pendulum-v1", 20000)
    # Changes made to the older entry ran with its settings: they are named with them.
    bn = [{**fake_run("tuned+bn", s, -500.0), "config": {**entry, "batch_size": 7}} for s in range(3)]
    none = [{**fake_run("none", s, -400.0), "config": {**entry, "batch_size": 7}} for s in range(3)]
    paper = [{**fake_run("paper", s, -200.0), "config": {**entry, "batch_size": 7}} for s in range(3)]
    groups = {
        key: {"tuned": old, "tuned:batch_size=X": adopted, "tuned:tau=Y": other, "tuned+bn": bn}
        | {"none": none, "paper": paper}
    }
    now = measured_entries.as_entries_are_now(groups)
    assert now[key] == {
        "tuned": adopted,
        "tuned:batch_size=7": old,
        "tuned:tau=Y": other,
        "tuned+bn:batch_size=7": bn,
        "none:batch_size=7": none,
        "paper": paper,  # another profile's row, whatever it ran
    }
    for name in now[key]:
        variants.label(name)  # each new name reads as the settings it ran with
    (record,) = measured_entries.measured_entries(now)["tuned"]["Pendulum-v1"]
    assert (record["final_mean"], record["differs"]) == (-120.0, [])
    # Without a row that has the entry's settings, the profile's own row stands, with its differences.
    del groups[key]["tuned:batch_size=X"]
    assert measured_entries.as_entries_are_now(groups) == groups
    (record,) = measured_entries.measured_entries(groups)["tuned"]["Pendulum-v1"]
    assert (record["final_mean"], record["differs"]) == (-300.0, ["batch_size"])
    # A candidate alone, with the entry's settings, is the profile's row.
    only = {key: {"tuned:batch_size=X": adopted}}
    assert measured_entries.as_entries_are_now(only) == {key: {"tuned": adopted}}


def test_a_row_that_took_a_setting_from_the_other_profile_is_named_by_the_value_it_ran_with():
    from sb3_ddpg_ext.app.zoo import load_profile

    paper = load_profile("paper")["Pendulum-v1"]
    batch = load_profile("tuned")["Pendulum-v1"]["batch_size"]
    key = ("Pendulum-v1", 20000)

    def rows(variant, batch_size):
        config = {**paper, "batch_size": batch_size}
        return [{**fake_run(variant, s, -200.0), "config": config} for s in range(3)]

    # The tuned entry's batch size has changed since these rows ran: "the tuned profile's batch size"
    # would now name another value.
    before, chained = rows("paper-batch", batch * 2), rows("paper-bn-batch", batch * 2)
    now = measured_entries.as_entries_are_now({key: {"paper-batch": before, "paper-bn-batch": chained}})
    ran = f"batch_size={batch * 2}"
    assert now == {key: {f"paper:{ran}": before, f"paper-bn:{ran}": chained}}
    assert variants.label(f"paper:{ran}") == f"paper profile, batch_size {batch * 2}"
    # Rows that ran with the value the other entry has now, or whose settings are not recorded, keep
    # their names.
    for runs in (rows("paper-batch", batch), [fake_run("paper-batch", s, -200.0) for s in range(3)]):
        groups = {key: {"paper-batch": runs}}
        assert measured_entries.as_entries_are_now(groups) == groups


def test_an_env_section_gives_the_scores_of_a_policy_that_learned_nothing(tmp_path):
    (tmp_path / "reference_policies.json").write_text(
        json.dumps({"results": {"Reacher-v5": {"zero": {"mean": -9.1}, "random": {"mean": -40.93}}}})
    )
    assert learning_tables.floor_line("Reacher-v5", tmp_path) == (
        "A policy that learned nothing, 10 episodes each (`python bench/reference_policies.py`): zero action "
        "-9.1, uniform random actions -40.9."
    )
    assert learning_tables.floor_line("Pendulum-v1", tmp_path) is None


def test_a_pixel_section_says_what_its_budget_costs_from_the_measured_step_cost(tmp_path):
    cost = dict(
        env="PendulumPixels-v1",
        profile="tuned",
        command="python bench/pixel_cost.py",
        provenance=dict(commit="abcdef1234", dirty=False),
        rounds=3,
        cpu_count=2,
        load_average_before=2.04,
        collection_ms_per_step=dict(median=31.2),
        gradient_ms_per_step=dict(median=96.1),
        training_steps_per_s=dict(median=10.5),
        budget=20000,
        budget_hours=0.53,
        paper_steps=2_500_000,
        paper_steps_hours=66.1,
    )
    (tmp_path / "pixel_cost.json").write_text(json.dumps(cost))
    line = learning_tables.pixel_cost_line("PendulumPixels-v1", tmp_path)
    assert "commit abcdef1" in line
    assert "load average of 2.0" in line
    assert "3 frames 31 ms, a gradient step at the entry's minibatch 96 ms; 10.5 agent steps/s" in line
    assert "20,000 steps take 0.5 hours of one core per seed" in line
    assert "2,500,000 steps" in line
    assert line.endswith("66 hours.")
    assert learning_tables.pixel_cost_line("Pendulum-v1", tmp_path) is None
    # The pixel guide's block: the entry's runs at the largest budget they ran, the floors and the cost.
    assert findings.pixel_entry({}, tmp_path) == ""
    (tmp_path / "reference_policies.json").write_text(
        json.dumps({"results": {"PendulumPixels-v1": {"zero": {"mean": -1290.0}, "random": {"mean": -1240}}}})
    )
    runs = [
        {**fake_run("tuned", seed, final), "env": "PendulumPixels-v1", "wall_time_s": hours * 3600}
        for seed, final, hours in ((0, -1300.0, 1.0), (1, -1250.0, 1.5), (2, -1350.0, 2.0))
    ]
    groups = {("PendulumPixels-v1", 10000): {"tuned": runs[:1]}}
    groups[("PendulumPixels-v1", 20000)] = {"tuned": runs}
    block = findings.pixel_entry(groups, tmp_path)
    assert block.startswith(
        "PendulumPixels-v1, tuned profile, 20,000 agent steps, seeds 0-2: final evaluation (10 noise-free "
        "episodes) -1300 +- 50.0 (per seed: -1300, -1250, -1350); each run 1.5 hours of one core (median). "
        "A policy that learned nothing"
    )
    assert "random actions -1240. No seed ends above the better of the two (-1240): at this budget" in block
    runs[1]["final_eval_mean"] = -1200.0
    assert "1 of 3 seeds end above the better of the two (-1240)." in findings.pixel_entry(groups, tmp_path)
    assert block.endswith(line)


def test_wall_clock_to_a_return_is_read_from_the_first_evaluation_that_reaches_it():
    run = {**fake_run("tuned", 0, 8000.0), "budget": 300}
    run["eval_curve"] = dict(steps=[100, 200, 300], mean=[1000.0, 4000.0, 8000.0], std=[0.0] * 3)
    run["eval_walls"] = [[100, 60.0], [200, 150.0], [300, 240.0]]
    assert wallclock.time_to_return(run, 3000) == (200, 150.0)
    assert wallclock.time_to_return(run, 9000) is None
    runs = {"tuned": [run], "paper": [fake_run("paper", 0, 1.0)]}
    lines = wallclock.wallclock_table(runs, (3000, 9000))
    assert lines[2] == "| tuned profile | 0 | 200 steps, 2.5 min | not reached | 8000 | 4.0 min |"
    assert len(lines) == 3  # runs without evaluation times are left out
    slower = {**run, "seed": 1, "final_eval_mean": 3500.0}
    slower["eval_walls"] = [[100, 120.0], [200, 330.0], [300, 480.0]]
    slower["eval_curve"] = dict(steps=[100, 200, 300], mean=[1000.0, 2000.0, 3500.0], std=[0.0] * 3)
    groups = {
        ("HalfCheetah-v5", 300): {"tuned": [run, slower], "paper-bn": [run]},
        ("Pendulum-v1", 300): {"tuned": [run]},
    }
    summary = wallclock.wallclock_summary(groups)
    assert len(summary) == 3  # Pendulum-v1 has no marks; an ablation of the paper's is not a pick
    # 3,000: at 2.5 and 8 min (median 5.25); 5,000 and 7,000: seed 0 only, at 4 min; whole runs
    # 4 and 8 min: the range beside each median is that over seeds, as the machine's noise shows in it
    assert summary[2] == (
        "| HalfCheetah-v5 (300) | tuned profile | 2 | 5 min (2-8) | 4 min (1 of 2 seeds) "
        "| 4 min (1 of 2 seeds) | 5750 +- 3182 | 6 min (4-8) |"
    )
    three = {**slower, "seed": 2}
    three["eval_curve"] = dict(steps=[100, 200, 300], mean=[1000.0, 5000.0, 5000.0], std=[0.0] * 3)
    partial = wallclock.wallclock_summary({("HalfCheetah-v5", 300): {"tuned": [run, slower, three]}})
    # 5,000: seed 0 at 4 min, seed 2 at 5.5 min; seed 1 never
    assert "| 5 min (4-6; 2 of 3 seeds) |" in partial[2]


def test_results_come_over_from_a_worktree_only_by_whole_rows(tmp_path):
    import collect_results

    source, here = tmp_path / "worktree", tmp_path / "here"
    for seed in (0, 1):  # reconstructed here, seeds 0-2
        for variant in ("tuned", "paper:noise=gauss0.1"):
            path = learning.result_path("Pendulum-v1", 20000, variant, seed, here)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(reconstructed(fake_run(variant, seed, -300.0))))
    learning.result_path("Pendulum-v1", 20000, "tuned", 2, here).write_text(
        json.dumps(reconstructed(fake_run("tuned", 2, -300.0)))
    )
    # The worktree re-ran seeds 0-1 of both rows (with its old folder names) and a new seed 5 of one.
    for variant, seeds in (("tuned", (0, 1)), ("paper:noise=gauss0.1", (0, 1, 5))):
        for seed in seeds:
            path = (
                source / "bench" / "results" / "learning" / "Pendulum-v1-20000" / variant / f"seed{seed}.json"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(fake_run(variant, seed, -150.0)))
    lines = collect_results.collect(source, here)
    waiting = "waiting Pendulum-v1 @ 20000 tuned: seeds [0, 1] in pending/ (seeds [2] are not re-run yet)"
    assert lines == ["copied Pendulum-v1 @ 20000 paper:noise=gauss0.1: seeds [0, 1, 5]", waiting]
    assert collect_results.collect(source, here) == [waiting]  # again: the copied row is held already
    pending = tmp_path / "pending" / "Pendulum-v1-20000" / "tuned"
    assert sorted(p.name for p in pending.iterdir()) == ["seed0.json", "seed1.json"]
    copied = learning.result_path("Pendulum-v1", 20000, "paper:noise=gauss0.1", 5, here)
    assert json.loads(copied.read_text())["final_eval_mean"] == -150.0
    assert (
        json.loads(learning.result_path("Pendulum-v1", 20000, "tuned", 0, here).read_text())[
            "final_eval_mean"
        ]
        == -300.0
    )


def long_run(variant, seed, curve, final):
    """A fake 1M-step HalfCheetah-v5 run evaluated every 100k steps."""
    run = dict(fake_run(variant, seed, final), env="HalfCheetah-v5", budget=1_000_000, wall_time_s=7200.0)
    run["eval_curve"] = dict(steps=list(range(100_000, 1_000_001, 100_000)), mean=curve, std=[0.0] * 10)
    return run


def test_long_runs_are_read_in_each_published_metric():
    tuned = [
        long_run("tuned", 0, [100.0 * i for i in range(1, 11)], 950.0),  # 100 ... 1000
        long_run("tuned", 1, [100.0 * i for i in range(11, 1, -1)], 150.0),  # 1100 ... 200
    ]
    variants = {"tuned": tuned}
    # the seed-mean curve is 600 everywhere (100+1100, 200+1000, ...): its best is 600, though each
    # seed's best is 1000 and 1100
    assert comparisons.best_of_mean_curve(tuned) == 600.0
    assert comparisons.last_evals(tuned[0], 3) == 900.0
    assert comparisons.eval_at(tuned[0], 300_000) == 300.0
    assert comparisons.eval_at(tuned[0], 250_000) is None
    table = comparisons.anchor_table(("HalfCheetah-v5", 1_000_000), variants)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table[2:]}
    assert rows["Tianshou DDPG"].endswith("| 11719 | 600 (tuned profile, 2 seeds) | 550 +- 566 |")
    assert "| not recorded (tuned profile, 2 seeds) |" in rows["CleanRL DDPG"]
    assert rows['TD3 paper, "DDPG" (Table 2)'].endswith("| 3162.5 | not run | - |")
    lines = comparisons.long_run_table(variants)
    # final, best, mean of the last 10 (all 10 here: 550 and 650), eval at 300k, training episodes, wall
    assert lines[2].startswith("| tuned profile | 0 | 950 | 1000 | 550 | 300 | - | 2.0 h |")
    assert lines[3].startswith("| tuned profile | 1 | 150 | 1100 | 650 | 900 | - | 2.0 h |")
    together = "| tuned profile | all 2 | 550 +- 566 | 1050 +- 70.7 | 600 +- 70.7 | 600 +- 424 | - |"
    assert lines[4].startswith(together)
    # Training episodes (with noise), where kept: the last 100 of each run, averaged over seeds.
    tuned[0]["training_episodes"] = [[1000 * i, 0.0 if i <= 100 else 900.0] for i in range(1, 151)]
    tuned[1]["training_episodes"] = [[1000 * i, 700.0] for i in range(1, 101)]
    assert comparisons.last_training_episodes(tuned[0]) == 450.0  # 50 at 0, 50 at 900
    table = comparisons.anchor_table(("HalfCheetah-v5", 1_000_000), variants)
    assert "| 10374 +- 157 | 575 (tuned profile, 2 seeds) |" in table[2]
    assert "| 450 | 2.0 h |" in comparisons.long_run_table(variants)[2]
    one = comparisons.anchor_table(("HalfCheetah-v5", 1_000_000), {"tuned": tuned[:1]})
    assert "| 450 (tuned profile, 1 seed) |" in one[2]


def test_tuned_and_stock_are_tabled_on_shared_seeds_with_intervals_only_from_five():
    hopper = {
        "tuned": [dict(fake_run("tuned", s, 2000.0 + 100 * s), env="Hopper-v5") for s in range(6)],
        "stock": [dict(fake_run("stock", s, 1000.0 + 10 * s), env="Hopper-v5") for s in range(5)],
    }
    pendulum = {
        "tuned": [fake_run("tuned", s, -150.0) for s in (0, 1, 2)],
        "stock": [fake_run("stock", s, -160.0) for s in (1, 2, 9)],
    }
    lines = comparisons.stock_table({("Hopper-v5", 20000): hopper, ("Pendulum-v1", 20000): pendulum})
    hopper_row, pendulum_row = lines[2], lines[3]
    # seed 5 has no stock run: tuned 2000-2400 against stock 1000-1040, a difference of 1180 on average
    assert hopper_row.startswith("| Hopper-v5 (20,000) | 0, 1, 2, 3, 4 | 2200 +- 158 | 1020 +- 15.8 | 2200 [")
    assert "| 1180 [" in hopper_row
    assert pendulum_row.startswith("| Pendulum-v1 (20,000) | 1, 2 | -150 +- 0.0 | -160 +- 0.0 |")
    assert "| 10.0 |" in pendulum_row
    assert "CI needs 5+ seeds" in pendulum_row
    assert comparisons.stock_table({("Pendulum-v1", 20000): {"tuned": pendulum["tuned"]}}) == []


def test_the_report_puts_the_comparisons_in_the_summary_and_the_readme(tmp_path):
    for seed in (0, 1):
        run = long_run("paper", seed, [100.0 * i for i in range(1, 11)], 1000.0)
        path = tmp_path / "results" / "learning" / "HalfCheetah-v5-1000000" / "paper" / f"seed{seed}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(run))
    write_runs(tmp_path, "tuned", [-150.0, -140.0])
    write_runs(tmp_path, "stock", [-160.0, -170.0])
    readme = tmp_path / "README.md"
    readme.write_text("<!-- headline -->\n<!-- /headline -->\n")
    report.main(**point_report_at(tmp_path, readme))
    summary = (tmp_path / "docs" / "benchmarks.md").read_text().split("## Learning, env by env")[0]
    for text in (summary, readme.read_text()):
        assert "| Pendulum-v1 (20,000) | 0, 1 | -145 +- 7.1 | -165 +- 7.1 |" in text
        assert "HalfCheetah-v5 at 1,000,000 steps beside published DDPG" in text
        assert "every 100,000 steps over 5 episodes" in text
        assert "| 3305.6 | 1000 (paper profile, 2 seeds) | 1000 +- 0.0 |" in text
    # The 1M runs read at 300k (periodic evaluations: 300 on both seeds) join a 300k section, if there is one.
    assert comparisons.longer_runs_line("HalfCheetah-v5", 300_000, load_groups(tmp_path)) == (
        "The longer runs, read at 300,000 steps (their periodic evaluation there, 5 episodes, not a final "
        "one), mean +- std: paper profile (1,000,000-step runs) 300 +- 0.0 (2 seeds)."
    )
    assert comparisons.longer_runs_line("HalfCheetah-v5", 1_000_000, load_groups(tmp_path)) is None
    assert "| paper profile | all 2 |" in summary  # each long run's readings: in the docs only
    assert "| paper profile | all 2 |" not in readme.read_text()


def write_events(path, points):
    """A TensorBoard event file at ``path`` holding ``{tag: [(step, value), ...]}``."""
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(path.parent / "writing"))
    for tag, values in points.items():
        for step, value in values:
            writer.add_scalar(tag, value, step)
    writer.close()
    (written,) = (path.parent / "writing").iterdir()
    written.rename(path)


def test_a_run_s_logs_keep_each_segment_s_points_and_drop_those_its_resume_redid(tmp_path):
    import run_logs

    folder = tmp_path / "tensorboard" / "DDPG_1"
    folder.mkdir(parents=True)
    # The first segment logged at 3000 after its last checkpoint (2500); the resumed one redid those steps.
    write_events(
        folder / "events.out.tfevents.900.host.1",
        {"diagnostics/mean_q": [(1000, 1.0), (2000, 2.0), (3000, 99.0)], "time/fps": [(1000, 5.0)]},
    )
    write_events(
        folder / "events.out.tfevents.1000.host.2",
        {"diagnostics/mean_q": [(3500, 3.5), (4000, 4.0), (4600, 4.6)], "train/critic_loss": [(4000, 0.5)]},
    )
    scalars = run_logs.logged_scalars(tmp_path, [0, 2500])
    # 4000 and 4600 share a bin: the later is kept; fps is not one of the tags kept
    assert scalars == {
        "diagnostics/mean_q": [[1000, 1.0], [2000, 2.0], [3500, 3.5], [4600, 4.6]],
        "train/critic_loss": [[4000, 0.5]],
    }
    assert run_logs.logged_scalars(tmp_path / "none", [0]) == {}


def test_stock_runs_log_our_diagnostics_and_nothing_else_changes():
    profile, overrides = variants.variant_setup("stock", "Hopper-v5")
    assert profile == "stock"
    assert list(overrides) == ["callback"]
    assert "sb3_ddpg_ext.callbacks.DDPGDiagnostics" in overrides["callback"]


def test_the_diagnostics_table_averages_the_last_third_of_what_each_run_logged():
    runs = [dict(fake_run("tuned", seed, 1.0), budget=300) for seed in (0, 1)]
    runs[0]["diagnostics"] = {"diagnostics/mean_q": [[100, 1000.0], [250, 10.0], [300, 20.0]]}
    runs[1]["diagnostics"] = {"diagnostics/mean_q": [[300, 45.0]], "train/critic_loss": [[300, 0.5]]}
    lines = comparisons.diagnostics_table({"tuned": runs, "stock": [fake_run("stock", 0, 1.0)]})
    # seed 0's last third is 250 and 300 (15), seed 1's 45: 30; saturation was not logged
    assert lines[2] == "| tuned profile | 2 | 30 | - | 0.5 |"
    assert len(lines) == 3  # the stock run kept no diagnostics


def test_a_row_waits_in_pending_until_its_last_seed_comes_from_another_checkout(tmp_path):
    import collect_results

    here = tmp_path / "learning"

    def worktree(name, seeds):
        source = tmp_path / name
        for seed in seeds:
            path = (
                source / "bench" / "results" / "learning" / "Pendulum-v1-20000" / "stock" / f"seed{seed}.json"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(fake_run("stock", seed, -150.0 - seed)))
        return source

    first = worktree("monday", (0, 1))
    assert collect_results.collect(first, here, min_seeds=3, dry_run=True) == [
        "would wait Pendulum-v1 @ 20000 stock: seeds [0, 1] in pending/ (2 of 3 seeds)"
    ]
    assert not (tmp_path / "pending").exists()
    assert collect_results.collect(first, here, min_seeds=3) == [
        "waiting Pendulum-v1 @ 20000 stock: seeds [0, 1] in pending/ (2 of 3 seeds)"
    ]
    assert not here.exists()
    shutil.rmtree(first)  # the machine that ran them is gone; the pending copies remain
    assert collect_results.collect(worktree("tuesday", (2,)), here, min_seeds=3) == [
        "copied Pendulum-v1 @ 20000 stock: seeds [0, 1, 2]"
    ]
    finals = [
        json.loads(learning.result_path("Pendulum-v1", 20000, "stock", seed, here).read_text())[
            "final_eval_mean"
        ]
        for seed in (0, 1, 2)
    ]
    assert finals == [-150.0, -151.0, -152.0]
    assert not any((tmp_path / "pending").iterdir())
    assert collect_results.collect(None, here, min_seeds=3) == []
