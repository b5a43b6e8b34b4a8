"""The benchmark variants' grammar, in one place: what a name such as ``paper-bn:noise=gauss0.1`` means
(the profile and overrides bench/learning.py runs), its plain name in the docs, and its result folder.

A variant is ``HEAD[:SETTINGS]``:

- HEAD is a profile (``tuned``, ``paper``, ``stock``), a normalisation of the tuned profile (``none``,
  ``bn``, ``renorm``), or an ablation of the paper's components: ``paper-COMPONENT`` takes the component
  from the tuned profile's entry for the same env, ``tuned+COMPONENT`` takes the paper's; components chain
  (``paper-bn-l2``). COMPONENTS lists them.
- SETTINGS is ``KEY=VALUE,...``: a config entry, a PaperPolicy option (merged into the entry's
  policy_kwargs), ``noise`` (one of NOISES) or ``bn`` (``actor`` or ``critic``: batch norm in that network
  only). A VALUE is a Python literal or a bare word.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sb3_ddpg_ext import paper
from sb3_ddpg_ext.app.zoo import load_profile

# Batch renorm's plain-batch-statistics phase, in forward passes in training mode (the critic's state
# layers see two per gradient step): shorter than sb3-contrib's 100k so that the renormalisation itself
# is what our budgets measure.
RENORM_WARMUP = 10_000
NORMALIZATION = {"none": False, "bn": True, "renorm": "renorm"}
PROFILE_VARIANTS = ("tuned", "paper", "stock")


# The paper's components (section 7), each some config entries or PaperPolicy options. Batch norm
# brings the paper profile's choice of the targets' statistics with it: on tasks that end early,
# PaperPolicy's stock-compatible default normalises them over terminal next states too.
COMPONENTS = {
    "bn": ("batch_norm", "target_batch_stats"),
    "l2": ("critic_weight_decay",),
    "actor_lr": ("actor_lr_scale",),
    "tau": ("tau",),
    "batch": ("batch_size",),
    "noise": ("callback",),
    "starts": ("learning_starts",),
}
POLICY_OPTIONS = (
    "batch_norm",
    "batch_norm_kwargs",
    "target_batch_stats",
    "actor_update_stats",
    "critic_weight_decay",
    "actor_weight_decay",
    "actor_lr_scale",
    "critic_lr_scale",
    "action_layer",
    "net_arch",
)
DIAGNOSTICS = {"sb3_ddpg_ext.callbacks.DDPGDiagnostics": {"log_freq": 1000}}


def _ou(sigma: float, dt: float) -> dict[str, Any]:
    callback = {"sb3_ddpg_ext.callbacks.OUNoiseCallback": {"sigma": sigma, "theta": paper.OU_THETA, "dt": dt}}
    return {"callback": [callback, DIAGNOSTICS]}


# Exploration noises users meet: the paper's OU process (dt 1), SB3's and RL Zoo's (dt 0.01), and the
# Gaussian noise of TD3 and CleanRL (rl_zoo3's own noise_type, so no OU callback).
NOISES = {
    "ou_dt1": _ou(paper.OU_SIGMA, paper.OU_DT),
    "ou_dt0.01": _ou(paper.OU_SIGMA, 0.01),
    "gauss0.1": {"callback": [DIAGNOSTICS], "noise_type": "normal", "noise_std": 0.1},
}


def _policy_kwargs(entry: dict[str, Any]) -> dict[str, Any]:
    return eval(entry.get("policy_kwargs", "dict()"), {"dict": dict, "__builtins__": {}})  # our own profiles


def _settings(entry: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The entry's values for those keys that it sets (a PaperPolicy option it leaves out is the default)."""
    values = {**entry, **_policy_kwargs(entry)}
    return {key: values[key] for key in keys if key in values}


def _literal(value: str) -> Any:
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value  # a bare word, e.g. target_batch_stats=batch


