"""The layers style (properties/styles/layers.py): layer classes with forward and backward
methods, as "Deep Learning from Scratch" writes them, are checked with no adapter of the
user's. The correct classes (tests/adapter_example/layers.py) pass, with the style's
declared domain and conventions in the report, and every one-bug variant in
tests/styles/layers_bugs/ is caught by the checks it names."""

import pytest
from conftest import ROOT, TESTS, assert_caught, declared

from nnconform.properties.harness import implementation
from nnconform.properties.optable import TABLE

OK = TESTS / "adapter_example/layers.py"
BUGS = sorted((TESTS / "styles/layers_bugs").glob("*.py"))
DEFINED = ("relu", "sigmoid", "tanh", "leaky_relu", "linear", "temporal_affine",
           "cross_entropy", "conv2d", "max_pool2d", "batch_norm", "dropout", "embedding")
# the ops the style maps with more than a call (the whole suite: test_implementations.py)
CHECKED = ("linear", "cross_entropy", "conv2d", "max_pool2d", "batch_norm", "dropout")


def test_every_class_is_bound():
    impl = implementation(str(OK), "layers")
    for op in DEFINED:
        assert not impl.missing(TABLE[op]), (op, impl.missing(TABLE[op]))


def test_the_correct_classes_pass_on_the_declared_domain(check):
    code, report, output = check("--style", "layers", "--impl", str(OK),
                                 "--only", ",".join(CHECKED))
    assert code == 0, output[-4000:]
    for op in CHECKED:
        row = report["ops"][op]
        assert not {"fail", "crashed"} & set(row.values()), (op, row)
        assert row["forward"] not in ("not implemented", "unsupported"), (op, row)
    declared_ = report["declared"]
    assert declared_["batch_norm"]["convention"] == "biased_running_var"
    assert "dilation 1" in declared_["conv2d"]["checked_on"]
    assert "padding 0" in declared_["max_pool2d"]["checked_on"]
    assert "indices-mean" in declared_["cross_entropy"]["checked_on"]
    assert "draws its own mask" in declared_["dropout"]["unsupported"]


def test_there_are_at_least_six_variants():
    assert len(BUGS) >= 6, BUGS


@pytest.mark.parametrize("path", BUGS, ids=[p.stem for p in BUGS])
def test_each_variant_is_caught(check, path):
    assert_caught(check, declared(path, "OP"), declared(path, "CAUGHT_BY"), "--style", "layers",
                  "--impl", str(path.relative_to(ROOT)))
