"""The Hypothesis profiles by name, and where nnconform keeps its files. Free of
Hypothesis, so the CLI can use them before pytest starts (importing Hypothesis first
would stop pytest rewriting its asserts); properties/runner.py turns a profile into the
settings of the suite's tests (no profile is ever registered or loaded)."""

import os
from pathlib import Path

PROFILES = {
    # Derandomized, fixed example counts, no deadline: the same verdict on every run.
    "ci": dict(derandomize=True, max_examples=25, deadline=None, database=None),
    # Quick and random, with Hypothesis's example database to replay past failures.
    "dev": dict(max_examples=10, deadline=None),
    # As ci, with fewer examples: for kernels run under Triton's interpreter (TRITON_INTERPRET=1),
    # where every program of every launch is Python.
    "interpreter": dict(derandomize=True, max_examples=8, deadline=None, database=None),
    # Many examples for a release or a new implementation.
    "thorough": dict(max_examples=400, deadline=None),
}


def cache_folder() -> Path:
    """$NNCONFORM_CACHE_DIR, else $XDG_CACHE_HOME/nnconform, else ~/.cache/nnconform."""
    if os.environ.get("NNCONFORM_CACHE_DIR"):
        return Path(os.environ["NNCONFORM_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnconform"
