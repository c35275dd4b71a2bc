"""How one property test runs: a Hypothesis test of its own, under nnconform's settings.

nnconform never loads or registers a Hypothesis profile: the settings of the profile in
force (properties/profiles.py) are given to each property test it builds, so a project's
own Hypothesis tests keep their own settings in the same session. Profiles that keep
examples (dev, thorough) save them in one database per implementation, under the user's
cache folder, not the directory the run started in, and every test has its own key in it:
a failure one test saved replays first on that test's next run, and only there.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from nnconform.properties.profiles import PROFILES, cache_folder


def implementation_key(spec: str) -> str:
    """A folder name for one implementation: a file by its absolute path, a module by
    its name (readable, with a hash so two files both called layers.py stay apart)."""
    identity = str(Path(spec).resolve()) if spec.endswith(".py") or os.sep in spec else spec
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(spec).stem if spec.endswith(".py")
                      else spec)
    return f"{readable}-{hashlib.sha1(identity.encode()).hexdigest()[:12]}"


class KeyedDatabase(ExampleDatabase):
    """One test's share of a database: every key is prefixed with the test's name."""

    def __init__(self, inner: ExampleDatabase, test: str):
        super().__init__()
        self.inner = inner
        self.prefix = test.encode() + b"\0"

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes):
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)

    def __repr__(self) -> str:
        return f"KeyedDatabase({self.inner!r}, {self.prefix[:-1].decode()!r})"


class SuiteSettings:
    """The Hypothesis settings of one session's property tests: the profile's, drawn from
    `seed_value` when one is given (derandomize off), with the example database of the
    implementation under test when the profile keeps examples."""

    def __init__(self, profile: str, seed_value: int | None, impl_spec: str,
                 shrink: bool = True):
        options = dict(PROFILES[profile])
        if not shrink:  # generation unchanged (the same verdicts); no shrink, no explain
            options["phases"] = (Phase.explicit, Phase.reuse, Phase.generate)
        keeps_examples = options.pop("database", True) is not None
        if seed_value is not None:
            options["derandomize"] = False
        self.base = settings(
            parent=settings.get_profile("default"), database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.filter_too_much],
            **options)
        self.profile = profile
        self.seed = seed_value
        self.folder = (cache_folder() / "examples" / implementation_key(impl_spec)
                       if keeps_examples else None)
        self._database = None

    def for_test(self, test: str) -> settings:
        """The settings one test runs under: its own key in the database, if any."""
        if self.folder is None:
            return self.base
        if self._database is None:
            self._database = DirectoryBasedExampleDatabase(self.folder)
        return settings(self.base, database=KeyedDatabase(self._database, test))

    @property
    def max_examples(self) -> int:
        return self.base.max_examples


def run(check, strategy, hypothesis_settings: settings, seed_value: int | None = None) -> None:
    """Run `check(case)` on cases drawn from `strategy` under `hypothesis_settings`.

    Derandomized profiles draw from a digest of this function's source: keep its three
    lines as they are, or every fixed example of the suite changes."""

    @given(case=strategy)
    def property_holds(case):
        check(case)

    test = hypothesis_settings(property_holds)
    if seed_value is not None:
        test = seed(seed_value)(test)
    test()


def _configuration(case) -> str:
    """A rejected case in a line: its hyperparameters and the arrays' shapes."""
    shapes = ", ".join("None" if a is None else "x".join(map(str, a.shape)) or "scalar"
                       for a in case.arrays)
    return f"{case.hyper or 'no hyperparameters'} on shapes ({shapes})"


def conformance(impl, op, check, strategy, hypothesis_settings: settings,
                seed_value: int | None, record, *, variant: str | None = None,
                dtype: str | None = None, backward: bool = True) -> None:
    """Run `check(impl, case)` over `strategy`, as the implementation declared it:

    - a test outside its declared domain (a variant or dtype) is skipped as unsupported;
      cases are drawn inside the rest of the domain (properties/declared.py);
    - a case it rejects with NotImplementedError is set aside, not failed: the test
      passes on a subset (the first such configuration is recorded), or, if every case
      was rejected, is skipped as unsupported with that configuration;
    - a failure that a convention of the op explains exactly (the whole property holds
      under it) says so, with how to declare it.

    `record(name, value)` keeps what the report shows: the domain, the convention and
    the unsupported configuration."""
    from hypothesis import reject
    from hypothesis.errors import Unsatisfiable

    from nnconform.properties.harness import UNSUPPORTED

    impl.require(op, backward=backward)
    domain = impl.domain(op)
    record(("nnconform_domain", domain.describe()))
    record(("nnconform_convention", ", ".join(impl.convention_names(op))))
    refused = domain.refuses(variant, dtype)
    if refused:
        pytest.skip(f"{UNSUPPORTED}: {refused} (the declared domain: {domain.describe()})")
    strategy = domain.restrict(op, strategy)
    rejected: list[str] = []
    failing: list = []  # the last case that failed: after shrinking, the smallest

    def attempt(subject, case):
        try:
            check(subject, case)
        except NotImplementedError as error:
            if not rejected:
                rejected.append(f"{_configuration(case)}: NotImplementedError: {error}")
            reject()
        except Exception:
            if subject is impl:
                failing[:] = [case]
            raise

    try:
        run(lambda case: attempt(impl, case), strategy, hypothesis_settings, seed_value)
    except Unsatisfiable:
        pytest.skip(f"{UNSUPPORTED}: " + (rejected[0] if rejected else
                                          f"no case lies in the declared domain "
                                          f"({domain.describe()})"))
    except Exception as error:
        hint = matching_convention(impl, op, lambda subject: (
            lambda case: attempt(subject, case)), strategy, hypothesis_settings, seed_value,
            failing[0] if failing else None)
        if hint:
            error.add_note(hint)
        raise
    if rejected:
        record(("nnconform_unsupported", rejected[0]))


CONVENTION_HINT = "This failure matches"


def matching_convention(impl, op, attempt_with, strategy, hypothesis_settings,
                        seed_value, failing=None) -> str:
    """The note for a failure that one of the op's undeclared conventions explains: the
    whole property holds when the implementation is taken to follow it (tried first on
    the failing case alone, which rules most out at the cost of one call). '' if none.

    A float32 case's tolerance can be wide enough to blur two readings (ε inside the
    root and Kingma & Ba's ε̂ differ by less than float32's rtol), so the failing case
    must also hold in float64, where the domain allows it."""
    declared = impl.convention_names(op)
    quiet = settings(hypothesis_settings, database=None)
    cases = [] if failing is None else [failing]
    if failing is not None and not impl.domain(op).refuses(None, "float64"):
        if any(a is not None and a.dtype.kind == "f" and a.dtype != "float64"
               for a in failing.arrays):
            cases.append(replace(failing, arrays=failing.as_float64()))
    for name, convention in op.conventions.items():
        if name in declared:
            continue
        follower = attempt_with(impl.following(op, (*declared, name)))
        try:
            for case in cases:
                follower(case)
            run(follower, strategy, quiet, seed_value)
        except Exception:  # the property fails under this one too
            continue
        if convention.trap:
            return (f"{CONVENTION_HINT} {name!r}, a misreading of {op.name}: "
                    f"{convention.doc} (docs/conventions.md)")
        return (f"{CONVENTION_HINT} the convention {name!r} of {op.name} "
                f"({convention.doc}); if your implementation follows it, declare "
                f"CONVENTIONS = {{{op.name!r}: {name!r}}} (docs/conventions.md)")
    return ""
