"""The garbage collector paused for one synth or diff: a measured choice (benchmarks/synth_speed.py, diff_speed.py).

A synth or a diff builds many objects that all live to its end, next to a large tree or two large
templates that are already alive. The collector's full passes walk every live object, and the more
the step allocates, the more of them it makes: that is what made a diff of 6,000 resources with many
replacements cost 1.3x more per resource than one of 1,000, and synthesis of 10,000 resources 1.2x
more than of 3,000. With the collector paused the cost per resource stays flat. Nothing these steps
make is garbage in a reference cycle worth collecting early; what is made is freed by reference
counting as usual, and any cycle is collected once the collector runs again.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_collector() -> Iterator[None]:
    """Disable the cyclic garbage collector for the block, then enable it again if it was enabled.

    Nested blocks (a nested stack's diff inside its parent's) leave it to the outermost one; a caller
    that disabled the collector itself keeps it disabled.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _age_without_collecting()
        gc.enable()


def _age_without_collecting() -> None:
    """Move every tracked object to the oldest generation and zero the young count, without a collection.

    Turned back on after a block that made a million objects, the collector's first young pass would
    walk all of them (60 ms after a 10,000-resource synth, finding nothing: they are the templates
    the caller goes on to use). `freeze` + `unfreeze` is the standard library's O(1) way to file them
    with the long-lived objects instead, where the next full pass examines them (and frees any cycle
    among them) as it would have once they survived. Skipped when the process froze objects itself
    (a pre-fork server): unfreezing would hand its frozen objects back to the collector.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
