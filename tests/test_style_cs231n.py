"""The cs231n style (properties/styles/cs231n.py): a correct CS231n assignment written as a
student would write it (tests/styles/cs231n/, which knows nothing of nnconform) passes
with no adapter of its own; every one-bug variant in tests/styles/cs231n_bugs/ fails in
the report columns it names, and is never excused as a convention; an assignment stub
still returning None is "not implemented"."""

import pytest
from conftest import TESTS, assert_caught, declared

ASSIGNMENT = "tests/styles/cs231n"
BUGS = TESTS / "styles" / "cs231n_bugs"
VARIANTS = sorted(p.stem for p in BUGS.glob("*.py") if not p.stem.startswith("_"))

# The ops the assignment's functions implement, in runs of a few ops each.
GROUPS = {
    "layers": ("linear", "relu", "cross_entropy", "multiclass_hinge", "dropout"),
    "conv": ("conv2d", "max_pool2d"),
    "norm": ("batch_norm", "layer_norm", "group_norm"),
    "recurrent": ("rnn", "lstm", "embedding", "temporal_affine", "temporal_softmax_loss"),
    "optim": ("sgd", "momentum_velocity", "rmsprop", "adam"),
}
PASSING = {"pass", "subset", "partial", "unsupported", "not implemented", "n/a"}
# Invariants that call an op the assignment has no function for: not implemented there.
BORROWED = {"sgd": "l2_penalty"}
# Invariants that need an output or a gradient the assignment does not compute: lstm's
# need c_n or dc0, which lstm_forward (no c0) and lstm_backward do not return.
UNCOMPUTED = {"lstm": "c_n, dc0"}
# Checks of the op table that hold the assignment's own code to something other than
# its documented behaviour (see the report of the adapter's introduction): expected to
# fail until the table changes, and reported as passing once it has.
KNOWN_TABLE_ISSUES = (
    # np.maximum(0, nan) is nan; torch's multi_margin_loss skips a NaN margin (z > 0 is
    # false) and expects a loss of 0 where svm_loss, as given in the assignment, has NaN.
    "test_special_values[multiclass_hinge-mean-float64]",
)


@pytest.fixture
def known_issues(tmp_path):
    path = tmp_path / "xfails.txt"
    path.write_text("\n".join(KNOWN_TABLE_ISSUES) + "\n")
    return str(path)


def test_catalog_has_at_least_twenty_variants():
    assert len(VARIANTS) >= 20, VARIANTS
    checked = {op for ops in GROUPS.values() for op in ops}
    assert {declared(BUGS / f"{name}.py", "OP") for name in VARIANTS} <= checked


@pytest.mark.parametrize("group", GROUPS)
def test_the_correct_assignment_passes(check, known_issues, group):
    ops = GROUPS[group]
    code, report, output = check("--style", "cs231n", "--impl", ASSIGNMENT, "--only",
                                 ",".join(ops), "--xfails", known_issues)
    assert code == 0, output[-4000:]
    for op in ops:
        row = report["ops"][op]
        assert set(row.values()) <= PASSING | {"xfail"}, (op, row)
        gaps = {kind for kind, status in row.items() if status == "not implemented"}
        assert gaps <= ({"invariants"} if op in {**BORROWED, **UNCOMPUTED} else set()), (op, row)
        assert {"pass", "subset"} & set(row.values()), (op, row)
        checked = row["forward"] if row["forward"] != "n/a" else row["closed_form"]
        assert checked in ("pass", "subset"), (op, row)
    declared = report["declared"]
    if "batch_norm" in ops:
        assert declared["batch_norm"]["convention"] == "biased_running_var"
    if "max_pool2d" in ops:
        assert declared["max_pool2d"]["convention"] == "ties_all"
        assert "float64" in declared["max_pool2d"]["checked_on"]


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_is_caught(check, name):
    path = BUGS / f"{name}.py"
    assert_caught(check, declared(path, "OP"), declared(path, "CAUGHT_BY"), "--style", "cs231n",
                  "--impl", f"tests/styles/cs231n_bugs/{name}.py")


def test_a_stub_is_not_implemented(check, tmp_path):
    """The assignment's stubs return None (or (None, cache)): relu_forward still a stub
    leaves relu not implemented; affine_backward still a stub leaves linear's forward
    checked and its gradients not implemented."""
    stub = tmp_path / "stubs.py"
    stub.write_text(
        "def relu_forward(x):\n    out = None\n    cache = x\n    return out, cache\n\n\n"
        "def affine_backward(dout, cache):\n    dx, dw, db = None, None, None\n"
        "    return dx, dw, db\n")
    code, report, output = check("--style", "cs231n", "--impl", f"{stub},{ASSIGNMENT}",
                                 "--only", "relu,linear")
    assert code == 0, output[-3000:]
    relu, linear = report["ops"]["relu"], report["ops"]["linear"]
    assert set(relu.values()) <= {"not implemented", "n/a"}, relu
    assert relu["forward"] == "not implemented", relu
    assert linear["forward"] in ("pass", "subset"), linear
    assert linear["backward_torch"] == "not implemented", linear
    assert "returns None" in output or "not impl" in output
