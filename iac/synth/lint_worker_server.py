"""The warm lint worker, server side: `python -m iac.synth.lint_worker_server --dir FOLDER`.

Started detached by iac (iac.synth.lint_worker.spawn_worker) in the user's private cache folder. It
takes the identity's lock (one worker per identity; a second one exits at once), imports cfn-lint
and builds its rules (iac.synth.lint._linter_rules, with that folder as its current folder, so no
project's .cfnlintrc shapes the rules), lints a small template to load the lazy parts, and only
then binds its socket (0600, in a 0700 folder): a client never waits on a cold worker.

Each connection is one request, served in turn: the peer must run as this user (SO_PEERCRED).
`lint` is refused unless the client's identity is this worker's and the client's lint context
(versions, the .cfnlintrc files of its home and folder) is what this worker computes after moving
to the client's folder and home; then the templates are linted by iac.synth.lint._lint_all, the
code an in-process lint runs, and the reply gives each template's findings with its sha256.
`status` and `stop` answer any identity (an older iac's worker can be listed and stopped).

It exits after IAC_LINT_WORKER_IDLE minutes without a request, when its memory passes
IAC_LINT_WORKER_MAX_MB, on `stop`, or when its socket file is removed or replaced; it removes its
socket on the way out when the file is still its own.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import os
import resource
import socket
import stat
import sys
import time
from typing import Any

from iac.synth import lint_worker as client
from iac.synth.lint_worker import WorkerUnavailable, receive_frame, send_frame, template_digest

#: Checks between requests this often: has the socket been removed or replaced, is the idle time up?
_CHECK_SECONDS = 30.0
#: How long a connected client may take to send its request.
_REQUEST_SECONDS = 30.0
#: Linted once before the socket opens: the first real template then finds cfn-lint's lazy parts loaded.
_WARM_TEMPLATE = '{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}}}'


class _Stop(Exception):
    """Leave the serving loop (idle, stop request, memory, socket gone)."""


class Worker:
    def __init__(self, *, folder: str, idle_seconds: float, max_megabytes: float) -> None:
        self.folder = folder
        self.identity = client.worker_identity()
        self.path = client.socket_path(folder, self.identity)
        self.idle_seconds = idle_seconds
        self.max_megabytes = max_megabytes
        self.started = time.time()
        self.requests = 0
        self.last_request = time.monotonic()
        self.inode: tuple[int, int] | None = None
        self.listener: socket.socket | None = None

    # -- start -------------------------------------------------------------------------------------

    def warm(self) -> None:
        """cfn-lint imported, its rules built, one template linted (about two seconds)."""
        from iac.synth.lint import _linter_rules, lint_template
        from iac.synth.lint_cache import rule_config_digest

        if "not cached" in rule_config_digest():  # a home .cfnlintrc naming rule files: rules vary
            raise _Stop("the user's .cfnlintrc names files outside it")
        _linter_rules()
        lint_template(_WARM_TEMPLATE, "us-east-1")
        self._check_cfn_lint_version()

    def _check_cfn_lint_version(self) -> None:
        """The cfn-lint imported is the one installed now (an upgrade during the start changes the identity)."""
        from cfnlint.version import __version__

        from iac.synth.assembly import package_version

        if __version__ != package_version("cfn-lint") or client.worker_identity() != self.identity:
            raise _Stop("cfn-lint changed while the worker started")

    def bind(self) -> None:
        """The socket, owner-only from the first instant (umask), in place of a stale one (under the lock)."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        mask = os.umask(0o177)
        try:
            listener.bind(self.path)
        finally:
            os.umask(mask)
        os.chmod(self.path, 0o600)
        info = os.lstat(self.path)
        self.inode = (info.st_dev, info.st_ino)
        listener.listen(16)
        self.listener = listener

    # -- serve -------------------------------------------------------------------------------------

    def serve(self) -> None:
        assert self.listener is not None
        try:
            while True:
                self.listener.settimeout(min(_CHECK_SECONDS, max(0.05, self._idle_left())))
                try:
                    connection, _ = self.listener.accept()
                except TimeoutError:
                    self._check_alive()
                    continue
                with connection:
                    self._serve_one(connection)
                self.last_request = time.monotonic()
                self._check_alive()
        except _Stop:
            pass
        finally:
            self.close()

    def _idle_left(self) -> float:
        return self.last_request + self.idle_seconds - time.monotonic()

    def _check_alive(self) -> None:
        if self._idle_left() <= 0:
            raise _Stop("idle")
        if not self._socket_is_mine():
            raise _Stop("the socket was removed or replaced")
        if _rss_megabytes() > self.max_megabytes:
            raise _Stop("memory")

    def _socket_is_mine(self) -> bool:
        try:
            info = os.lstat(self.path)
        except OSError:
            return False
        return stat.S_ISSOCK(info.st_mode) and (info.st_dev, info.st_ino) == self.inode

    def _serve_one(self, connection: socket.socket) -> None:
        uid = client.peer_uid(connection)
        if uid is None or uid != os.geteuid():
            return  # another user's process: not a word
        stopping = False
        try:
            request = receive_frame(
                connection, limit=client.MAX_REQUEST_BYTES, deadline=time.monotonic() + _REQUEST_SECONDS
            )
            op = request.get("op")
            if op == "status":
                send_frame(connection, self._status())
            elif op == "stop":
                send_frame(connection, {"ok": True, "identity": self.identity})
                stopping = True
            elif op == "lint":
                self.requests += 1
                send_frame(connection, self._lint(connection, request))
            else:
                send_frame(connection, {"ok": False, "identity": self.identity, "error": f"unknown op {op!r}"})
        except (WorkerUnavailable, OSError):
            pass  # the client left or sent nonsense; it lints in process
        if stopping:
            raise _Stop("stop requested")

    def _status(self) -> dict[str, Any]:
        from cfnlint.version import __version__

        from iac.synth.assembly import package_version

        return {
            "ok": True,
            "identity": self.identity,
            "pid": os.getpid(),
            "started": self.started,
            "requests": self.requests,
            "rss_mb": round(_rss_megabytes(), 1),
            "idle_minutes": self.idle_seconds / 60,
            "prefix": sys.prefix,
            "versions": {
                "iac": package_version("iac-cfn"),
                "cfn-lint": __version__,
                "python": sys.version.split()[0],
                "executable": sys.executable,
            },
        }

    def stop_superseded(self) -> None:
        """Stop the workers of this folder that serve another identity from this Python environment: an
        upgraded cfn-lint or iac, an edited checkout. Nothing of this environment asks them any more."""
        for path in client.worker_sockets(self.folder):
            if path == self.path:
                continue
            try:
                with client.connect(path) as connection:
                    send_frame(connection, {"op": "status"})
                    reply = receive_frame(connection, limit=1 << 20, deadline=time.monotonic() + 2)
                if reply.get("prefix") != sys.prefix or reply.get("identity") == self.identity:
                    continue
                with client.connect(path) as connection:
                    send_frame(connection, {"op": "stop"})
                    receive_frame(connection, limit=1 << 20, deadline=time.monotonic() + 2)
            except (WorkerUnavailable, OSError):
                continue

    def _lint(self, connection: socket.socket, request: dict[str, Any]) -> dict[str, Any]:
        refused = self._refusal(request)
        if refused:
            return {"ok": False, "identity": self.identity, "error": refused}
        templates = request["templates"]
        home = os.environ.get("HOME")
        try:
            os.chdir(request["cwd"])
            _set_home(request["home"])
            from iac.synth.lint_cache import lint_context

            context = lint_context()
            if context != request["context"] or "not cached" in context:
                return {
                    "ok": False,
                    "identity": self.identity,
                    "error": "the client's cfn-lint configuration is not what the worker reads",
                }
            results = self._lint_templates(connection, templates, request.get("jobs"))
        except OSError as error:
            return {"ok": False, "identity": self.identity, "error": f"cannot lint there: {error}"}
        except Exception as error:  # cfn-lint failed: the client's in-process lint says how
            return {"ok": False, "identity": self.identity, "error": f"{type(error).__name__}: {error}"}
        finally:
            os.chdir(self.folder)
            _set_home(home)
        return {"ok": True, "identity": self.identity, "results": results}

    def _refusal(self, request: dict[str, Any]) -> str | None:
        if request.get("protocol") != client.PROTOCOL or request.get("identity") != self.identity:
            return "another version of iac or cfn-lint (identity mismatch)"
        templates = request.get("templates")
        if not isinstance(templates, list) or not all(
            isinstance(t, list) and len(t) == 3 and all(isinstance(part, str) for part in t) for t in templates
        ):
            return "templates are not [name, body, region] lists"
        if len({t[0] for t in templates}) != len(templates):
            return "two templates have the same name"
        if not isinstance(request.get("cwd"), str) or not isinstance(request.get("context"), str):
            return "no folder or lint context"
        if request.get("home") is not None and not isinstance(request.get("home"), str):
            return "the home folder is not text"
        jobs = request.get("jobs")
        if jobs is not None and not (isinstance(jobs, int) and not isinstance(jobs, bool) and jobs > 0):
            return "jobs is not a positive number"
        return None

    def _lint_templates(
        self, connection: socket.socket, templates: list[list[str]], jobs: int | None
    ) -> dict[str, dict[str, Any]]:
        from iac.synth.lint import _lint_all

        def progress(done: int, total: int) -> None:
            send_frame(connection, {"progress": [done, total]})

        missing = {name: ("", body, region) for name, body, region in templates}
        found = _lint_all(missing, jobs, progress) if missing else {}
        return {
            name: {"sha256": template_digest(body), "findings": [f.to_json() for f in found[name]]}
            for name, body, _ in templates
        }

    # -- end ---------------------------------------------------------------------------------------

    def close(self) -> None:
        if self.listener is not None:
            if self._socket_is_mine():
                try:
                    os.unlink(self.path)
                except OSError:
                    pass
            self.listener.close()
            self.listener = None


