"""A stop request the solvers honour: Ctrl-C or SIGTERM ends a solve with its best plan.

While :func:`stop_on_signals` is active (the exact solvers enter it around a solve),
SIGINT and SIGTERM set :data:`STOP` instead of raising; HiGHS polls it through its
interrupt callbacks, so it returns within a fraction of a second, and the pipeline
returns its best incumbent marked ``"interrupted"``. A second Ctrl-C raises
``KeyboardInterrupt`` as usual.

>>> with stop_on_signals():
...     STOP.is_set()
False
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

log = logging.getLogger(__name__)

#: Set when a stop was requested; cleared when a new interruptible solve starts.
STOP = threading.Event()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into a stop request for the duration (main thread only)."""
    STOP.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if STOP.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.warning("stop requested (%s): finishing with the best plan so far",
                    signal.Signals(signum).name)  # fmt: skip
        STOP.set()

    for sig in previous:
        signal.signal(sig, request_stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
