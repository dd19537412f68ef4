"""The warm lint worker, client side: cfn-lint's findings from a process that already has the rules built.

Importing cfn-lint (~0.8 s) and building its rules (~0.6-1.9 s) cost more than the rest of a synth;
linting the seed app's template with warm rules costs ~0.2 s. So the first synth that has to lint
starts a worker (iac.synth.lint_worker_server) that outlives it, and later synths send it the
templates the lint cache does not hold. What the worker says is exactly what in-process lint would
say, or nothing is used from it:

- Private to the user: its unix socket is in the user's private cache folder (the lint cache's key
  folder: IAC_CACHE_DIR, else $XDG_CACHE_HOME/iac, else ~/.cache/iac), which must be this user's and
  closed to others (0700); the socket must be this user's, mode 0600; the process listening on it
  must run as this user (SO_PEERCRED). Otherwise it is not used, and one warning line says why.
- Version-checked: the socket's name and a handshake carry `worker_identity()` (the Python
  executable and version, iac's and cfn-lint's versions, a digest of the lint modules' source), and
  the request carries `lint_context()` (versions and the .cfnlintrc files of this user and folder),
  which the worker recomputes in the client's folder and home before linting. A mismatch is refused.
- Bound to the templates: each result names the sha256 of the body it linted; one that does not
  match the body sent is refused, as is any reply that is not whole and well formed.
- Fallback: no socket, a refused or timed-out connection, a killed worker, a version mismatch, a
  bad reply: the templates are linted in process, as without a worker. "No answer" is never "no
  findings". The results go through the lint cache either way (iac.synth.lint.lint_bodies).

IAC_LINT_WORKER=0 turns it off (1 turns it on); unset, it is on except on CI (the CI variable set),
where a process that outlives the job is not wanted. IAC_LINT_WORKER_IDLE (minutes, default 10)
is how long an idle worker lives; IAC_LINT_WORKER_MAX_MB (default 512) the memory after which it
exits (the next synth starts a fresh one). `iac lint-worker status|start|stop` shows and controls it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs

from iac.synth.lint_cache import (
    CacheDamaged,
    LintFinding,
    _make_private_folder,
    ownership_problem,
    private_cache_dir,
)

__all__ = [
    "WorkerInfo",
    "WorkerUnavailable",
    "lint_with_worker",
    "running_workers",
    "start_worker",
    "stop_workers",
    "worker_enabled",
    "worker_identity",
]

#: Frames on the socket: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
_HEADER = struct.Struct(">I")
MAX_REQUEST_BYTES = 256 * 1024 * 1024
MAX_REPLY_BYTES = 64 * 1024 * 1024
PROTOCOL = 1
SOCKET_PREFIX = "lint-worker-"
SOCKET_SUFFIX = ".sock"
LOCK_SUFFIX = ".lock"
#: The files whose source decides what the worker does with a template (besides cfn-lint itself).
_LINT_SOURCES = ("lint.py", "lint_cache.py", "lint_worker.py", "lint_worker_server.py")
#: How long to wait for the worker to accept; a live one accepts at once.
CONNECT_SECONDS = 0.5
#: A reply may take as long as linting takes: this, plus `_SECONDS_PER_KIB` per KiB of template.
REPLY_SECONDS = 10.0
_SECONDS_PER_KIB = 0.05
DEFAULT_IDLE_MINUTES = 10.0
DEFAULT_MAX_MB = 512
#: A unix socket's path must fit sockaddr_un.sun_path (108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100
_OFF = ("0", "off", "false", "no")
_ON = ("1", "on", "true", "yes")


class WorkerUnavailable(Exception):
    """The worker cannot answer this request (why, in the message); lint in process instead."""


class WorkerUntrusted(WorkerUnavailable):
    """The socket or the process behind it could be someone else's: never used, and said once."""


# -- settings ---------------------------------------------------------------------------------------


def worker_enabled() -> bool:
    """IAC_LINT_WORKER (0/1); unset: on, except where CI is set (a process outliving a CI job is not wanted)."""
    setting = os.environ.get("IAC_LINT_WORKER", "").strip().lower()
    if setting in _OFF:
        return False
    if setting in _ON:
        return True
    ci = os.environ.get("CI", "").strip().lower()  # an unknown IAC_LINT_WORKER value counts as unset
    return not ci or ci in _OFF


def idle_minutes() -> float:
    return _positive_number("IAC_LINT_WORKER_IDLE", DEFAULT_IDLE_MINUTES)


def max_megabytes() -> float:
    return _positive_number("IAC_LINT_WORKER_MAX_MB", DEFAULT_MAX_MB)


def _positive_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


# -- identity ---------------------------------------------------------------------------------------

_identity: str | None = None


