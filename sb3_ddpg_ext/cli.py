"""The ``sb3-ddpg`` command: train, evaluate, plot and list, on top of rl_zoo3 and SB3."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch as th

from zoo_configs import PROFILES, STOCK_PROFILE

DEFAULT_THREADS = 1  # small networks: one thread is as fast as two and leaves a core for a second run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sb3-ddpg", description="DDPG as in Lillicrap et al. (2016), on SB3."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train from a zoo config into one run folder")
    train.add_argument("--env", required=True, help="Gymnasium env id, e.g. Pendulum-v1")
    train.add_argument(
        "--profile",
        default="tuned",
        choices=[*sorted(PROFILES), STOCK_PROFILE],
        help="config profile (default: tuned); 'stock' is rl_zoo3's own DDPG config, for comparisons",
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--steps", type=int, help="env steps (default: the config's n_timesteps)")
    train.add_argument("--out", type=Path, help="run folder (default: runs/ENV-PROFILE-seedN)")
    train.add_argument("--eval-freq", type=int, help="steps between evaluations (default: 1/20 of the run)")
    train.add_argument("--eval-episodes", type=int, default=5, help="episodes per periodic evaluation")
    train.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="torch threads (default 1)")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument(
        "--no-nan-guard", action="store_true", help="do not stop at NaN or inf observations or rewards"
    )
    train.add_argument(
        "--hyperparams",
        "-params",
        nargs="+",
        default=[],
        metavar="KEY:VALUE",
        help="override config entries, as rl_zoo3's -params, e.g. learning_rate:5e-4",
    )

    evaluate = commands.add_parser("evaluate", help="noise-free evaluation of a trained run")
    evaluate.add_argument("run", type=Path, help="a run folder")
    evaluate.add_argument("--episodes", type=int, default=10)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--video", action="store_true", help="also record a video into RUN/videos")

    plot = commands.add_parser("plot", help="one PNG comparing runs (mean and spread across seeds)")
    plot.add_argument("runs", type=Path, nargs="+", help="run folders")
    plot.add_argument("--out", type=Path, default=Path("comparison.png"), help="PNG path")

    commands.add_parser("list", help="the envs and profiles available")
    return parser


def cmd_train(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.plotting import plot_run
    from sb3_ddpg_ext.zoo import parse_overrides, train

    out = args.out or Path("runs") / f"{args.env}-{args.profile}-seed{args.seed}"
    th.set_num_threads(args.threads)
    summary = train(
        args.env,
        args.profile,
        args.seed,
        out,
        steps=args.steps,
        eval_freq=args.eval_freq,
        eval_episodes=args.eval_episodes,
        progress=not args.no_progress,
        hyperparams=parse_overrides(args.hyperparams),
        nan_guard=not args.no_nan_guard,
    )
    plot_run(out)
    print(f"\nRun folder: {out}")
    print(
        f"{summary['steps']} steps in {summary['wall_time_s']:.0f} s ({summary['steps_per_s']:.0f} steps/s)"
    )
    if summary["interrupted"]:
        print(f"Interrupted at step {summary['steps']}: the model so far is saved.")
    else:
        print(
            f"Final evaluation ({summary['final_eval_episodes']} noise-free episodes): "
            f"{summary['final_eval_mean']:.1f} +- {summary['final_eval_std']:.1f}"
        )


def cmd_evaluate(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.evaluation import evaluate_run
    from sb3_ddpg_ext.runs import check_run

    result = evaluate_run(check_run(args.run), args.episodes, args.seed, args.video)
    print(
        f"{result['env']}: {result['mean']:.1f} +- {result['std']:.1f} "
        f"over {args.episodes} noise-free episodes"
    )
    if result.get("video"):
        print(f"Video: {result['video']}")


def cmd_plot(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.plotting import plot_runs
    from sb3_ddpg_ext.runs import check_run

    print(f"Wrote {plot_runs([check_run(run) for run in args.runs], args.out)}")


def cmd_list(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.zoo import load_profile

    configs = {profile: load_profile(profile) for profile in [*sorted(PROFILES), STOCK_PROFILE]}
    ours = [configs[profile] for profile in PROFILES]  # the stock config also lists envs we do not cover
    envs = sorted({env for config in ours for env in config if env != "default"})
    print(f"{'env':<28}" + "".join(f"{profile + ' steps':>14}" for profile in configs))
    for env in envs:
        cells = [
            f"{int(config[env]['n_timesteps']):>14,}" if env in config else f"{'-':>14}"
            for config in configs.values()
        ]
        print(f"{env:<28}" + "".join(cells))
    print(f"\nProfiles: {', '.join(f'{name} ({path})' for name, path in sorted(PROFILES.items()))}")
    print(f"{STOCK_PROFILE}: rl_zoo3's own ddpg.yml (stock SB3 DDPG), MuJoCo v5 envs via its v4 entries")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sb3_ddpg_ext.guards import NonFiniteError
    from sb3_ddpg_ext.zoo import UsageError

    try:
        {"train": cmd_train, "evaluate": cmd_evaluate, "plot": cmd_plot, "list": cmd_list}[args.command](args)
    except UsageError as error:
        print(f"sb3-ddpg {args.command}: {error}", file=sys.stderr)
        return 2
    except NonFiniteError as error:
        print(f"sb3-ddpg {args.command}: {error} The run folder was removed.", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"sb3-ddpg {args.command}: interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
