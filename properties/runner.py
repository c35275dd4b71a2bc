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
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
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

    def __init__(self, profile: str, seed_value: int | None, impl_spec: str):
        options = dict(PROFILES[profile])
        keeps_examples = options.pop("database", True) is not None
        if seed_value is not None:
            options["derandomize"] = False
        self.base = settings(
            parent=settings.get_profile("default"), database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
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
