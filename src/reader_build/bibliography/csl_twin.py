"""A second citeproc-js engine, in a thread of its own, for a reader with many citations.

citeproc-js runs in one thread. Once positions are known (``csl_cite``), each cluster is
formatted on its own (``makeCitationCluster``): the clusters can be shared between two
engines that hold the same style and the same items, registered in the same order (so
that both disambiguate alike). The twin is compiled, given the items and registered
while the engine of the bibliography registers them too; it then formats the last part
of the clusters and the reference list while that engine formats the first part. On a
machine of two cores, 2,000 notes of 500 entries take about three quarters of the time of one
engine (``benchmarks/citations.py``). The twin is closed before :meth:`Twin.result`
returns: no V8 thread outlives the call (a layout worker forks later).

Whatever goes wrong in the twin costs only the time: the caller formats everything with its
own engine, as without a twin. Under an address-space cap (``ulimit -v``) there is no twin:
each V8 reserves gigabytes of address space as it starts, and one that cannot aborts the
whole process (``Fatal process out of memory``) instead of raising, where the first V8, which
``v8.py`` tries in a child process first, would have started.
"""
from __future__ import annotations

import os
import queue
import resource
import threading

from .csl_engine import Engine

TWIN_CLUSTERS = 300     # fewer clusters than this: one engine (a twin costs a start and a registration)
TWIN_SHARE = 0.25       # of the clusters, the twin's part (it makes the reference list too)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def uncapped() -> bool:
    """Is this process's address space unlimited (no ``ulimit -v``)?"""
    return resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY


def wanted(clusters: int) -> bool:
    """Is a twin worth starting for this many clusters on this machine, and safe?"""
    return clusters >= TWIN_CLUSTERS and cores() >= 2 and uncapped()


class Twin:
    """A twin of *engine*, started at once: compiled, given the engine's items and
    registered (*order*, *uncited*, as the engine registers them); :meth:`give` hands it its
    clusters, :meth:`result` waits for their HTML and for the reference list."""

    def __init__(self, engine: Engine, order: list[str], uncited: list[str]):
        self._jobs: "queue.Queue[list[list[dict]] | None]" = queue.Queue()
        self._cited: list[str] | None = None
        self._bibliography: tuple[dict, list[str]] | None = None
        self._thread = threading.Thread(
            target=self._run, args=(engine.style_xml, engine.lang, engine.items_json, engine.items,
                                    order, uncited),
            name="citeproc-js twin", daemon=True)
        self._thread.start()

    def _run(self, style_xml, lang, items_json, keys, order, uncited) -> None:
        twin = None
        try:
            twin = Engine(style_xml, lang)
            twin.load_json(items_json, keys)
            twin.register(order, uncited)
            clusters = self._jobs.get()
            if clusters is None:
                return
            self._cited = twin.cite(clusters)
            self._bibliography = twin.bibliography()
        except Exception:                          # the caller does it all with its own engine
            self._cited = self._bibliography = None
        finally:
            if twin is not None:
                twin.close()

    def give(self, clusters: list[list[dict]] | None) -> None:
        """The clusters the twin formats (None: nothing, it stops)."""
        self._jobs.put(clusters)

    def result(self) -> tuple[list[str], tuple[dict, list[str]]] | None:
        """The HTML of the twin's clusters and the reference list (as
        :meth:`Engine.bibliography`), or None when the twin failed."""
        self._thread.join()
        if self._cited is None or self._bibliography is None:
            return None
        return self._cited, self._bibliography

    def stop(self) -> None:
        self.give(None)
        self._thread.join()