def worker_identity() -> str:
    """What a worker must share with this process to be trusted with its templates (a sha256).

    The Python environment (sys.prefix: the virtualenv), interpreter and version, iac's and cfn-lint's
    installed versions, and the bytes of the lint modules (an edited checkout of iac is another
    identity). Computed once per process.
    """
    global _identity
    if _identity is None:
        from iac.synth.assembly import package_version

        hasher = hashlib.sha256()
        for part in (
            f"protocol {PROTOCOL}",
            sys.prefix,
            os.path.realpath(sys.executable),
            sys.version,
            package_version("iac-cfn"),
            package_version("cfn-lint"),
        ):
            hasher.update(part.encode("utf-8", "surrogatepass") + b"\0")
        folder = Path(__file__).parent
        for name in _LINT_SOURCES:
            hasher.update(name.encode() + b"\0" + hashlib.sha256((folder / name).read_bytes()).digest())
        _identity = hasher.hexdigest()
    return _identity


def socket_path(folder: str, identity: str) -> str:
    """The socket of the worker of `identity` in `folder` (one per identity: versions never share one)."""
    return os.path.join(folder, f"{SOCKET_PREFIX}{identity[:16]}{SOCKET_SUFFIX}")


def lock_path(folder: str, identity: str) -> str:
    """The file a worker holds locked (flock) from its start to its end: one worker per identity."""
    return os.path.join(folder, f"{SOCKET_PREFIX}{identity[:16]}{LOCK_SUFFIX}")


def template_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


# -- frames -----------------------------------------------------------------------------------------


