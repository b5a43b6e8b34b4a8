import numpy as np

from sb3_ddpg_ext.training import train


def test_short_pendulum_run_learns(tmp_path):
    """A real learning test: the README's main job (tuned profile, seed 0) at 5000 steps instead of 20000.

    The first evaluation, at step 1000, comes before the first update (SB3 trains once steps > learning_starts
    = 1000): it scores the untrained policy.
    """
    summary = train(
        "Pendulum-v1",
        "tuned",
        seed=0,
        out=tmp_path / "run",
        steps=5_000,
        eval_freq=1000,
        eval_episodes=10,
        progress=False,
        verbose=0,
    )
    untrained = np.load(tmp_path / "run" / "evaluations.npz")["results"][0].mean()
    print(f"untrained {untrained:.0f}, after 5000 steps {summary['final_eval_mean']:.0f}")
    assert untrained < -900
    assert summary["final_eval_mean"] > -400
    assert summary["final_eval_mean"] - untrained > 500
