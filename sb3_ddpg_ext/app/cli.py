"""The ``sb3-ddpg`` command: train, evaluate, plot and list, on top of rl_zoo3 and SB3."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import torch as th

from sb3_ddpg_ext import __version__
from sb3_ddpg_ext.app.extras import EXTRAS, MissingExtraError, missing_extra, require_extra
from sb3_ddpg_ext.zoo_configs import PROFILES, STOCK_PROFILE

DEFAULT_THREADS = 1  # small networks: one thread is as fast as two and leaves a core for a second run
INTERRUPTED = 130  # the shell's status for a command that Ctrl-C ended, so `a && b` stops after `a`


class PipeSafe:
    """A text stream that, once its reader is gone (``sb3-ddpg train ... | tee log``, with Ctrl-C
    ending tee too), discards what is written instead of raising: the run must still save."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._discard()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._discard()

    def _discard(self) -> None:
        # The file descriptor too, so that the interpreter's last flush at exit finds no broken pipe.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self._stream.fileno())
        self._stream = open(os.devnull, "w")  # noqa: SIM115 (open for the rest of the process)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``, refused with argparse's exit 2 otherwise."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return whole_number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sb3-ddpg", description="DDPG as in Lillicrap et al. (2016), on SB3."
    )
    parser.add_argument("--version", action="version", version=f"sb3-ddpg {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train from a zoo config into one run folder")
    train.add_argument("--env", help="Gymnasium env id, e.g. Pendulum-v1")
    train.add_argument(
        "--profile",
        choices=[*sorted(PROFILES), STOCK_PROFILE],
        help="config profile (default: tuned); 'stock' is rl_zoo3's own DDPG config, for comparisons",
    )
    train.add_argument("--seed", type=at_least(0), help="the run's seed (default 0)")
    train.add_argument(
        "--steps",
        type=at_least(1),
        help="env steps in all (default: the config's n_timesteps); with --resume, required",
    )
    train.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="continue this run from its last checkpoint to --steps steps, with its own settings",
    )
    train.add_argument(
        "--checkpoint-freq",
        type=at_least(0),
        help="steps between checkpoints (default: a tenth of the run; 0: only at the start and the end)",
    )
    train.add_argument("--out", type=Path, help="run folder (default: runs/ENV-PROFILE-seedN)")
    train.add_argument(
        "--eval-freq", type=at_least(1), help="steps between evaluations (default: 1/20 of the run)"
    )
    train.add_argument(
        "--eval-episodes", type=at_least(1), default=5, help="episodes per periodic evaluation"
    )
    train.add_argument(
        "--threads", type=at_least(1), default=DEFAULT_THREADS, help="torch threads (default 1)"
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument(
        "--no-nan-guard", action="store_true", help="do not stop at NaN or inf observations or rewards"
    )
    train.add_argument(
        "--hyperparams",
        "-params",
        nargs="+",
        metavar="KEY:VALUE",
        help="override config entries, as rl_zoo3's -params, e.g. learning_rate:5e-4; policy_kwargs "
        "merge into the profile's (policy_kwargs:'dict(batch_norm=True)' keeps its other options)",
    )

    evaluate = commands.add_parser("evaluate", help="noise-free evaluation of a trained run or model zip")
    evaluate.add_argument("run", type=Path, help="a run folder, or a model zip")
    evaluate.add_argument("--env", help="the env of a model zip that is not in a run folder")
    evaluate.add_argument(
        "--profile",
        default="tuned",
        choices=[*sorted(PROFILES), STOCK_PROFILE],
        help="for a model zip outside a run folder: the profile whose env wrappers it was trained with",
    )
    evaluate.add_argument("--episodes", type=at_least(1), default=10)
    evaluate.add_argument("--seed", type=at_least(0), default=0)
    evaluate.add_argument("--video", action="store_true", help="also record a video into RUN/videos")

    export = commands.add_parser(
        "export", help="write a run's policy as tensors and JSON, which load without unpickling"
    )
    export.add_argument("run", type=Path, help="a run folder")
    export.add_argument(
        "--out", type=Path, required=True, help="the folder to write policy.pt and policy.json to"
    )

    plot = commands.add_parser("plot", help="one PNG comparing runs (mean and spread across seeds)")
    plot.add_argument("runs", type=Path, nargs="+", help="run folders")
    plot.add_argument("--out", type=Path, default=Path("comparison.png"), help="PNG path")

    commands.add_parser("list", help="the envs and profiles available")

    config = commands.add_parser(
        "config", help="print a profile's YAML config (or, with --path, where it is installed)"
    )
    config.add_argument("profile", choices=sorted(PROFILES))
    config.add_argument(
        "--path",
        action="store_true",
        help='print the file\'s path, e.g. for rl_zoo3: -conf "$(sb3-ddpg config tuned --path)"',
    )
    return parser


# Options that set up a new run; a resumed run keeps the ones it was started with.
RUN_SETTINGS = (
    "env",
    "profile",
    "seed",
    "out",
    "eval_freq",
    "hyperparams",
    "checkpoint_freq",
    "no_nan_guard",
)


def cmd_train(args: argparse.Namespace) -> int:
    from sb3_ddpg_ext.app.errors import UsageError
    from sb3_ddpg_ext.app.plotting import plot_run
    from sb3_ddpg_ext.app.run_spec import read_spec
    from sb3_ddpg_ext.app.training import resume, train

    th.set_num_threads(args.threads)
    if args.resume is not None:
        # Given at all, zero and empty values included (store_true flags are False unless given).
        given = [
            f"--{name.replace('_', '-')}"
            for name in RUN_SETTINGS
            if getattr(args, name) is not None and getattr(args, name) is not False
        ]
        if given or args.steps is None:
            raise UsageError(
                f"--resume continues a run with its own settings to a total of --steps steps: give --steps "
                f"and leave out {', '.join(given) or 'the run settings'}."
            )
        out = args.out = args.resume
        summary = resume(args.resume, args.steps, progress=not args.no_progress)
    else:
        if args.env is None:
            raise UsageError(
                "Give the env to train on (--env ENV_ID), or a run to continue (--resume RUN_DIR)."
            )
        profile, seed = args.profile or "tuned", args.seed or 0
        out = args.out = args.out or Path("runs") / f"{args.env}-{profile}-seed{seed}"
        if profile in PROFILES:
            print_entry_status(profile, args.env)
        summary = train(
            args.env,
            profile,
            seed,
            out,
            steps=args.steps,
            eval_freq=args.eval_freq,
            eval_episodes=args.eval_episodes,
            progress=not args.no_progress,
            hyperparams=args.hyperparams or [],  # KEY:VALUE strings, kept as given in the run's spec
            nan_guard=not args.no_nan_guard,
            checkpoint_freq=args.checkpoint_freq,
        )
    plot_run(out)
    print(f"\nRun folder: {out}")
    print(
        f"{summary['steps']} steps in {summary['wall_time_s']:.0f} s ({summary['steps_per_s']:.0f} steps/s)"
    )
    if summary["interrupted"]:
        print(
            f"Interrupted at step {summary['steps']}: the model so far is saved. Continue with: "
            f"sb3-ddpg train --resume {out} --steps {read_spec(out).budget}"
        )
        return INTERRUPTED
    if summary["final_eval_mean"] is not None:  # a run started with final_episodes=0 has none
        print(
            f"Final evaluation ({summary['final_eval_episodes']} noise-free episodes): "
            f"{summary['final_eval_mean']:.1f} +- {summary['final_eval_std']:.1f}"
        )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> None:
    if args.video:
        require_extra("video", "moviepy")
    from sb3_ddpg_ext.app.evaluation import evaluate_run

    result = evaluate_run(args.run, args.episodes, args.seed, args.video, args.env, args.profile)
    print(
        f"{result['env']}: {result['mean']:.1f} +- {result['std']:.1f} "
        f"over {args.episodes} noise-free episodes"
    )
    if result.get("video"):
        print(f"Video: {result['video']}")


def cmd_export(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.app.run_spec import read_spec
    from sb3_ddpg_ext.app.runs import check_run, read_summary
    from sb3_ddpg_ext.ddpg import DDPG
    from sb3_ddpg_ext.export import CONSTRUCTOR, WEIGHTS, export_policy

    run = check_run(args.run)
    spec = read_spec(run)
    metadata = dict(
        env=spec.env,
        env_wrapper=spec.hyperparams.get("env_wrapper"),
        profile=spec.profile,
        seed=spec.seed,
        steps=read_summary(run)["steps"],
    )
    model = DDPG.load(run / spec.model, device="cpu")  # the user's own run: unpickling it is safe
    out = export_policy(model.policy, args.out, metadata)
    print(f"Wrote {out / WEIGHTS} and {out / CONSTRUCTOR}.")
    print(f"Load without unpickling: sb3_ddpg_ext.load_weights({str(out)!r}, env)")


def cmd_plot(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.app.plotting import plot_runs
    from sb3_ddpg_ext.app.runs import check_run

    print(f"Wrote {plot_runs([check_run(run) for run in args.runs], args.out)}")


def print_entry_status(profile: str, env: str) -> None:
    """Whether the profile's entry for ``env`` has been measured (an env it lacks is refused later)."""
    from sb3_ddpg_ext.app.measurements import entry_status
    from sb3_ddpg_ext.app.zoo import load_profile

    entry = load_profile(profile).get(env)
    if entry is not None:
        print(f"The {profile} profile's {env} entry: {entry_status(profile, env, int(entry['n_timesteps']))}")


def cmd_list(args: argparse.Namespace) -> None:
    from sb3_ddpg_ext.app.measurements import entry_status, load_measured
    from sb3_ddpg_ext.app.zoo import load_profile

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
    measured = load_measured()
    print(
        "\nMeasured (final noise-free evaluation, mean +- std over seeds; docs/benchmarks.md has each run):"
    )
    for profile in sorted(PROFILES):
        for env in sorted(env for env in configs[profile] if env != "default"):
            budget = int(configs[profile][env]["n_timesteps"])
            print(f"  {profile:<6} {env:<28} {entry_status(profile, env, budget, measured)}")
    print(f"\nProfiles: {', '.join(f'{name} ({path})' for name, path in sorted(PROFILES.items()))}")
    print(f"{STOCK_PROFILE}: rl_zoo3's own ddpg.yml (stock SB3 DDPG), MuJoCo v5 envs via its v4 entries")


def cmd_config(args: argparse.Namespace) -> None:
    config = PROFILES[args.profile]
    print(config if args.path else config.read_text(), end="\n" if args.path else "")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not isinstance(sys.stdout, PipeSafe):
        sys.stdout, sys.stderr = PipeSafe(sys.stdout), PipeSafe(sys.stderr)
    try:
        return run_command(args)
    except MissingExtraError as error:
        print(f"sb3-ddpg {args.command}: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        if error.name not in {module for modules in EXTRAS.values() for module in modules}:
            raise
        print(f"sb3-ddpg {args.command}: {missing_extra(error)}", file=sys.stderr)
        return 2


def run_command(args: argparse.Namespace) -> int:
    from sb3_ddpg_ext.app.errors import UsageError
    from sb3_ddpg_ext.app.guards import NonFiniteError

    commands = {
        "train": cmd_train,
        "evaluate": cmd_evaluate,
        "export": cmd_export,
        "plot": cmd_plot,
        "list": cmd_list,
        "config": cmd_config,
    }
    try:
        status = commands[args.command](args)
    except UsageError as error:
        print(f"sb3-ddpg {args.command}: {error}", file=sys.stderr)
        return 2
    except NonFiniteError as error:
        out = getattr(args, "out", None)
        kept = out is not None and out.exists()
        after = f"Its last checkpoint is kept in {out}." if kept else "The run folder was removed."
        print(f"sb3-ddpg {args.command}: {error} {after}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"sb3-ddpg {args.command}: interrupted.", file=sys.stderr)
        return INTERRUPTED
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
