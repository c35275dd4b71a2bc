"""The pytest plugin, registered through the `pytest11` entry point.

Installed but not asked for, it does nothing: every pytest session sees its options
(all `--nnconform-…`) and nothing else; no Hypothesis profile, no torch, no markers, no
folders. It comes alive only in a session whose arguments name nnconform's property suite
(`nnconform check`, `pytest --pyargs nnconform.properties`, or this repository's own
`pytest`), and then acts on the suite's tests alone: it chooses the implementation and the
Hypothesis settings, applies xfails, --only and --shard, runs each test under the
watchdog (properties/isolation.py) and collects the conformance report.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import tempfile
import uuid
import warnings
import zlib
from pathlib import Path

import pytest

from nnconform.properties.isolation import DEFAULT_TIMEOUT, NOTES, NOTES_FOLDER, Watchdog
from nnconform.properties.profiles import PROFILES

SUITE = Path(__file__).resolve().parent  # the folder of the property test modules
PACKAGE = "nnconform.properties"
ACTIVE = pytest.StashKey[bool]()
THREADS = pytest.StashKey[str]()  # how the BLAS and OpenMP threads were set


def pytest_addoption(parser):
    group = parser.getgroup("nnconform", "nnconform conformance suite")
    option = group.addoption
    option("--nnconform-impl", default=None, metavar="MODULE",
           help="implementation under test: a module name or a .py path (default: "
                "$NNCONFORM_IMPL, else the built-in nnconform.impl)")
    option("--nnconform-style", default=None, metavar="STYLE",
           help="how the implementation is written: contract (nnconform's own names), "
                "cs231n, functional (torch.nn.functional-like) or layers (classes); "
                "default: $NNCONFORM_STYLE, else contract (docs/styles.md)")
    option("--nnconform-only", default=None, metavar="OPS",
           help="comma-separated op names to check (default: every op)")
    option("--nnconform-profile", default=None, choices=sorted(PROFILES),
           help="Hypothesis profile of the property tests (default: $NNCONFORM_PROFILE, "
                "else 'ci')")
    option("--nnconform-xfails", default=None, metavar="FILE",
           help="file of test ids expected to fail, one a line (* and ? are wildcards)")
    option("--nnconform-report", default=None, metavar="FILE.json",
           help="write the per-op conformance report as JSON")
    option("--nnconform-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
           help="the longest one property test may run before its process is stopped and "
                f"the test reported crashed (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    option("--nnconform-threads", type=int, default=None, metavar="N",
           help="BLAS and OpenMP threads of each process running property tests (default: "
                "cores ÷ workers on an xdist worker, else the libraries' own)")
    option("--nnconform-seed", type=int, default=None, metavar="N",
           help="draw examples at random from seed N instead of the profile's fixed ones")
    option("--nnconform-no-shrink", action="store_true",
           help="report each failure with the first failing example found instead of "
                "the smallest: the same verdicts, sooner, when a check fails")
    option("--nnconform-shard", default=None, metavar="K/N",
           help="run only the K-th of N disjoint shares of the tests (K from 1)")


def _inside_suite(path: Path) -> bool:
    """Whether collecting `path` collects (some of) the suite: it is the suite's folder,
    inside it, or above it in a source checkout (pytest does not look into a virtualenv
    or site-packages for tests, so a project holding its venv does not collect it)."""
    path = path.resolve()
    if path == SUITE or SUITE in path.parents:
        return True
    if path not in SUITE.parents:
        return False
    between = [SUITE.parent, *SUITE.parent.parents]
    between = between[:between.index(path) + 1]
    return not any(folder.name == "site-packages" or (folder / "pyvenv.cfg").exists()
                   for folder in between)


def names_the_suite(config) -> bool:
    """Whether this session's arguments (or, with none, its testpaths) collect the suite."""
    for argument in config.args:
        target = str(argument).split("::", 1)[0]
        if config.option.pyargs and re.fullmatch(r"[\w.]+", target):
            if not target.startswith("nnconform"):
                continue
            try:
                spec = importlib.util.find_spec(target)
            except (ImportError, ValueError):
                continue
            locations = list(spec.submodule_search_locations or []) if spec else []
            paths = [Path(p) for p in locations] or ([Path(spec.origin)] if spec else [])
            if any(_inside_suite(p) for p in paths):
                return True
        elif _inside_suite(config.invocation_params.dir / target):
            return True
    return False


