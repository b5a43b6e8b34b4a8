"""The optional extras (pyproject.toml) the command needs, and the one hint that says how to install one."""

from __future__ import annotations

import importlib

# What each optional extra installs, as the modules the command imports.
EXTRAS = {
    "zoo": ("rl_zoo3", "requests", "pandas", "matplotlib", "tensorboard", "tqdm", "rich", "yaml", "optuna"),
    "video": ("moviepy", "pygame"),
}


def install_hint(extra: str) -> str:
    """How to install ``extra``: double quotes, so the same line works in any shell."""
    return f'pip install "sb3-ddpg-ext[{extra}]" (in a checkout: pip install -e ".[{extra}]")'


class MissingExtraError(Exception):
    """A module of an optional extra is not installed: the message names the extra to install."""


def require_extra(extra: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` unless ``modules`` import."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            raise missing_extra(error, extra) from None


def missing_extra(error: ModuleNotFoundError, extra: str | None = None) -> MissingExtraError:
    extra = extra or next(name for name, modules in EXTRAS.items() if error.name in modules)
    return MissingExtraError(
        f"this needs the {extra!r} extra, whose module {error.name!r} is not installed. Install it with: "
        f"{install_hint(extra)}."
    )
