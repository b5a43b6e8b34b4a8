import copy
import re

import gymnasium as gym
import numpy as np
import pytest
import stable_baselines3 as sb3
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.noise import VectorizedActionNoise

from sb3_ddpg_ext import DDPG, OUNoise


def draw(noise, n):
    return np.array([noise() for _ in range(n)])


def test_paper_defaults_stationary_std_and_lag1_autocorrelation():
    noise = OUNoise(np.zeros(4), 0.2, seed=0)  # theta 0.15, dt 1: the paper's discrete process
    expected_std = 0.2 / np.sqrt(2 * 0.15 - 0.15**2)
    assert expected_std == pytest.approx(0.38, abs=0.001)
    np.testing.assert_allclose(noise.stationary_std, expected_std)
    xs = draw(noise, 60_000)[1_000:]  # past the burn-in from 0
    np.testing.assert_allclose(xs.std(axis=0), expected_std, rtol=0.05)
    np.testing.assert_allclose(xs.mean(axis=0), 0.0, atol=0.05)
    lag1 = [np.corrcoef(xs[:-1, i], xs[1:, i])[0, 1] for i in range(4)]
    np.testing.assert_allclose(lag1, 0.85, atol=0.02)


def test_small_dt_matches_sb3_process_statistics():
    noise = OUNoise(np.zeros(2), 0.3, theta=0.5, dt=0.1, seed=1)
    xs = draw(noise, 80_000)[2_000:]
    np.testing.assert_allclose(xs.std(axis=0), 0.3 / np.sqrt(2 * 0.5 - 0.25 * 0.1), rtol=0.06)
    lag1 = np.corrcoef(xs[:-1, 0], xs[1:, 0])[0, 1]
    assert lag1 == pytest.approx(1 - 0.5 * 0.1, abs=0.01)


def test_reset_returns_to_mean_or_initial_noise():
    noise = OUNoise([1.0, -1.0], 0.5, seed=0)
    draw(noise, 50)
    noise.reset()
    np.testing.assert_array_equal(noise.noise_prev, [1.0, -1.0])
    noise = OUNoise(np.zeros(2), 0.5, initial_noise=[0.3, 0.4], seed=0)
    draw(noise, 50)
    noise.reset()
    np.testing.assert_array_equal(noise.noise_prev, [0.3, 0.4])


def test_start_stationary_draws_from_the_stationary_distribution():
    noise = OUNoise(np.full(3, 0.5), 0.2, start_stationary=True, seed=0)
    starts = []
    for _ in range(4_000):
        noise.reset()
        starts.append(noise())  # from a stationary start, the first value is stationary too
    starts = np.array(starts)
    np.testing.assert_allclose(starts.mean(axis=0), 0.5, atol=0.03)
    np.testing.assert_allclose(starts.std(axis=0), noise.stationary_std, rtol=0.05)