def pytest_configure(config):
    config.stash[ACTIVE] = names_the_suite(config)
    if not config.stash[ACTIVE]:
        return
    from nnconform.properties.harness import (
        IMPL_SPEC,
        PROFILE,
        STYLE,
        SUITE_SETTINGS,
        resolve_impl_spec,
    )
    from nnconform.properties.optable import FAMILIES
    from nnconform.properties.report import Conformance
    from nnconform.properties.runner import SuiteSettings
    from nnconform.properties.styles import DEFAULT_STYLE, STYLES

    for family in FAMILIES:
        config.addinivalue_line("markers", f"{family}: nnconform ops of the {family} family")
    config.addinivalue_line("markers", "nnconform(op, check): the op and kind of check a "
                                       "property test belongs to")
    profile = config.getoption("nnconform_profile") or os.environ.get("NNCONFORM_PROFILE")
    if profile and profile not in PROFILES:
        raise pytest.UsageError(f"NNCONFORM_PROFILE={profile!r}: expected one of "
                                f"{', '.join(PROFILES)}")
    profile = profile or "ci"
    seed = config.getoption("nnconform_seed")
    if config.getoption("nnconform_timeout") < 0:
        raise pytest.UsageError("--timeout/--nnconform-timeout: expected seconds >= 0 "
                                "(0: no limit)")
    _shard(config)  # a bad --nnconform-shard or --nnconform-only fails here, before workers
    config.stash[THREADS] = _threads(config)
    _only(config)
    spec = resolve_impl_spec(config.getoption("nnconform_impl"))
    config.stash[IMPL_SPEC] = spec
    style = config.getoption("nnconform_style") or os.environ.get("NNCONFORM_STYLE")
    if style and style not in STYLES:
        raise pytest.UsageError(f"--style/--nnconform-style {style}: expected one of "
                                f"{', '.join(STYLES)}")
    config.stash[STYLE] = style or DEFAULT_STYLE
    shrink = not config.getoption("nnconform_no_shrink")
    config.stash[PROFILE] = ", ".join([profile, *([f"seed {seed}"] if seed is not None else []),
                                       *([] if shrink else ["not shrunk"])])
    config.stash[SUITE_SETTINGS] = SuiteSettings(profile, seed, spec, shrink=shrink)
    config.pluginmanager.register(Conformance(config), "nnconform-conformance")
    if hasattr(config, "workerinput"):  # an xdist worker: its controller's notes folder
        config.stash[NOTES_FOLDER] = config.workerinput.get(NOTES)
    else:  # named, not made: a worker makes it when it first arms its watchdog
        config.stash[NOTES_FOLDER] = os.path.join(
            tempfile.gettempdir(), f"nnconform-notes-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_HandNotesToWorkers(), "nnconform-notes")


class _HandNotesToWorkers:
    """The controller's crash-notes folder goes to every worker it starts."""

    @staticmethod
    def pytest_configure_node(node):
        node.workerinput[NOTES] = node.config.stash[NOTES_FOLDER]


def _threads(config) -> str:
    """Limit this process's BLAS and OpenMP threads (properties/threads.py) and say how:
    --nnconform-threads, else cores ÷ workers on an xdist worker (which every worker
    computes alike, so the controller can say it too)."""
    from nnconform.properties import threads

    count = config.getoption("nnconform_threads")
    if count is not None and count < 1:
        raise pytest.UsageError(f"--threads/--nnconform-threads {count}: expected a count "
                                f">= 1")
    worker = hasattr(config, "workerinput")
    workers = (int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) if worker
               else _xdist_workers(config))
    if count is None and workers:
        count = threads.share(workers)
        how = (f"{count} per worker ({threads.cores()} cores, {workers} "
               f"worker{'s' if workers > 1 else ''})")
    else:
        how = f"{count} (--threads)" if count else f"as found ({threads.in_use()})"
    if count is not None and (worker or not workers):
        threads.limit(count)  # the controller of xdist workers runs no test: left alone
    return how


def _xdist_workers(config) -> int:
    """The number of xdist workers this (controller) session starts; 0 without xdist."""
    count = getattr(config.option, "numprocesses", None)
    if count in (None, 0, "0"):
        return 0
    if count in ("auto", "logical"):
        from nnconform.properties import threads

        return threads.cores()
    return int(count)


def pytest_unconfigure(config):
    if config.stash.get(ACTIVE, False) and not hasattr(config, "workerinput"):
        shutil.rmtree(config.stash.get(NOTES_FOLDER, ""), ignore_errors=True)


