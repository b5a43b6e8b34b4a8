"""Behaviour fingerprints: a short fixed-seed run of each profile, hashed, to show that a change of
structure left what the code computes untouched.

    python bench/fingerprint.py            # writes bench/results/fingerprint.json
    python bench/fingerprint.py --check    # exits 1 if today's hashes differ from that file's

Each profile (tuned, paper, stock) trains on Pendulum-v1 for 3,000 steps with seed 0, one torch thread,
through `sb3-ddpg train` in a process of its own. The run's final checkpoint holds the model and the
replay buffer; the fingerprint is a SHA-256 of every policy tensor (actor, critic and their targets,
batch-norm statistics included) and of every filled replay-buffer array, each fed in name order. Equal
hashes mean bit-identical parameters and transitions on this machine and these library versions.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch as th
from provenance import record

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "fingerprint.json"
ENV, STEPS, SEED = "Pendulum-v1", 3000, 0
PROFILES = ("tuned", "paper", "stock")


def train_command(profile: str, out: Path) -> list[str]:
    return [
        *("sb3-ddpg", "train", "--env", ENV, "--profile", profile, "--seed", str(SEED)),
        *("--steps", str(STEPS), "--out", str(out), "--threads", "1", "--no-progress"),
        *("--eval-episodes", "1"),
    ]


def _digest(items: list[tuple[str, np.ndarray]]) -> str:
    digest = hashlib.sha256()
    for name, array in sorted(items, key=lambda item: item[0]):
        array = np.ascontiguousarray(array)
        digest.update(f"{name}:{array.dtype}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def fingerprint(checkpoint: Path) -> dict[str, str]:
    """The hashes of the policy's tensors and the replay buffer's filled arrays in ``checkpoint``."""
    with zipfile.ZipFile(checkpoint) as archive:
        with zipfile.ZipFile(io.BytesIO(archive.read("model.zip"))) as model:
            policy = th.load(io.BytesIO(model.read("policy.pth")), map_location="cpu", weights_only=True)
        buffer: dict[str, Any] = pickle.loads(archive.read("replay_buffer.pkl"))
    arrays = [(name, value) for name, value in buffer.items() if isinstance(value, np.ndarray)]
    return {
        "parameters": _digest([(name, tensor.numpy()) for name, tensor in policy.items()]),
        "replay_buffer": _digest(arrays),
    }


def measure() -> dict[str, dict[str, str]]:
    hashes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for profile in PROFILES:
            out = Path(tmp) / profile
            subprocess.run(train_command(profile, out), check=True, stdout=subprocess.DEVNULL)
            hashes[profile] = fingerprint(out / "checkpoint.zip")
    return hashes


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare with the recorded hashes instead")
    args = parser.parse_args()
    hashes = measure()
    if args.check:
        recorded = json.loads(RESULT.read_text())
        differ = [p for p in PROFILES if hashes[p] != recorded["hashes"][p]]
        for profile in PROFILES:
            mark = "differs" if profile in differ else "same"
            print(f"{profile}: {mark} (recorded at {recorded['provenance']['commit'][:8]})")
        return 1 if differ else 0
    result = dict(
        provenance=record(),
        command="python bench/fingerprint.py",
        settings=dict(
            env=ENV, steps=STEPS, seed=SEED, threads=1, train=train_command("PROFILE", Path("OUT"))
        ),
        hashes=hashes,
    )
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(hashes, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
