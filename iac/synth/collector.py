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
        gc.enable()
