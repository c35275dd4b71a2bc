"""The dtype policy over the whole op table: where the contract wants floats, an integer,
bool or complex array fails at the call with a TypeError naming the argument, while
float16, float32 and float64 are accepted and kept.

One valid case per layer op is drawn with the op's own strategy (its first variant); then
each float input in turn is replaced by a copy of another dtype. Inputs that are not
float in the drawn case (indices, class targets, masks, an omitted optional) are left
as they are."""

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, settings

from nnconform import impl
from nnconform.properties.optable import TABLE

LAYERS = [op.name for op in TABLE.values()
          if op.kind == "layer" and hasattr(impl, f"{op.name}_forward")]
# Data that is shuffled as it is: class labels may be integers, but not complex or bool.
INTEGER_ALLOWED = {("mini_batches", "y")}
# one_hot's only input is integer indices; its `dtype` hyperparameter picks the output's.
NO_FLOAT_INPUT = {"one_hot"}
DRAW = settings(database=None, derandomize=True, max_examples=20, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck))


@functools.cache
def valid_case(name):
    """The first case the op's strategy draws, derandomized: the same on every run."""
    op = TABLE[name]
    return find(op.cases("float64", next(iter(op.variants.values()))), lambda case: True,
                settings=DRAW)


def float_inputs(name):
    """(position, name) of every float array of the drawn case."""
    op, case = TABLE[name], valid_case(name)
    found = [(i, input_name) for i, (input_name, array)
             in enumerate(zip(op.input_names, case.arrays, strict=True))
             if array is not None and array.dtype.kind == "f"]
    assert bool(found) != (name in NO_FLOAT_INPUT), f"{name}: float inputs {found}"
    return found


def forward_with(name, position, array):
    """The op's forward on the drawn case with input `position` replaced by `array`."""
    case = valid_case(name)
    arrays = list(case.arrays)
    arrays[position] = array
    return getattr(impl, f"{name}_forward")(*arrays, **case.hyper)


@pytest.mark.parametrize("bad", ["int64", "bool", "complex128"])
@pytest.mark.parametrize("name", LAYERS)
def test_non_float_input_is_a_type_error_naming_it(name, bad):
    problems = []
    for position, input_name in float_inputs(name):
        copy = valid_case(name).arrays[position].astype(bad)
        if (name, input_name) in INTEGER_ALLOWED and bad == "int64":
            forward_with(name, position, copy)  # accepted: must not raise
            continue
        try:
            forward_with(name, position, copy)
        except TypeError as error:
            if not str(error).startswith(f"{input_name}:"):
                problems.append(f"{input_name}: TypeError {str(error)!r}")
        except Exception as error:  # noqa: BLE001 - any other outcome is reported
            problems.append(f"{input_name}: {type(error).__name__} {error}")
        else:
            problems.append(f"{input_name}: accepted")
    assert not problems, f"{name} with {bad} inputs: " + "; ".join(problems)


@pytest.mark.parametrize("name", LAYERS)
def test_float16_is_accepted_and_kept(name):
    op, case = TABLE[name], valid_case(name)
    arrays = [a.astype(np.float16) if a is not None and a.dtype.kind == "f" else a
              for a in case.arrays]
    hyper = {**case.hyper, "dtype": "float16"} if name in NO_FLOAT_INPUT else case.hyper
    float_inputs(name)  # the drawn case is as expected
    with np.errstate(all="ignore"):  # float16 may overflow; only the dtypes are checked
        y, _ = getattr(impl, f"{name}_forward")(*arrays, **hyper)
    for output_name, output in zip(op.outputs, op.outputs_of(y), strict=True):
        if output_name not in op.integer_outputs:
            assert np.asarray(output).dtype == np.float16, (
                f"{name}: {output_name} is {np.asarray(output).dtype}")