def _set_home(home: str | None) -> None:
    if home is None:
        os.environ.pop("HOME", None)
    else:
        os.environ["HOME"] = home


def _rss_megabytes() -> float:
    """Resident memory now (Linux: /proc/self/statm), else the peak so far."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _take_lock(path: str) -> int | None:
    """The lock file's descriptor, locked for this process's life; None when another worker holds it."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(descriptor)
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return descriptor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m iac.synth.lint_worker_server")
    parser.add_argument("--dir", required=True, help="the private cache folder the socket goes in")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.dir)
    os.environ["IAC_CACHE_DIR"] = folder  # the client's folder, whatever this environment says
    try:
        if client.worker_folder() != folder:  # pragma: no cover - worker_folder reads IAC_CACHE_DIR
            return 1
    except WorkerUnavailable:
        return 1  # not this user's private folder: serve nobody
    os.chdir(folder)
    lock = _take_lock(client.lock_path(folder, client.worker_identity()))
    if lock is None:
        return 0  # another worker of this identity runs or starts
    worker = Worker(folder=folder, idle_seconds=client.idle_minutes() * 60, max_megabytes=client.max_megabytes())
    try:
        worker.warm()
        worker.bind()
    except _Stop:
        return 0
    worker.stop_superseded()
    worker.serve()
    os.close(lock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
