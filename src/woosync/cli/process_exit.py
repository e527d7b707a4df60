"""Ending the ``woosync`` process without tearing the interpreter down.

Once a command has finished, Python's own exit frees every module and object one by one: after
an export or import that is a measurable part of the command's CPU (0.1-0.4 s; ``benchmarks/``),
spent on memory the operating system takes back at once anyway. So the command ends with
``os._exit`` after doing by hand what the interpreter's exit would still have done that matters:
the ``atexit`` handlers (logging's flush among them) and flushing stdout and stderr. The database
is already closed by then (the app closes it after every command), so no write-ahead log is left
beside it. When a thread other than the main one is still alive, the normal exit (which waits
for it) is taken instead, and likewise under a profiler or a tracer (``python -m cProfile -m
woosync ...`` writes its figures after the command returns).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_code_of(stop: SystemExit) -> int:
    """The process exit code ``sys.exit`` would give for ``stop``."""
    code = stop.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message"): printed, exit code 1
    return 1


def leave(code: int) -> NoReturn:
    """End the process with ``code``, quickly when nothing else is running (see the module)."""
    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a thread to wait for, or a profiler or debugger that reports on exit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away: the output was cut
            code = code or 1
    os._exit(code)