def test_seeding_is_reproducible_and_seeds_differ():
    a, b, c = (OUNoise(np.zeros(2), 0.2, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(draw(a, 100), draw(b, 100))
    assert not np.allclose(draw(OUNoise(np.zeros(2), 0.2, seed=7), 100), draw(c, 100))


def test_unseeded_noise_follows_numpy_global_seed():
    np.random.seed(3)  # noqa: NPY002  (the generator SB3 seeds from the model's seed)
    first = draw(OUNoise(np.zeros(2), 0.2), 50)
    np.random.seed(3)  # noqa: NPY002
    np.testing.assert_array_equal(first, draw(OUNoise(np.zeros(2), 0.2), 50))
    np.random.seed(4)  # noqa: NPY002  (another seed: other draws, so the noise is not fixed or constant)
    other = draw(OUNoise(np.zeros(2), 0.2), 50)
    assert not np.allclose(first, other)
    assert first.std() > 0.1


@pytest.mark.parametrize("used", [False, True])
def test_a_deep_copy_is_an_exact_clone(used):
    noise = OUNoise(np.zeros(2), 0.2, seed=5, start_stationary=True)
    if used:
        draw(noise, 30)
    clone = copy.deepcopy(noise)
    np.testing.assert_array_equal(draw(clone, 200), draw(noise, 200))


def test_spawned_processes_are_independent_and_reproducible():
    def children(seed):
        return [draw(child, 2_000)[:, 0] for child in OUNoise(np.zeros(1), 0.2, seed=seed).spawn(3)]

    first, again = children(5), children(5)
    for x, y in zip(first, again, strict=True):
        np.testing.assert_array_equal(x, y)
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert abs(np.corrcoef(first[i], first[j])[0, 1]) < 0.3
    assert not np.allclose(first[0], children(6)[0])


def test_building_and_resetting_a_noise_draws_nothing_from_numpy():
    np.random.seed(1)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    noise = OUNoise(np.zeros(2), 0.2, start_stationary=True)
    noise.reset()
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_a_noise_built_before_the_model_follows_the_models_seed():
    def run(user_draws):
        noise = RecordingOUNoise(np.zeros(1), 0.2, start_stationary=True)
        np.random.seed(user_draws)  # noqa: NPY002  (whatever the user did to numpy before the model)
        np.random.rand(user_draws)  # noqa: NPY002
        model = DDPG("PaperPolicy", "Pendulum-v1", seed=0, learning_starts=10_000, action_noise=noise)
        model.learn(300)
        return np.array(noise.history)

    np.testing.assert_array_equal(run(3), run(11))


def test_annealing_reaches_the_floor_linearly_and_survives_reset():
    noise = OUNoise(np.zeros(2), 0.4, sigma_min=0.1, anneal_steps=100, seed=0)
    np.testing.assert_allclose(noise.sigma, 0.4)
    draw(noise, 50)
    noise.reset()
    np.testing.assert_allclose(noise.sigma, 0.25)
    draw(noise, 50)
    np.testing.assert_allclose(noise.sigma, 0.1)
    draw(noise, 500)
    np.testing.assert_allclose(noise.sigma, 0.1)
    xs = draw(noise, 40_000)[1_000:]
    np.testing.assert_allclose(xs.std(axis=0), 0.1 / np.sqrt(0.3 - 0.0225), rtol=0.06)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(sigma=-0.1), "OUNoise needs sigma >= 0, got [-0.1 -0.1]."),
        (dict(theta=-0.1), "OUNoise needs theta >= 0 and dt > 0, got theta=-0.1, dt=1.0."),
        (dict(dt=0.0), "OUNoise needs theta >= 0 and dt > 0, got theta=0.15, dt=0.0."),
        (
            dict(theta=1.0, dt=2.0),  # the edge: each step multiplies x by -1, and never settles
            "OUNoise with theta*dt=2 >= 2 is unstable (each step multiplies x by 1 - theta*dt = -1); "
            "use a smaller theta or dt.",
        ),
        (
            dict(theta=0.5, dt=5.0),
            "OUNoise with theta*dt=2.5 >= 2 is unstable (each step multiplies x by 1 - theta*dt = -1.5); "
            "use a smaller theta or dt.",
        ),
        (
            dict(sigma=np.ones(3)),
            "OUNoise sigma has shape (3,), which does not broadcast to mean's shape (2,).",
        ),
        (
            dict(sigma_min=np.ones(3), anneal_steps=10),
            "OUNoise sigma_min has shape (3,), which does not broadcast to mean's shape (2,).",
        ),
        (dict(initial_noise=np.zeros(3)), "OUNoise initial_noise has shape (3,), but mean has shape (2,)."),
        # Unlike sigma, the start is a point: a scalar is not taken for every dimension.
        (dict(initial_noise=0.5), "OUNoise initial_noise has shape (), but mean has shape (2,)."),
        (dict(sigma=np.nan), "OUNoise sigma must be finite, got nan."),
        (dict(mean=[0.0, np.nan]), "OUNoise mean must be finite, got [ 0. nan]."),
        (
            dict(sigma_min=0.05),
            "OUNoise annealing needs both sigma_min and a positive anneal_steps (or neither); "
            "got sigma_min=0.05, anneal_steps=0.",
        ),
        (dict(sigma_min=-0.05, anneal_steps=10), "OUNoise needs sigma_min >= 0, got [-0.05 -0.05]."),
        *[
            (
                kwargs,
                "OUNoise start_stationary needs theta > 0 (a random walk has no stationary distribution) "
                "and no initial_noise (the two choose different starting points).",
            )
            for kwargs in (
                dict(theta=0.0, start_stationary=True),
                dict(initial_noise=np.ones(2), start_stationary=True),
            )
        ],
    ],
)
def test_bad_parameters_raise_errors_that_name_the_parameter_and_the_fix(kwargs, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        OUNoise(**{"mean": np.zeros(2), "sigma": 0.2, **kwargs})


def test_the_edges_of_the_valid_parameters_are_accepted():
    # Zero sigma: a deterministic return to the mean; one annealing step: the floor after one call.
    still = OUNoise(np.zeros(2), 0.0, initial_noise=np.ones(2), seed=0)
    np.testing.assert_allclose(still(), 0.85)
    annealed = OUNoise(np.zeros(2), 0.4, sigma_min=0.0, anneal_steps=1, seed=0)
    annealed()
    np.testing.assert_allclose(annealed.sigma, 0.0)


def test_each_call_is_the_discrete_ou_step_on_the_noise_s_own_seeded_stream():
    mean, sigma, theta, dt = np.array([0.5, -0.5]), np.array([0.2, 0.3]), 0.15, 0.5
    noise = OUNoise(mean, sigma, theta=theta, dt=dt, initial_noise=np.array([1.0, 2.0]), seed=7)
    normal = np.random.default_rng(np.random.SeedSequence(7))
    x = np.array([1.0, 2.0])
    for _ in range(3):
        x = x + theta * (mean - x) * dt + sigma * np.sqrt(dt) * normal.standard_normal(2)
        value = noise()
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, x.astype(np.float32))
    assert OUNoise(mean, sigma, dtype=np.float64, seed=7)().dtype == np.float64
    # A stationary start is drawn from the same stream, at the first call.
    stationary = OUNoise(mean, sigma, theta=theta, dt=dt, start_stationary=True, seed=7)
    normal = np.random.default_rng(np.random.SeedSequence(7))
    x = mean + sigma / np.sqrt(2 * theta - theta**2 * dt) * normal.standard_normal(2)
    for _ in range(2):  # the stationary draw starts the episode; the steps after it are OU steps
        x = x + theta * (mean - x) * dt + sigma * np.sqrt(dt) * normal.standard_normal(2)
        np.testing.assert_array_equal(stationary(), x.astype(np.float32))