def send_frame(connection: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode("utf-8")
    connection.sendall(_HEADER.pack(len(data)) + data)


def receive_frame(connection: socket.socket, *, limit: int, deadline: float | None = None) -> dict[str, Any]:
    """One frame's object; WorkerUnavailable when the peer closed, timed out, or sent anything else."""
    size = _HEADER.unpack(_receive_exactly(connection, _HEADER.size, deadline))[0]
    if size > limit:
        raise WorkerUnavailable(f"a message of {size} bytes (more than {limit})")
    try:
        message = json.loads(_receive_exactly(connection, size, deadline).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WorkerUnavailable("a message that is not JSON") from error
    if not isinstance(message, dict):
        raise WorkerUnavailable("a message that is not an object")
    return message


def _receive_exactly(connection: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerUnavailable("no answer in time")
            connection.settimeout(left)
        try:
            chunk = connection.recv(min(remaining, 1 << 20))
        except TimeoutError as error:
            raise WorkerUnavailable("no answer in time") from error
        except OSError as error:
            raise WorkerUnavailable(f"the connection failed ({error.strerror or error})") from error
        if not chunk:
            raise WorkerUnavailable("the worker closed the connection before answering")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def peer_uid(connection: socket.socket) -> int | None:
    """The user id of the process at the other end of a unix socket (None where the OS cannot tell)."""
    if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid, uid, gid}
        raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return int(struct.unpack("3i", raw)[1])
    getpeereid = getattr(os, "getpeereid", None)  # pragma: no cover - BSD/macOS have no SO_PEERCRED
    if getpeereid is not None:  # pragma: no cover
        return int(getpeereid(connection.fileno())[0])
    return None  # pragma: no cover


# -- the folder and the socket ----------------------------------------------------------------------


def worker_folder() -> str:
    """The private cache folder, created 0700 if missing; WorkerUntrusted unless it is this user's alone."""
    folder = private_cache_dir()
    try:
        _make_private_folder(folder)
        info = os.stat(folder)
    except OSError as error:
        raise WorkerUnavailable(f"cannot use {folder}: {error.strerror or error}") from error
    problem = ownership_problem(folder, info, kind=stat.S_ISDIR, kind_name="a folder", others_may_not=0o077,
                                open_problem="is open to other users (chmod 700 it)")
    if problem:
        raise WorkerUntrusted(problem)
    return folder


def check_socket_file(path: str) -> None:
    """WorkerUntrusted unless `path` is a socket owned by this user that only this user may use;
    FileNotFoundError when there is none."""
    info = os.lstat(path)
    problem = ownership_problem(path, info, kind=stat.S_ISSOCK, kind_name="a socket", others_may_not=0o077,
                                open_problem=f"is open to other users (mode {stat.S_IMODE(info.st_mode):o}, not 600)")
    if problem:
        raise WorkerUntrusted(problem)


def connect(path: str, *, timeout: float = CONNECT_SECONDS) -> socket.socket:
    """A connection to the worker at `path`, after checking the socket file and the peer's user.

    FileNotFoundError / ConnectionRefusedError: no worker runs there (start one); WorkerUntrusted:
    the socket or its process is not this user's alone.
    """
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
        raise WorkerUnavailable(f"the socket path {path} is too long for a unix socket")
    check_socket_file(path)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(timeout)
        try:
            connection.connect(path)
        except TimeoutError as error:
            raise WorkerUnavailable("the worker did not accept in time") from error
        uid = peer_uid(connection)
        if uid is None:  # pragma: no cover - an OS that cannot name the peer
            raise WorkerUntrusted("cannot tell which user runs the lint worker")
        if uid != os.geteuid():
            raise WorkerUntrusted(f"the process behind {path} runs as user {uid}, not as you")
    except BaseException:
        connection.close()
        raise
    return connection


# -- linting through the worker ---------------------------------------------------------------------

Progress = Callable[[int, int], None]
_warned: set[str] = set()
_spawned_at: float | None = None
_missing_in: str | None = None
#: A worker that fails to start is not started again by the same process for this long.
_RESPAWN_SECONDS = 30.0


def lint_with_worker(
    items: dict[str, tuple[str, str]], *, context: str, jobs: int | None = None, progress: Progress | None = None
) -> dict[str, list[LintFinding]] | None:
    """cfn-lint's findings for {name: (body, region)} from the warm worker; None when it cannot give all
    of them (then the caller lints in process: never read None as "no findings").

    `context` is the caller's `lint_context()`. When no worker runs, `start_missing_worker()` (called
    after the in-process lint, so the two do not share the CPU) starts one for the next run.
    """
    global _missing_in
    try:
        folder = worker_folder()
        path = socket_path(folder, worker_identity())
        try:
            connection = connect(path)
        except (FileNotFoundError, ConnectionRefusedError):
            _missing_in = folder
            return None
        with connection:
            return _request_lint(connection, items, context=context, jobs=jobs, progress=progress)
    except WorkerUntrusted as untrusted:
        _warn_once(f"warning: lint worker not used: {untrusted}; linting in process\n")
        return None
    except (WorkerUnavailable, OSError, CacheDamaged):
        return None


def start_missing_worker() -> None:
    """Start a worker, detached, if the last `lint_with_worker` found none (and none is starting)."""
    global _missing_in, _spawned_at
    folder, _missing_in = _missing_in, None
    if folder is None or (_spawned_at is not None and time.monotonic() - _spawned_at < _RESPAWN_SECONDS):
        return
    try:
        if _lock_held(lock_path(folder, worker_identity())):
            return
        _spawned_at = time.monotonic()
        spawn_worker(folder)
    except OSError:  # cannot fork: lint stays in process
        pass


def _request_lint(
    connection: socket.socket,
    items: dict[str, tuple[str, str]],
    *,
    context: str,
    jobs: int | None,
    progress: Progress | None,
) -> dict[str, list[LintFinding]]:
    identity = worker_identity()
    size = sum(len(body) for body, _ in items.values())
    deadline = time.monotonic() + REPLY_SECONDS + _SECONDS_PER_KIB * size / 1024
    connection.settimeout(REPLY_SECONDS)
    send_frame(
        connection,
        {
            "op": "lint",
            "protocol": PROTOCOL,
            "identity": identity,
            "context": context,
            "cwd": os.getcwd(),
            "home": os.environ.get("HOME"),
            "jobs": jobs,
            "templates": [[name, body, region] for name, (body, region) in items.items()],
        },
    )
    while True:
        reply = receive_frame(connection, limit=MAX_REPLY_BYTES, deadline=deadline)
        if "progress" not in reply:
            break
        done, total = _progress_pair(reply["progress"])
        if progress is not None:
            progress(done, total)
    if reply.get("identity") != identity:
        raise WorkerUnavailable("the worker is another version of iac or cfn-lint")
    if reply.get("ok") is not True:
        raise WorkerUnavailable(f"the worker refused: {reply.get('error')}")
    return _checked_results(reply.get("results"), items)


def _progress_pair(value: Any) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(_is_count(part) for part in value)):
        raise WorkerUnavailable("a progress message that is not [done, total]")
    return int(value[0]), int(value[1])


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _checked_results(results: Any, items: dict[str, tuple[str, str]]) -> dict[str, list[LintFinding]]:
    """The findings of every template sent, each for the very body sent; WorkerUnavailable otherwise."""
    if not isinstance(results, dict) or set(results) != set(items):
        raise WorkerUnavailable("the reply does not answer for exactly the templates sent")
    checked: dict[str, list[LintFinding]] = {}
    for name, (body, _) in items.items():
        result = results[name]
        if not isinstance(result, dict) or result.get("sha256") != template_digest(body):
            raise WorkerUnavailable(f"the reply for {name} is about another template")
        findings = result.get("findings")
        if not isinstance(findings, list):
            raise WorkerUnavailable(f"the reply for {name} has no list of findings")
        checked[name] = [LintFinding.from_json(finding) for finding in findings]
    return checked


def _warn_once(line: str) -> None:
    if line not in _warned:
        _warned.add(line)
        sys.stderr.write(line)


# -- starting, asking, stopping ---------------------------------------------------------------------


def _lock_held(path: str) -> bool:
    import fcntl

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def worker_command(folder: str) -> list[str]:
    return [sys.executable, "-m", "iac.synth.lint_worker_server", "--dir", folder]


def worker_environment() -> dict[str, str]:
    """This process's environment, with the folder holding this iac first on PYTHONPATH (the worker must
    import the same iac; its identity check refuses any other)."""
    environment = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (root, environment.get("PYTHONPATH", "")) if p)
    return environment


