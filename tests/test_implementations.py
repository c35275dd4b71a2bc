"""No false alarms: correct implementations written in other ways pass the whole suite."""

from nnconform.properties.optable import CHECK_KINDS, TABLE


def test_torch_backed_implementation_passes(check):
    """Computes on torch tensors through the to_native/to_numpy hook."""
    code, report, output = check("--impl", "tests/torch_backed.py")
    assert code == 0, output[-4000:]
    assert set(report["ops"]) == set(TABLE)
    assert report["counts"]["fail"] == 0 and report["counts"]["not implemented"] == 0


def test_class_style_layers_pass_with_the_shipped_style_and_the_rest_is_not_implemented(check):
    """The user's classes alone (tests/adapter_example/layers.py), through --style layers:
    no adapter module of their own (properties/styles/layers.py maps them)."""
    code, report, output = check("--style", "layers", "--impl", "tests/adapter_example/layers.py")
    assert code == 0, output[-4000:]
    adapted = {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "temporal_affine",
               "cross_entropy", "conv2d", "max_pool2d", "batch_norm", "dropout", "embedding"}
    for op, row in report["ops"].items():
        statuses = {row[kind] for kind in CHECK_KINDS} - {"n/a"}
        if op in adapted:
            # subset: a configuration the class style cannot take (dropout's given mask)
            assert statuses <= {"pass", "subset", "not implemented"}, (op, row)
            assert row["forward"] in ("pass", "subset"), (op, row)
        else:
            assert statuses == {"not implemented"}, (op, row)
