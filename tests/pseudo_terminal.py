"""The real `iac` on a pseudo-terminal: what a user sees, colours and control sequences included."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

TIMEOUT_SECONDS = 60


def run_on_terminal(cwd: Path, *args: str | os.PathLike[str], streams: tuple[str, ...] = ("stdout", "stderr"),
                    env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `iac ARGS` with `streams` ("stdout", "stderr") on a pseudo-terminal and the others discarded;
    return its exit status and what reached the terminal. NO_COLOR/FORCE_COLOR are cleared unless `env` sets
    them."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env or {})
    controller, terminal = pty.openpty()
    outputs = {name: terminal if name in streams else subprocess.DEVNULL for name in ("stdout", "stderr")}
    try:
        process = subprocess.Popen([sys.executable, "-m", "iac", *map(str, args)], cwd=cwd, env=environment,
                                   stdin=subprocess.DEVNULL, **outputs)
        os.close(terminal)
        chunks = []
        while select.select([controller], [], [], TIMEOUT_SECONDS)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        status = process.wait(timeout=TIMEOUT_SECONDS)
    finally:
        os.close(controller)
    return status, b"".join(chunks).decode()
