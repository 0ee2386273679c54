"""A layout worker forked after the CSL processor ran (bibliography/csl_engine.py) never frees
the V8 contexts it inherited: the worker's garbage collector used to meet a context that the
parent had let go of, and freeing it there waited forever for V8's threads, which stayed in the
parent, or crashed the worker (SIGSEGV: a build failed with ``worker-died``)."""
from __future__ import annotations

import gc
import multiprocessing
import sys

import pytest

from reader_build.bibliography import csl_engine
from reader_build.bibliography.v8 import start_v8


def _collect() -> None:
    gc.collect()
    sys.exit(0)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this system")
def test_a_forked_worker_does_not_free_the_parents_v8():
    gc.disable()                 # the context is let go of, in a cycle, and not yet freed when the worker forks
    try:
        js = start_v8(csl_engine.V8_FLAGS)
        assert js.eval("6 * 7") == 42
        cycle: list = [js]
        cycle.append(cycle)
        del js, cycle
        worker = multiprocessing.get_context("fork").Process(target=_collect)
        worker.start()
        worker.join(timeout=60)
        alive = worker.is_alive()
        if alive:
            worker.kill()
            worker.join()
    finally:
        gc.enable()
        gc.collect()             # (here, in the parent, the context is freed)
    assert not alive, "the worker hung freeing the parent's V8 context"
    assert worker.exitcode == 0
