"""Surviving the implementation under test: a per-test time limit, and a record of why a
test's process died.

`nnconform check` runs the suite in pytest-xdist workers (one by default), so an
implementation that kills its process (os._exit, a segfault) takes down a worker, not the
run: xdist reports the test it was running as crashed and starts a new worker. Around
every test a worker arms faulthandler, which needs no GIL: on a segfault it writes the
fatal error, and when the time limit passes it writes "Timeout" and the stacks and exits
the process, which catches even a hang inside C code. It writes into a notes folder the
controller names and hands its workers (xdist's workerinput), one file per test, so the
report can say why a test crashed (xdist's pytest_handlecrashitem names the test). Run
in-process (`--no-isolation`), the same limit ends the whole run.
"""

from __future__ import annotations

import faulthandler
import hashlib
import re
import sys
from pathlib import Path

import pytest

NOTES = "nnconform_crash_notes"  # the notes folder's key in xdist's workerinput
NOTES_FOLDER = pytest.StashKey[str]()  # and in each process's config
DEFAULT_TIMEOUT = 300.0  # seconds one test (op × check × variant × dtype) may take


def _note(folder: str, nodeid: str) -> Path:
    return Path(folder) / (hashlib.sha1(nodeid.encode()).hexdigest() + ".txt")


class Watchdog:
    """Arms faulthandler around one test's call; disarms it when the call returns."""

    def __init__(self, timeout: float | None, folder: str | None):
        self.timeout = timeout
        self.folder = folder
        self.file = None

    def arm(self, nodeid: str) -> None:
        if self.folder:  # made by the first test that needs it, not by the controller
            Path(self.folder).mkdir(parents=True, exist_ok=True)
        self.file = open(_note(self.folder, nodeid), "w") if self.folder else None  # noqa: SIM115
        target = self.file or sys.__stderr__  # a real file descriptor, not pytest's capture
        faulthandler.enable(file=target, all_threads=False)
        if self.timeout:
            faulthandler.dump_traceback_later(self.timeout, exit=True, file=target)

    def disarm(self) -> None:
        faulthandler.cancel_dump_traceback_later()
        faulthandler.enable(file=sys.__stderr__)  # off the note, which is about to close
        if self.file is not None:
            name = self.file.name
            self.file.close()
            self.file = None
            Path(name).unlink(missing_ok=True)  # the test returned: nothing to tell


def crash_reason(nodeid: str, timeout: float | None, folder: str | None) -> str:
    """Why the worker running `nodeid` died, from the note its watchdog left."""
    text = ""
    if folder and _note(folder, nodeid).exists():
        text = _note(folder, nodeid).read_text(errors="replace")
    if text.startswith("Timeout"):
        return f"timed out: still running after {timeout:g} s (the process was stopped)"
    fatal = re.search(r"Fatal Python error: (.+)", text)
    if fatal:
        return f"the process died: {fatal.group(1).strip()}"
    return "the process died (os._exit, a signal or an abort) while running this test"
