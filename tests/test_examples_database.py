"""Under the dev profile a failing property's shrunk example is saved, in a database of
the implementation's own outside the run's directory, under the test's own key: the next
run of that test replays it first, and no other test does."""

import json

import numpy as np
from conftest import nnconform_check

# relu that is wrong on inputs of four or more elements, and notes every input it gets.
PLUG_IN = '''
import json, os
import numpy as np
from nnconform.impl import *  # noqa: F403

def relu_forward(x):
    with open(os.environ["RELU_INPUTS"], "a") as notes:
        notes.write(json.dumps(np.asarray(x, float).tolist()) + "\\n")
    y = np.maximum(x, 0)
    return (y + 1 if x.size >= 4 else y).astype(x.dtype), x > 0
'''


def _inputs(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_saved_failure_replays_first_on_the_next_run_of_that_test_only(tmp_path):
    plug_in = tmp_path / "relu_wrong_on_long_inputs.py"
    plug_in.write_text(PLUG_IN)
    cache = tmp_path / "cache"

    def run(test, notes):
        env = {"NNCONFORM_CACHE_DIR": str(cache), "RELU_INPUTS": str(tmp_path / notes)}
        code, _, output = nnconform_check("--impl", str(plug_in), "--test", test,
                                          tmp_path=tmp_path, profile="dev", env=env)
        assert code == 1, output[-2000:]
        return _inputs(tmp_path / notes)

    forward = "test_forward[relu-default-float64]"
    first = run(forward, "first.jsonl")
    shrunk = first[-1]  # Hypothesis runs the shrunk example last, to report it
    assert np.size(shrunk) == 4, shrunk  # the least input that fails: 4 elements, any shape
    assert list(cache.glob("examples/relu_wrong_on_long_inputs-*")), "no database was kept"
    assert run(forward, "second.jsonl")[0] == shrunk
    # Another test of the same op draws its own first example: the key was the test's.
    assert run("test_closed_form[relu-default-float64]", "other.jsonl")[0] != shrunk
