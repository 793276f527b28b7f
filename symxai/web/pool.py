"""A bounded pool of worker processes for checks, with a queue limit.

Checks run in ``workers`` processes that each loaded and solved the specs
once (``worker.init``).  At most ``workers + queue`` jobs are admitted at a
time; one more is refused at once with ``Busy`` (the server answers 429
"busy, retry") instead of piling up.  A worker that dies is replaced: the
pool is rebuilt and the request answered 503.

>>> Busy("busy, retry").args[0]
'busy, retry'
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from symxai.web import worker

JOB_LIMIT = 120.0  # seconds: far above the grader's own per-answer bounds; a stuck job is given up


class Busy(Exception):
    """Every worker is busy and the queue is full: retry later (HTTP 429)."""


class Unavailable(Exception):
    """The workers are gone or a job outlived every bound (HTTP 503)."""


class CheckPool:
    """Worker processes with the specs of ``paths`` loaded; ``await pool.run(fn, *args)``."""

    def __init__(self, paths, *, workers: int | None = None, queue: int = 32, seed: int = 0):
        self.paths, self.seed = [str(p) for p in paths], seed
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self.queue = queue
        self.admitted = 0
        self.ready = False
        self._executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server has threads and an event loop that a forked child must not inherit
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=worker.init, initargs=(self.paths, self.seed))

    @property
    def limit(self) -> int:
        return self.workers + self.queue

    async def warm(self) -> None:
        """Start every worker and wait until each has loaded its specs."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, worker.ready) for _ in range(self.workers)))
        self.ready = True

    async def run(self, fn, *args):
        """``fn(*args)`` in a worker; Busy when the queue is full, Unavailable when the pool broke."""
        if self.admitted >= self.limit:
            raise Busy("busy, retry")
        self.admitted += 1
        executor = self._executor
        try:
            future = executor.submit(fn, *args)
            return await asyncio.wait_for(asyncio.wrap_future(future), JOB_LIMIT)
        except BrokenProcessPool:
            if executor is self._executor:  # the first request to notice rebuilds it
                self._replace()
            raise Unavailable("a worker stopped; retry") from None
        except asyncio.TimeoutError:
            raise Unavailable("the check took too long; retry") from None
        finally:
            self.admitted -= 1

    def _replace(self) -> None:
        old, self._executor = self._executor, self._new()
        old.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