class SuiteModule(pytest.Module):
    """A test module of the suite, imported by its name in the nnconform package rather
    than from its path: pytest would otherwise import it as `properties.test_…` and put
    the folder above it on sys.path, where `properties` and `impl` would shadow (or be
    shadowed by) the user's own packages."""

    def _getobj(self):
        return importlib.import_module(f"{PACKAGE}.{self.path.stem}")


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    """The suite's folders are plain directories to pytest, not packages to import."""
    path = Path(path).resolve()
    if path == SUITE or SUITE in path.parents:
        return pytest.Dir.from_parent(parent, path=path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if Path(module_path).resolve().parent == SUITE:
        return SuiteModule.from_parent(parent, path=Path(module_path))
    return None


def _is_property_test(item) -> bool:
    return item.get_closest_marker("nnconform") is not None and item.config.stash.get(
        ACTIVE, False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Each property test runs under the watchdog (properties/isolation.py)."""
    if not _is_property_test(item):
        return (yield)
    watchdog = Watchdog(item.config.getoption("nnconform_timeout") or None,
                        item.config.stash.get(NOTES_FOLDER, None))
    watchdog.arm(item.nodeid)
    try:
        return (yield)
    finally:
        watchdog.disarm()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing property test's cause, from the exception itself: its type and message,
    and Hypothesis's falsifying example (kept on the item, so the JUnit file has them)."""
    report = yield
    if _is_property_test(item) and call.excinfo is not None and report.failed:
        from nnconform.properties.report import describe

        message, example = describe(call.excinfo.value)
        cause = [("nnconform_message", message), ("nnconform_example", example)]
        item.user_properties += cause  # what the JUnit file records, at teardown
        report.user_properties = [*report.user_properties, *cause]
    return report


def _only(config) -> list | None:
    """The ops --nnconform-only names, checked; None without the option."""
    only = config.getoption("nnconform_only")
    if not only:
        return None
    from nnconform.properties.optable import lookup

    try:
        return lookup(name.strip() for name in only.split(",") if name.strip())
    except ValueError as error:
        raise pytest.UsageError(f"--only/--nnconform-only: {error}") from None


def _shard(config) -> tuple[int, int] | None:
    """--nnconform-shard K/N as (K, N), checked; None without the option."""
    value = config.getoption("nnconform_shard")
    if value is None:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", value.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise pytest.UsageError(f"--shard/--nnconform-shard: expected K/N with 1 <= K <= N, "
                                f"got {value!r}")
    return int(match.group(1)), int(match.group(2))


def _read_xfails(path: str) -> list[str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as error:
        raise pytest.UsageError(f"--xfails/--nnconform-xfails {path}: cannot read: "
                                f"{error.strerror}") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _pattern(entry: str) -> re.Pattern:
    # Only * and ? are wildcards: brackets belong to the test id's parameters.
    return re.compile(re.escape(entry).replace(r"\*", ".*").replace(r"\?", "."))


def _matches(pattern: re.Pattern, item) -> bool:
    # An entry may be the test's id ("test_forward[...]") or its full pytest node id.
    return any(pattern.fullmatch(candidate) for candidate in (item.nodeid, item.name))


def _deselect(config, items, keep) -> None:
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


def pytest_collection_modifyitems(config, items):
    if not config.stash.get(ACTIVE, False):
        return
    suite = [item for item in items if item.get_closest_marker("nnconform") is not None]
    for item in suite:
        marker = item.get_closest_marker("nnconform")
        item.user_properties += [("nnconform_op", marker.kwargs["op"]),
                                 ("nnconform_check", marker.kwargs["check"]),
                                 ("nnconform_test", item.name)]

    path = config.getoption("nnconform_xfails")
    if path:
        entries = {entry: _pattern(entry) for entry in _read_xfails(path)}
        used = set()
        for item in suite:
            for entry, pattern in entries.items():
                if _matches(pattern, item):
                    item.add_marker(pytest.mark.xfail(reason=f"listed in {path}", strict=False))
                    used.add(entry)
        for entry in entries:
            if entry not in used:
                warnings.warn(pytest.PytestWarning(f"--xfails {path}: {entry!r} matches no test"),
                              stacklevel=1)

    shard = _shard(config)
    if shard:
        # By a stable hash of the test's id: every machine computes the same partition.
        index, count = shard
        _deselect(config, items, [i for i in items if i not in suite or
                                  zlib.crc32(i.name.encode()) % count == index - 1])

    only = _only(config)
    if only:
        wanted = {op.name for op in only}
        _deselect(config, items, [i for i in items if i not in suite or
                                  i.get_closest_marker("nnconform").kwargs["op"] in wanted])
