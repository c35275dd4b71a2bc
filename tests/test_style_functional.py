"""The functional style (properties/styles/functional.py): a module of torch.nn.functional's
names on tensors, with autograd backward, is checked with no adapter of the user's. The
correct module passes, on the CPU and on a GPU where there is one, and every one-bug
variant in tests/styles/functional_bugs/ is caught by the checks it names."""

import pytest
import torch
from conftest import ROOT, TESTS, assert_caught, declared

from nnconform.properties.harness import implementation
from nnconform.properties.optable import TABLE

OK = TESTS / "styles/functional_ok.py"
BUGS = sorted((TESTS / "styles/functional_bugs").glob("*.py"))
# every op of the table that torch.nn.functional (or torch) has, and functional_ok defines
DEFINED = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "softmax", "log_softmax", "mse",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "multiclass_hinge", "temporal_softmax_loss", "linear", "temporal_affine", "conv2d",
           "flatten", "embedding", "one_hot", "max_pool2d", "avg_pool2d", "lp_pool2d",
           "batch_norm", "layer_norm", "group_norm", "dropout")
# the hand-written autograd.Functions, and the ops the style maps with more than a call
CHECKED = ("relu", "leaky_relu", "sigmoid", "linear", "softmax", "layer_norm", "mse",
           "multiclass_hinge", "temporal_softmax_loss", "flatten", "max_pool2d", "batch_norm",
           "dropout", "one_hot")


def _assert_passes(code, report, output, ops):
    assert code == 0, output[-4000:]
    for op in ops:
        row = report["ops"][op]
        assert not {"fail", "crashed"} & set(row.values()), (op, row)
        assert row["forward"] not in ("not implemented", "unsupported"), (op, row)


def test_every_op_the_module_defines_is_bound():
    impl = implementation(str(OK), "functional")
    for op in DEFINED:
        assert not impl.missing(TABLE[op]), (op, impl.missing(TABLE[op]))
    assert impl.missing(TABLE["maxout"])  # torch has no maxout: not implemented


def test_the_correct_module_passes(check):
    code, report, output = check("--style", "functional", "--impl", str(OK),
                                 "--only", ",".join(CHECKED))
    _assert_passes(code, report, output, CHECKED)
    # train-mode dropout with the table's mask is the one configuration the style lacks
    assert report["ops"]["dropout"]["invariants"] == "pass"
    assert "draws its own mask" in report["declared"]["dropout"]["unsupported"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_the_correct_module_passes_on_a_gpu(check, tmp_path):
    module = tmp_path / "functional_cuda.py"
    module.write_text("import sys\n"
                      f"sys.path.insert(0, {str(OK.parent)!r})\n"
                      "from functional_ok import *  # noqa: F403\n"
                      "DEVICE = 'cuda'\n")
    ops = ("relu", "linear", "softmax", "layer_norm", "conv2d", "batch_norm", "dropout",
           "cross_entropy")
    code, report, output = check("--style", "functional", "--impl", str(module),
                                 "--only", ",".join(ops))
    _assert_passes(code, report, output, ops)


def test_there_are_at_least_eight_variants():
    assert len(BUGS) >= 8, BUGS


@pytest.mark.parametrize("path", BUGS, ids=[p.stem for p in BUGS])
def test_each_variant_is_caught(check, path):
    assert_caught(check, declared(path, "OP"), declared(path, "CAUGHT_BY"), "--style", "functional",
                  "--impl", str(path.relative_to(ROOT)))