def test_a_noise_pickled_before_stationary_starts_existed_steps_as_before():
    noise, fresh = OUNoise(np.zeros(2), 0.2, seed=3), OUNoise(np.zeros(2), 0.2, seed=3)
    del noise.__dict__["_stationary_start_pending"]  # what such a pickle holds
    np.testing.assert_array_equal(noise(), fresh())


def test_processes_spawned_from_spawned_ones_are_new_streams():
    first, second = OUNoise(np.zeros(2), 0.2, seed=0).spawn(2)
    (grandchild,) = first.spawn(1)
    streams = [draw(process, 5) for process in (first, second, grandchild)]
    assert not np.array_equal(streams[2], streams[0])
    assert not np.array_equal(streams[2], streams[1])


def test_the_base_noise_of_a_vectorized_one_is_its_first_env_s():
    from sb3_ddpg_ext.noise import base_noise, vectorize

    noise = OUNoise(np.zeros(1), 0.2, seed=0)
    vectorized = vectorize(noise, 3)
    assert base_noise(vectorized) is vectorized.noises[0]
    assert base_noise(noise) is noise
    assert base_noise(None) is None


def test_shape_mismatch_with_the_action_space_is_refused():
    with pytest.raises(ValueError, match=r"action_noise has shape \(3,\)"):
        DDPG("PaperPolicy", "Pendulum-v1", action_noise=OUNoise(np.zeros(3), 0.2))


