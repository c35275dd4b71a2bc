"""The fixtures nnconform's property tests take. The test modules import them, so they
exist for those tests only: a project's own test that asks for a fixture named `impl`
never gets nnconform's."""

from __future__ import annotations

import pytest

from nnconform.properties import runner
from nnconform.properties.harness import (
    IMPL_SPEC,
    STYLE,
    SUITE_SETTINGS,
    Implementation,
    ImplementationLoadError,
    implementation,
)


def _stashed(config, key):
    try:
        return config.stash[key]
    except KeyError:
        raise pytest.UsageError("nnconform's property tests need its pytest plugin, which "
                                "is off in this session (-p no:nnconform?)") from None


@pytest.fixture(scope="session")
def impl(pytestconfig) -> Implementation:
    """The implementation under test, loaded once per session."""
    spec = _stashed(pytestconfig, IMPL_SPEC)
    try:
        return implementation(spec, _stashed(pytestconfig, STYLE))
    except ImplementationLoadError as error:
        pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.fixture
def run_property(request, pytestconfig, impl: Implementation):
    """run_property(op, check, strategy, variant=, dtype=, backward=): `check(impl, case)`
    on the cases `strategy` draws inside the implementation's declared domain, as this
    test's own Hypothesis test under the session's profile (runner.conformance)."""
    suite = _stashed(pytestconfig, SUITE_SETTINGS)
    hypothesis_settings = suite.for_test(request.node.name)

    def run(op, check, strategy, **where):
        runner.conformance(impl, op, check, strategy, hypothesis_settings, suite.seed,
                           request.node.user_properties.append, **where)

    return run