def _top_level_split(settings: str) -> list[str]:
    """``KEY=VALUE,KEY=VALUE`` split at the commas outside brackets (a VALUE may be a dict or a list)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(settings):
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            parts.append(settings[start:index])
            start = index + 1
    return [part for part in [*parts, settings[start:]] if part]


@dataclass(frozen=True)
class Variant:
    """A variant name, parsed: ``paper-bn-noise:learning_starts=25000`` has profile ``paper``, changes
    ``[("-", "bn"), ("-", "noise")]`` and settings ``[("learning_starts", "25000")]``."""

    name: str
    profile: str
    normalization: str | None
    changes: tuple[tuple[str, str], ...]
    settings: tuple[tuple[str, str], ...]


def parse(variant: str) -> Variant:
    head, _, settings = variant.partition(":")
    normalization = head if head in NORMALIZATION else None
    match = re.fullmatch(r"(tuned|paper|stock)((?:[+-]\w+)*)", "tuned" if normalization else head)
    if match is None:
        raise ValueError(f"Unknown variant {variant!r}: see bench/variants.py.")
    profile = match[1]
    changes = tuple(re.findall(r"([+-])(\w+)", match[2]))
    for sign, component in changes:
        if (profile, sign) not in (("paper", "-"), ("tuned", "+")) or component not in COMPONENTS:
            raise ValueError(
                f"Unknown ablation {variant!r}: use paper-COMPONENT or tuned+COMPONENT, COMPONENT in "
                f"{', '.join(COMPONENTS)}."
            )
    pairs = tuple(tuple(part.partition("=")[::2]) for part in _top_level_split(settings))
    return Variant(variant, profile, normalization, changes, pairs)  # type: ignore[arg-type]


def variant_setup(variant: str, env: str) -> tuple[str, dict[str, str]]:
    """The profile and the ``--hyperparams`` overrides that make up a variant."""
    parsed = parse(variant)
    changes: dict[str, Any] = {}
    if parsed.profile == "stock":
        # Our diagnostics logger, so that stock's Q values and saturation compare with ours; it samples
        # from its own generator and leaves the run as it was (tests/test_callbacks.py).
        callbacks = load_profile("stock")[env].get("callback", [])
        changes["callback"] = [*(callbacks if isinstance(callbacks, list) else [callbacks]), DIAGNOSTICS]
    if parsed.normalization is not None:
        changes["batch_norm"] = NORMALIZATION[parsed.normalization]
        if parsed.normalization == "renorm":
            changes["batch_norm_kwargs"] = {"warmup_steps": RENORM_WARMUP}
    for _, component in parsed.changes:
        other = load_profile("tuned" if parsed.profile == "paper" else "paper")[env]
        changes.update(_settings(other, COMPONENTS[component]))
    for key, value in parsed.settings:
        if key == "noise":
            changes.update(NOISES[value])
        elif key == "bn":  # batch norm in one network only: bn=actor or bn=critic
            changes["batch_norm"] = {"pi": value == "actor", "qf": value == "critic"}
        else:
            changes[key] = _literal(value)
    overrides = {key: repr(value) for key, value in changes.items() if key not in POLICY_OPTIONS}
    policy_changes = {key: value for key, value in changes.items() if key in POLICY_OPTIONS}
    if policy_changes:
        base = load_profile(parsed.profile)[env].get("policy_kwargs", "dict()")
        # rl_zoo3 evaluates policy_kwargs; dict(mapping, **extra) lets extra win over the profile's values.
        overrides["policy_kwargs"] = repr(f"dict({base}, **{policy_changes!r})")
    return parsed.profile, overrides


def taken_settings(variant: str, env: str) -> dict[str, dict[str, Any]]:
    """Per component the variant swaps, the settings it takes from the other profile's entry for ``env``
    as that entry is now: ``paper-batch`` -> ``{"batch": {"batch_size": 256}}``."""
    parsed = parse(variant)
    if not parsed.changes:  # a profile, or one with settings of its own: nothing comes from the other
        return {}
    other = load_profile("tuned" if parsed.profile == "paper" else "paper")[env]
    return {component: _settings(other, COMPONENTS[component]) for _, component in parsed.changes}


def spelled_out(variant: str, component: str, settings: dict[str, Any]) -> str:
    """The variant with one swapped component replaced by the settings it stood for:
    ``paper-bn-batch``, ``batch`` and ``{"batch_size": 256}`` -> ``paper-bn:batch_size=256``."""
    parsed = parse(variant)
    head = parsed.profile + "".join(sign + name for sign, name in parsed.changes if name != component)
    pairs = [f"{key}={value}" for key, value in [*parsed.settings, *settings.items()]]
    return f"{head}:{','.join(pairs)}"


# Plain names, for readers of the docs.
PROFILE_NAMES = {"tuned": "tuned profile", "paper": "paper profile", "stock": "stock RL Zoo DDPG"}
NORMALIZATION_NAMES = {"none": "no normalisation", "bn": "batch norm", "renorm": "batch renorm"}
# The paper's setting of each component, as `+` adds it to the tuned profile; `-` takes it out of the
# paper profile for the tuned profile's setting of the same thing (TUNED_NAMES), which differs by env.
COMPONENT_NAMES = {
    "bn": "batch norm",
    "l2": "critic L2 1e-2",
    "actor_lr": "actor learning rate x0.1",
    "tau": "tau 0.001",
    "batch": "batch 64",
    "noise": "OU noise sigma 0.2",
    "starts": "learning_starts 100",
}
TUNED_NAMES = {
    "bn": "without batch norm",
    "l2": "without critic L2",
    "actor_lr": "the tuned profile's actor learning rate",
    "tau": "the tuned profile's tau",
    "batch": "the tuned profile's batch size",
    "noise": "the tuned profile's noise",
    "starts": "the tuned profile's learning_starts",
}
SETTING_NAMES = {
    "noise=gauss0.1": "Gaussian noise 0.1",
    "noise=ou_dt0.01": "SB3's OU noise (dt 0.01)",
    "noise=ou_dt1": "OU noise sigma 0.2, dt 1",
    "bn=actor": "batch norm in the actor only",
    "bn=critic": "batch norm in the critic only",
    "target_batch_stats=copy": "targets on copied running statistics (SB3's)",
    "target_batch_stats=soft": "targets on soft-updated running statistics",
    "target_batch_stats=batch": "targets on all next states' batch statistics",
    "target_batch_stats=nonterminal": "targets on non-terminal next states' batch statistics",
    "actor_update_stats=running": "actor update on running statistics",
    "normalize=dict(norm_obs=True,norm_reward=False)": "VecNormalize observations",
    "normalize=dict(norm_obs=False,norm_reward=True)": "VecNormalize rewards",
}


def describe(variant: str) -> str:
    """What a variant changes, in words: ``paper-bn-noise:tau=0.01`` -> ``without batch norm, the tuned
    profile's noise, tau 0.01``."""
    parsed = parse(variant)
    parts = [
        TUNED_NAMES[name] if sign == "-" else f"the paper's {COMPONENT_NAMES[name]}"
        for sign, name in parsed.changes
    ]
    for key, value in parsed.settings:
        parts.append(SETTING_NAMES.get(f"{key}={value}", f"{key} {value}"))
    return ", ".join(parts)


def label(variant: str) -> str:
    """The variant's plain name: ``paper-batch`` -> ``paper profile, the tuned profile's batch size``."""
    parsed = parse(variant)
    base = PROFILE_NAMES[parsed.profile]
    if parsed.normalization is not None:
        base += f" + {NORMALIZATION_NAMES[parsed.normalization]}"
    changes = describe(variant)
    return f"{base}, {changes}" if changes else base


PORTABLE = re.compile(r"[A-Za-z0-9._+-]+")


def folder_name(variant: str) -> str:
    """The variant's result folder: the name itself where every character is portable (Windows refuses
    ``:`` and ``"``, and shells quote ``=``, ``{`` and the like), else a readable stem and a hash of the
    exact name, which the result files hold."""
    if PORTABLE.fullmatch(variant):
        return variant
    stem = re.sub(r"[^A-Za-z0-9._+-]+", "_", variant.replace(":", "__").replace("=", "-")).strip("_.")
    digest = hashlib.sha256(variant.encode()).hexdigest()[:8]
    return f"{stem[:60]}-{digest}"
