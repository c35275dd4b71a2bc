"""The pytest plugin: choose the implementation, the Hypothesis profile, xfails and ops;
collect each test's outcome into the per-op conformance report.

Registered through the `pytest11` entry point, so `pytest properties --impl MODULE` works
in any environment where nnconform is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from properties.harness import (
    IMPL_SPEC,
    PROFILE,
    Implementation,
    ImplementationLoadError,
    load_module,
    resolve_impl_spec,
)
from properties.isolation import DEFAULT_TIMEOUT, NOTES, NOTES_FOLDER, Watchdog
from properties.profiles import PROFILES
from properties.report import Conformance

for _name, _options in PROFILES.items():
    settings.register_profile(
        _name, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        **_options,
    )


def pytest_addoption(parser):
    group = parser.getgroup("nnconform", "nnconform conformance suite")
    group.addoption("--impl", default=None, metavar="MODULE",
                    help="implementation under test: a module name or a .py path "
                         "(default: $NNCONFORM_IMPL, else the built-in 'impl')")
    group.addoption("--nnconform-profile", default=None, choices=sorted(PROFILES),
                    help="Hypothesis profile (default: $NNCONFORM_PROFILE, else 'ci')")
    group.addoption("--xfails", default=None, metavar="FILE",
                    help="file of node ids expected to fail, one a line (* and ? are wildcards)")
    group.addoption("--only", dest="nnconform_only", default=None, metavar="OPS",
                    help="comma-separated op names to check (default: all)")
    group.addoption("--conformance-json", default=None, metavar="FILE",
                    help="write the per-op conformance report as JSON")
    group.addoption("--nnconform-timeout", type=float, default=DEFAULT_TIMEOUT,
                    metavar="SECONDS",
                    help="the longest one property test may run before its process is "
                         f"stopped and the test reported crashed (default {DEFAULT_TIMEOUT:g}; "
                         "0: no limit)")
    group.addoption("--shard", default=None, metavar="K/N",
                    help="run only the K-th of N disjoint shares of the tests (K from 1), "
                         "so N CI machines split the suite")
    group.addoption("--nnconform-seed", type=int, default=None, metavar="N",
                    help="draw examples at random from seed N instead of the profile's "
                         "fixed ones (with --hypothesis-seed=N)")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """--nnconform-seed N is Hypothesis's own --hypothesis-seed=N, set before any plugin is
    configured (Hypothesis's reads it then); pytest_configure drops the profile's
    derandomize, or the seed would be ignored."""
    seed = config.getoption("nnconform_seed")
    if seed is not None and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = str(seed)


def pytest_configure(config):
    from properties.optable import FAMILIES

    for family in FAMILIES:
        config.addinivalue_line("markers", f"{family}: nnconform ops of the {family} family")
    config.addinivalue_line("markers", "nnconform(op, check): the op and kind of check a "
                                       "property test belongs to")
    profile = config.getoption("nnconform_profile") or os.environ.get("NNCONFORM_PROFILE")
    if profile and profile not in PROFILES:
        raise pytest.UsageError(f"NNCONFORM_PROFILE={profile!r}: expected one of "
                                f"{', '.join(PROFILES)}")
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(profile or "ci")
    name = config.getoption("hypothesis_profile", None) or profile or "ci"
    seed = config.getoption("nnconform_seed")
    if seed is not None:  # the profile's example counts, drawn from the seed
        settings.register_profile(f"{name}, seed {seed}", settings(derandomize=False))
        settings.load_profile(f"{name}, seed {seed}")
        name = f"{name}, seed {seed}"
    config.stash[PROFILE] = name
    config.stash[IMPL_SPEC] = resolve_impl_spec(config.getoption("impl"))
    config.pluginmanager.register(Conformance(config), "nnconform-conformance")
    if config.getoption("nnconform_timeout") < 0:
        raise pytest.UsageError("--nnconform-timeout: expected seconds >= 0 (0: no limit)")
    _shard(config)  # a bad --shard or --only fails here, before any worker starts
    _only(config)
    if hasattr(config, "workerinput"):  # an xdist worker: its controller's notes folder
        config.stash[NOTES_FOLDER] = config.workerinput.get(NOTES)
    else:
        config.stash[NOTES_FOLDER] = tempfile.mkdtemp(prefix="nnconform-")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_HandNotesToWorkers(), "nnconform-notes")


class _HandNotesToWorkers:
    """The controller's crash-notes folder goes to every worker it starts."""

    @staticmethod
    def pytest_configure_node(node):
        node.workerinput[NOTES] = node.config.stash[NOTES_FOLDER]


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and config.stash.get(NOTES_FOLDER, None):
        shutil.rmtree(config.stash[NOTES_FOLDER], ignore_errors=True)


def _only(config) -> list | None:
    """The ops --only names, checked; None without the option."""
    from properties.optable import lookup

    only = config.getoption("nnconform_only")
    if not only:
        return None
    try:
        return lookup(name.strip() for name in only.split(",") if name.strip())
    except ValueError as error:
        raise pytest.UsageError(f"--only: {error}") from None


def _shard(config) -> tuple[int, int] | None:
    """--shard K/N as (K, N), checked; None without the option."""
    value = config.getoption("shard")
    if value is None:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", value.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise pytest.UsageError(f"--shard: expected K/N with 1 <= K <= N, got {value!r}")
    return int(match.group(1)), int(match.group(2))



@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Each property test runs under the watchdog (properties/isolation.py)."""
    if item.get_closest_marker("nnconform") is None:
        return (yield)
    watchdog = Watchdog(item.config.getoption("nnconform_timeout") or None,
                        item.config.stash.get(NOTES_FOLDER, None))
    watchdog.arm(item.nodeid)
    try:
        return (yield)
    finally:
        watchdog.disarm()


@pytest.fixture(scope="session")
def impl(pytestconfig) -> Implementation:
    """The implementation under test, loaded once per session."""
    spec = pytestconfig.stash[IMPL_SPEC]
    try:
        return Implementation(load_module(spec), label=spec)
    except ImplementationLoadError as error:
        pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)


def _read_xfails(path: str) -> list[str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as error:
        raise pytest.UsageError(f"--xfails {path}: cannot read: {error.strerror}") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _pattern(entry: str) -> re.Pattern:
    # Only * and ? are wildcards: brackets belong to the node id's parameters.
    return re.compile(re.escape(entry).replace(r"\*", ".*").replace(r"\?", "."))


def _matches(pattern: re.Pattern, nodeid: str) -> bool:
    # An entry may be the full node id or the part after the file ("test_forward[...]").
    tail = nodeid.split("::", 1)[-1]
    return any(pattern.fullmatch(candidate) for candidate in (nodeid, tail))


def pytest_collection_modifyitems(config, items):

    for item in items:
        marker = item.get_closest_marker("nnconform")
        if marker is not None:
            item.user_properties += [("nnconform_op", marker.kwargs["op"]),
                                     ("nnconform_check", marker.kwargs["check"])]

    path = config.getoption("xfails")
    if path:
        entries = {entry: _pattern(entry) for entry in _read_xfails(path)}
        used = set()
        for item in items:
            for entry, pattern in entries.items():
                if _matches(pattern, item.nodeid):
                    item.add_marker(pytest.mark.xfail(reason=f"listed in {path}", strict=False))
                    used.add(entry)
        for entry in entries:
            if entry not in used:
                warnings.warn(pytest.PytestWarning(f"--xfails {path}: {entry!r} matches no test"),
                              stacklevel=1)

    shard = _shard(config)
    if shard:
        # By a stable hash of the node id: every machine computes the same partition.
        index, count = shard
        keep = [i for i in items if zlib.crc32(i.nodeid.encode()) % count == index - 1]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep

    only = _only(config)
    if only:
        wanted = {op.name for op in only}
        keep = [i for i in items if dict(i.user_properties).get("nnconform_op") in wanted]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