def spawn_worker(folder: str) -> None:
    """Start a worker detached from this process (its own session, no terminal, stdio on /dev/null).

    A double fork: the worker is nobody's child here, so it neither holds iac's pipes (`iac synth |
    cat` ends when iac does) nor lingers as a zombie of a long-running iac (`iac watch`).
    """
    command, environment = worker_command(folder), worker_environment()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child, which coverage does not follow
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for descriptor in (0, 1, 2):
                    os.dup2(null, descriptor)
                os.closerange(3, 1 << 16)
                os.chdir(folder)
                os.execve(command[0], command, environment)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


@attrs.frozen(kw_only=True)
class WorkerInfo:
    """What a running worker says about itself (`iac lint-worker status`)."""

    socket: str
    pid: int
    current: bool
    started: float
    requests: int
    rss_mb: float
    idle_minutes: float
    versions: dict[str, str]


def worker_sockets(folder: str) -> Iterator[str]:
    """The sockets of every worker identity in `folder` (the live, the stale, other versions')."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if name.startswith(SOCKET_PREFIX) and name.endswith(SOCKET_SUFFIX):
            yield os.path.join(folder, name)


def _ask(path: str, op: str, *, timeout: float = 2.0) -> dict[str, Any]:
    with connect(path) as connection:
        connection.settimeout(timeout)
        send_frame(connection, {"op": op, "protocol": PROTOCOL, "identity": worker_identity()})
        return receive_frame(connection, limit=MAX_REPLY_BYTES, deadline=time.monotonic() + timeout)


def running_workers() -> tuple[list[WorkerInfo], list[str]]:
    """(the workers answering in the private cache folder, one line per socket that could not be used)."""
    found: list[WorkerInfo] = []
    problems: list[str] = []
    folder = worker_folder()
    for path in worker_sockets(folder):
        try:
            reply = _ask(path, "status")
            found.append(_worker_info(path, reply))
        except (FileNotFoundError, ConnectionRefusedError):
            problems.append(f"{path}: no worker (a stale socket; the next worker replaces it)")
        except (WorkerUnavailable, OSError, KeyError, TypeError, ValueError) as error:
            problems.append(f"{path}: {error}")
    return found, problems


def _worker_info(path: str, reply: dict[str, Any]) -> WorkerInfo:
    versions = reply["versions"]
    if not isinstance(versions, dict):
        raise ValueError("the worker's status has no versions")
    return WorkerInfo(
        socket=path,
        pid=int(reply["pid"]),
        current=reply.get("identity") == worker_identity(),
        started=float(reply["started"]),
        requests=int(reply["requests"]),
        rss_mb=float(reply["rss_mb"]),
        idle_minutes=float(reply["idle_minutes"]),
        versions={str(k): str(v) for k, v in versions.items()},
    )


def start_worker(*, timeout: float = 60.0) -> WorkerInfo:
    """Start this iac's worker unless it runs, and wait until it answers (`iac lint-worker start`, tests)."""
    folder = worker_folder()
    path = socket_path(folder, worker_identity())
    deadline = time.monotonic() + timeout
    started = False
    while True:
        try:
            return _worker_info(path, _ask(path, "status"))
        except (FileNotFoundError, ConnectionRefusedError):
            if not started and not _lock_held(lock_path(folder, worker_identity())):
                spawn_worker(folder)
                started = True
        if time.monotonic() > deadline:
            raise WorkerUnavailable(f"the lint worker did not start within {timeout:.0f}s")
        time.sleep(0.05)


def stop_workers(*, timeout: float = 5.0) -> list[WorkerInfo]:
    """Stop every worker in the private cache folder (any version); the ones stopped."""
    stopped: list[WorkerInfo] = []
    folder = worker_folder()
    for path in worker_sockets(folder):
        try:
            info = _worker_info(path, _ask(path, "status"))
            _ask(path, "stop")
        except (WorkerUnavailable, OSError, KeyError, TypeError, ValueError):
            continue
        stopped.append(info)
        deadline = time.monotonic() + timeout
        while os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.02)
    return stopped
