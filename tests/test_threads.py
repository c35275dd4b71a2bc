"""BLAS and OpenMP threads (properties/threads.py): each worker of a check gets cores ÷
workers of them, --threads sets them, and the report says what was used."""

import json

import pytest

from nnconform.properties import threads

# A plug-in whose relu records, from inside the process running the test, the thread
# counts of the loaded pools and of torch (imported by the oracles by then).
RECORDER = """
import json, os, sys
import threadpoolctl
from nnconform.impl import relu_backward, relu_forward as _relu_forward

def relu_forward(x):
    pools = {p["internal_api"]: p["num_threads"] for p in threadpoolctl.threadpool_info()}
    torch = sys.modules.get("torch")
    pools["torch"] = torch.get_num_threads() if torch else None
    with open(os.environ["THREADS_SEEN"], "a") as seen:
        seen.write(json.dumps(pools) + "\\n")
    return _relu_forward(x)
"""


def _seen(check, tmp_path, *args):
    module = tmp_path / "recorder.py"
    module.write_text(RECORDER)
    seen = tmp_path / "seen.jsonl"
    code, report, output = check("--impl", str(module), "--only", "relu", *args,
                                 "--", "-k", "test_forward and float64",
                                 env={"THREADS_SEEN": str(seen)})
    assert code == 0, output[-3000:]
    return [json.loads(line) for line in seen.read_text().splitlines()], report


def test_the_share_of_each_worker():
    assert threads.share(1) == threads.cores()
    assert threads.share(threads.cores() * 4) == 1
    with pytest.raises(ValueError, match="threads: 0"):
        threads.limit(0)


def test_each_worker_gets_cores_over_workers(check, tmp_path):
    records, report = _seen(check, tmp_path, "-n", "2")
    expected = threads.share(2)
    assert records and all(r["openblas"] == expected for r in records), records
    assert all(r["torch"] in (None, expected) for r in records), records
    assert report["threads"].startswith(f"{expected} per worker"), report["threads"]


def test_threads_names_the_count(check, tmp_path):
    records, report = _seen(check, tmp_path, "--threads", "1")
    assert records and all(r["openblas"] == 1 for r in records), records
    assert all(r["torch"] in (None, 1) for r in records), records
    assert report["threads"] == "1 (--threads)"
