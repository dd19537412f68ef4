"""A Ctrl-C is never lost to a finalizer.

Python raises KeyboardInterrupt in whatever Python code runs when SIGINT arrives. When that code is a
finalizer (`__del__`, a weakref callback), the exception cannot propagate: Python reports it through
`sys.unraisablehook` ("Exception ignored in ..." and a traceback) and carries on as if no key had
been pressed. cfn-lint makes and drops many objects with finalizers (the regex module's compiled
patterns), so a Ctrl-C during lint often met this fate: the run went on for seconds and succeeded.

`interrupts_redelivered()` catches exactly that case: a swallowed KeyboardInterrupt is not printed,
and SIGINT is sent to the main thread again a moment later, when it is back in ordinary code (where
it raises as usual; in yet another finalizer, the same happens again). A KeyboardInterrupt that
propagates normally is untouched, and so is every other unraisable exception.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

#: Long enough for the finalizer's caller to be back in ordinary code, short enough to go unnoticed.
REDELIVERY_DELAY = 0.02


@contextlib.contextmanager
def interrupts_redelivered() -> Iterator[None]:
    """Within the block, a KeyboardInterrupt swallowed by a finalizer is raised again in the main thread.

    One still on its way when the block ends is raised as the block ends, so it cannot land later,
    outside the code that turns it into "interrupted".
    """
    previous = sys.unraisablehook
    redelivery = _Redelivery()

    def hook(unraisable: Any) -> None:
        in_main_thread = threading.current_thread() is threading.main_thread()
        if isinstance(unraisable.exc_value, KeyboardInterrupt) and in_main_thread:
            redelivery.schedule()
            return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous
        if redelivery.cancel():
            raise KeyboardInterrupt


class _Redelivery:
    """SIGINT for the main thread, sent from a helper thread: not from the hook itself, which is Python
    code run while the finalizer's exception is reported, where the new KeyboardInterrupt would be lost too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def schedule(self) -> None:
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(REDELIVERY_DELAY, self._send)
                self._timer.daemon = True
                self._timer.start()

    def cancel(self) -> bool:
        """Stop a redelivery not sent yet: True when one was pending (the caller raises it instead)."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is None:
            return False
        timer.cancel()
        return True

    def _send(self) -> None:
        with self._lock:
            if self._timer is None:  # cancelled meanwhile
                return
            self._timer = None
        main = threading.main_thread().ident
        if hasattr(signal, "pthread_kill") and main is not None:
            signal.pthread_kill(main, signal.SIGINT)  # a real signal: it also wakes a blocked wait
        else:  # pragma: no cover - not POSIX
            import _thread

            _thread.interrupt_main()