class RecordingOUNoise(OUNoise):
    """Keeps every value it returns (deep copies keep their own lists)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.history = []

    def __call__(self):
        value = super().__call__()
        self.history.append(value.copy())
        return value


def run_four_envs(seed, algo=DDPG):
    env = make_vec_env("Pendulum-v1", n_envs=4, seed=seed)
    # learning_starts beyond the run: collection only, fast, and the noise is still applied.
    model = algo(
        "PaperPolicy", env, seed=seed, learning_starts=10_000, action_noise=RecordingOUNoise(np.zeros(1), 0.2)
    )
    model.learn(2_400)
    assert isinstance(model.action_noise, VectorizedActionNoise)
    return np.array([np.array(n.history)[:, 0] for n in model.action_noise.noises])


@pytest.mark.parametrize("algo", [DDPG, sb3.DDPG], ids=["ours", "stock"])
def test_each_env_gets_independent_noise_inside_learn_and_runs_reproduce(algo):
    histories = run_four_envs(0, algo)
    assert histories.shape == (4, 600)
    for i in range(4):
        for j in range(i + 1, 4):
            assert not np.allclose(histories[i], histories[j])
            assert abs(np.corrcoef(histories[i], histories[j])[0, 1]) < 0.3
    np.testing.assert_array_equal(histories, run_four_envs(0, algo))
    assert not np.allclose(histories, run_four_envs(1, algo))


def test_noise_state_survives_model_save_and_load(tmp_path):
    noise = OUNoise(np.zeros(1), 0.3, sigma_min=0.05, anneal_steps=1_000, seed=0)
    model = DDPG("PaperPolicy", gym.make("Pendulum-v1"), seed=0, learning_starts=10_000, action_noise=noise)
    model.learn(300)
    model.save(tmp_path / "model.zip")
    loaded = DDPG.load(tmp_path / "model.zip")
    assert loaded.action_noise is not model.action_noise
    assert loaded.action_noise.n_calls == model.action_noise.n_calls == 300
    np.testing.assert_array_equal(loaded.action_noise.noise_prev, model.action_noise.noise_prev)
    np.testing.assert_allclose(loaded.action_noise.sigma, model.action_noise.sigma)
    np.testing.assert_array_equal(draw(loaded.action_noise, 20), draw(model.action_noise, 20))


def test_set_action_noise_checks_the_shape_and_splits_the_noise_per_env():
    from sb3_ddpg_ext.noise import set_action_noise

    model = sb3.DDPG("PaperPolicy", make_vec_env("Pendulum-v1", n_envs=3, seed=0), seed=0)
    set_action_noise(model, OUNoise(np.zeros(1), 0.2, seed=0))
    assert isinstance(model.action_noise, VectorizedActionNoise)
    first = [noise() for noise in model.action_noise.noises]
    assert len({float(value[0]) for value in first}) == 3  # spawned streams, not copies
    kept = OUNoise(np.zeros(1), 0.2, seed=0)
    set_action_noise(model, kept, per_env=False)
    assert model.action_noise is kept
    with pytest.raises(ValueError, match=r"action_noise has shape \(2,\).*np\.zeros\(\(1,\)\)"):
        set_action_noise(model, OUNoise(np.zeros(2), 0.2))
    set_action_noise(model, None)
    assert model.action_noise is None


def test_the_library_sets_a_models_noise_in_one_place():
    """Every assignment of a model's action_noise goes through noise.set_action_noise."""
    import pathlib

    import sb3_ddpg_ext

    package = pathlib.Path(sb3_ddpg_ext.__file__).parent
    writers = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.action_noise\s*=[^=]", line)
    ]
    assert writers == [f"noise.py:{_line_of('model.action_noise = noise', package / 'noise.py')}"]


def _line_of(text, path):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_vectorized_noise_keeps_its_state_through_save_and_load(tmp_path):
    env = make_vec_env("Pendulum-v1", n_envs=2, seed=0)
    model = DDPG("PaperPolicy", env, seed=0, learning_starts=10_000, action_noise=OUNoise(np.zeros(1), 0.2))
    model.learn(200)
    model.save(tmp_path / "model.zip")
    loaded = DDPG.load(tmp_path / "model.zip", env=make_vec_env("Pendulum-v1", n_envs=2, seed=0))
    assert isinstance(loaded.action_noise, VectorizedActionNoise)
    for ours, theirs in zip(loaded.action_noise.noises, model.action_noise.noises, strict=True):
        np.testing.assert_array_equal(ours.noise_prev, theirs.noise_prev)
        np.testing.assert_array_equal(draw(ours, 5), draw(theirs, 5))
