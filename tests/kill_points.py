"""Test helper: SIGKILL the current process at one chosen filesystem step of writing an assembly.

`install(kill_at=N)` wraps the calls that change the filesystem (mkdir, open, unlink, rmdir, rename,
symlink, the atomic exchange, and each assembly file write, which is also cut in half) so that the
Nth of them, counted only while `CloudAssembly.write` runs, kills the process with SIGKILL just before
it happens. With `log=path` every step's name is appended to that file (a dry run with kill_at=-1
lists the points). Used in a forked child or a subprocess, never in the test process itself.

    python -c "import kill_points; kill_points.install(kill_at=7); kill_points.run_cli()" synth
"""

from __future__ import annotations

import functools
import os
import runpy
import signal
import sys
from collections.abc import Callable
from typing import Any

import iac.synth.assembly as assembly_module
import iac.synth.assembly_dir as assembly_dir_module

_OS_STEPS = ("mkdir", "open", "unlink", "remove", "rmdir", "rename", "replace", "symlink")


class _Counter:
    def __init__(self, kill_at: int, log: str | None) -> None:
        self.kill_at = kill_at
        self.log = log
        self.count = 0
        self.armed = False

    def step(self, name: str) -> None:
        if not self.armed:
            return
        if self.log:
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(f"{self.count} {name}\n")
        if self.count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        self.count += 1


def install(*, kill_at: int, log: str | None = None) -> None:
    counter = _Counter(kill_at, log)
    for name in _OS_STEPS:
        setattr(os, name, _counted(counter, f"os.{name}", getattr(os, name)))
    assembly_dir_module.exchange = _counted(counter, "exchange", assembly_dir_module.exchange)
    assembly_module._write_file = _halved_write(counter)
    real_write = assembly_module.CloudAssembly.write

    @functools.wraps(real_write)
    def armed_write(self: Any, *args: Any, **kwargs: Any) -> Any:
        counter.armed = True
        try:
            return real_write(self, *args, **kwargs)
        finally:
            counter.step("done")
            counter.armed = False

    assembly_module.CloudAssembly.write = armed_write  # type: ignore[method-assign]


def _counted(counter: _Counter, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counter.step(name)
        return function(*args, **kwargs)

    return wrapper


def _halved_write(counter: _Counter) -> Callable[[str, str | bytes], None]:
    def write(path: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        counter.step(f"write {os.path.basename(path)}")
        with open(path, "xb") as handle:
            handle.write(data[: len(data) // 2])
            handle.flush()
            counter.step(f"half-written {os.path.basename(path)}")
            handle.write(data[len(data) // 2:])

    return write


def run_cli() -> None:
    """`python -m iac ARGS...` in this process (after install), with sys.argv[1:] as the arguments."""
    sys.argv = ["iac", *sys.argv[1:]]
    runpy.run_module("iac", run_name="__main__")
