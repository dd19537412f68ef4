"""Where a cloud assembly may be written, and how it replaces the previous one in one atomic step.

`--out DIR` names a folder that iac replaces whole, so a wrong `--out` must never cost the user a file:
only a missing folder, an empty one, or one that iac itself wrote (its manifest carries iac's marker and
lists every file in the folder) may be replaced; the current directory, the app's folder, the home
folder, the filesystem root and every ancestor of them are refused outright.

The new assembly is written into a staging sibling `.<name>.<pid>-<random>` and swapped in with one
rename: Linux `renameat2(RENAME_EXCHANGE)` (macOS `renamex_np(RENAME_SWAP)`) trades the staging folder
and the old assembly, so `<name>/` stays a real folder and is at every moment either the old assembly
or the new one. Where the platform or filesystem cannot exchange, `<name>` becomes a symlink to its
staging folder and a new symlink is renamed over it (rename(2) replaces a symlink atomically). A kill
at any moment leaves staging or retired siblings behind; the next write sweeps those whose process is
dead and that are recognisably iac's (the name pattern AND iac's marker inside, or empty).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import json
import os
import platform
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from iac.constructs.core.asset import STAGING_MARKER_PREFIX as ASSET_STAGING_MARKER_PREFIX
from iac.errors import UsageError
from iac.text import one_line as printable

MANIFEST_FILE = "manifest.json"
#: The manifest key that says "iac wrote this folder"; its value is the assembly layout's version.
ASSEMBLY_MARKER = "iac_assembly"
ASSEMBLY_FORMAT = 1
#: Files an assembly written before the marker existed may hold besides its templates and assets.
LEGACY_EXTRA_FILES = frozenset({".lint-cache.json"})
#: A manifest bigger than this is not one iac wrote (it holds a few lines per stack and asset).
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
#: Inside a staging folder from its first moment, so a sweep can tell it from a user's folder.
STAGING_MARKER_PREFIX = ASSET_STAGING_MARKER_PREFIX  # one name, shared with the asset packer that skips them
#: Sibling names: `.<name>.<pid>-<16 hex>` (staging, or the live folder behind a symlink), plus
#: `.old` (a folder being retired) or `.link` (a symlink about to be renamed over `<name>`).
_TOKEN_BYTES = 8
_HOME_REFUSAL = "your home folder"


@attrs.frozen(kw_only=True)
class OutputDir:
    """Where an assembly goes: the path as the user gave it, and the real path that gets replaced."""

    shown: str  # absolute, as named (for messages and `assembly.directory`)
    path: str  # user symlinks resolved: the name the swap works on

    @property
    def parent(self) -> str:
        return os.path.dirname(self.path)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


def resolve_output_dir(outdir: str | os.PathLike[str], *, protected: Iterable[str] = ()) -> OutputDir:
    """The output folder, after checking that iac may replace it; UsageError (exit 2) when not.

    `protected` names further folders that must survive (the app's folder); the current directory,
    home and root always are. A user's symlink is followed to the folder it names, so the checks and
    the swap happen there and the symlink itself is never replaced; iac's own flip symlink (see the
    module docstring) is recognised and kept.
    """
    shown = os.path.abspath(os.fspath(outdir))
    path = _real_output_path(shown)
    _refuse_protected(path, shown=shown, protected=protected)
    _refuse_foreign_contents(path, shown=shown)
    return OutputDir(shown=shown, path=path)


def _real_output_path(shown: str) -> str:
    """`shown` with symlinks resolved, except iac's own flip symlink at its last component."""
    candidate = os.path.join(os.path.realpath(os.path.dirname(shown)), os.path.basename(shown))
    if not os.path.islink(candidate) or flip_target(candidate) is not None:
        return os.path.normpath(candidate)
    resolved = os.path.realpath(candidate)
    if os.path.islink(resolved):
        raise UsageError(f"output path {printable(shown)} is a symlink loop",
                         hint="point --out at a folder, or remove the link")
    return resolved


def _refuse_protected(path: str, *, shown: str, protected: Iterable[str]) -> None:
    """Replacing any of these folders (or a folder holding one) would delete the user's work."""
    for folder, what in _protected_folders(protected):
        if path == folder:
            reason = f"it is {what}"
        elif _is_ancestor(path, of=folder):
            reason = f"it holds {what} ({printable(folder)})"
        else:
            continue
        raise UsageError(
            f"refusing to write the assembly to {printable(shown)}: {reason}, and iac replaces the --out folder whole",
            hint="pass a folder of its own, such as --out iac.out",
        )


def _protected_folders(extra: Iterable[str]) -> list[tuple[str, str]]:
    folders: list[tuple[str, str]] = [(os.path.realpath(os.sep), "the filesystem root")]
    try:
        folders.append((os.path.realpath(os.getcwd()), "the current directory"))
    except OSError:  # the working directory was removed: nothing there to protect
        pass
    home = os.path.expanduser("~")
    if home != "~":
        folders.append((os.path.realpath(home), _HOME_REFUSAL))
    folders.extend((os.path.realpath(folder), "the app's folder") for folder in extra if folder)
    return folders


def _is_ancestor(path: str, *, of: str) -> bool:
    return of.startswith(path.rstrip(os.sep) + os.sep)


def _refuse_foreign_contents(path: str, *, shown: str) -> None:
    if not os.path.lexists(path):
        return
    if os.path.islink(path):  # iac's flip symlink: what matters is the folder it points to
        live = flip_target(path)
        if live is None or not os.path.isdir(live):
            return
        path = live
    elif not os.path.isdir(path):
        raise UsageError(f"output path {printable(shown)} exists and is not a directory",
                         hint="choose another --out")
    foreign = foreign_entries(path)
    if foreign:
        listed = ", ".join(printable(name) for name in foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise UsageError(
            f"refusing to replace {printable(shown)}: it holds files iac did not write ({listed})",
            hint="iac replaces only a missing or empty folder or an assembly it wrote itself; "
                 "choose another --out, or move those files away",
        )


def foreign_entries(folder: str) -> list[str]:
    """The names in `folder` that are not part of an assembly iac wrote there (sorted).

    Empty when the folder is empty, or when its manifest carries iac's marker (or is an older iac
    manifest) and every entry is a plain file the manifest accounts for. A subfolder or a symlink is
    never iac's.
    """
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return ["(unreadable)"]
    if not entries:
        return []
    accounted = _files_of_manifest(os.path.join(folder, MANIFEST_FILE))
    if accounted is None:
        return entries
    return [name for name in entries
            if not (name == MANIFEST_FILE or name in accounted) or not _is_plain_file(os.path.join(folder, name))]


def _files_of_manifest(manifest_path: str) -> frozenset[str] | None:
    """The file names an iac manifest says its assembly holds; None when it is not iac's."""
    manifest = _read_manifest(manifest_path)
    if manifest is None:
        return None
    if isinstance(manifest.get(ASSEMBLY_MARKER), int) and not isinstance(manifest[ASSEMBLY_MARKER], bool):
        files = manifest.get("files")
        if isinstance(files, list) and all(isinstance(name, str) for name in files):
            return frozenset(files)
        return None
    return _files_of_legacy_manifest(manifest)


def _files_of_legacy_manifest(manifest: dict[str, Any]) -> frozenset[str] | None:
    """Assemblies from before the marker: their files follow from the stacks and assets they list."""
    tool, stacks, assets = manifest.get("tool"), manifest.get("stacks"), manifest.get("assets", {})
    if not (isinstance(tool, dict) and tool.get("name") == "iac" and isinstance(stacks, dict)
            and isinstance(assets, dict)):
        return None
    names = set(LEGACY_EXTRA_FILES)
    for entry in [*stacks.values(), *assets.values()]:
        file = entry.get("template", entry.get("file")) if isinstance(entry, dict) else None
        if isinstance(file, str):
            names.add(file)
    return frozenset(names)


def _read_manifest(manifest_path: str) -> dict[str, Any] | None:
    if not _is_plain_file(manifest_path):
        return None
    try:
        with open(manifest_path, "rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
        manifest = json.loads(data) if len(data) <= MAX_MANIFEST_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _is_plain_file(path: str) -> bool:
    try:
        return os.path.isfile(path) and not os.path.islink(path)
    except OSError:  # pragma: no cover - a name too long for the platform
        return False


# -- staging and the swap ----------------------------------------------------------------------------


#: The staging folders this process is writing right now (other threads' too): a sweep judges the
#: siblings of this very process by this, since its pid is alive whether they are in use or not.
_IN_FLIGHT: set[str] = set()


@attrs.frozen(kw_only=True)
class Staging:
    """A fresh sibling folder owned by this process, marked as iac's from its first moment."""

    path: str
    token: str

    @property
    def marker(self) -> str:
        return os.path.join(self.path, STAGING_MARKER_PREFIX + self.token)


def replace_directory(target: OutputDir, fill: Callable[[str], None]) -> None:
    """Sweep leftovers of dead writers, let `fill(folder)` write the new assembly into a staging
    folder, then swap it in place of `target` in one atomic step. On any failure (or an exception
    such as KeyboardInterrupt) the staging folder is removed and `target` is as it was."""
    os.makedirs(target.parent, exist_ok=True)
    sweep_stale(target.parent, target.name)
    staging = _make_staging(target)
    try:
        fill(staging.path)
        _seal(staging)
        _install(staging.path, target)
    except BaseException:
        _abandon(staging.path, target)
        raise
    finally:
        _IN_FLIGHT.discard(staging.path)
    _fsync_directory(target.parent)


def _abandon(staging: str, target: OutputDir) -> None:
    """Remove the staging folder after a failure, unless it already went live behind iac's symlink."""
    if flip_target(target.path) != staging:
        _remove_assembly_folder(staging)


def _sibling(target: OutputDir, token: str, suffix: str = "") -> str:
    return os.path.join(target.parent, f".{target.name}.{os.getpid()}-{host_tag()}-{token}{suffix}")


def _make_staging(target: OutputDir) -> Staging:
    token = secrets.token_hex(_TOKEN_BYTES)
    staging = Staging(path=_sibling(target, token), token=token)
    _IN_FLIGHT.add(staging.path)
    os.mkdir(staging.path, 0o777)  # the umask applies: ordinary permissions, like any folder the user makes
    os.close(os.open(staging.marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return staging


def _seal(staging: Staging) -> None:
    """Drop the staging marker (the manifest marks the folder from now on) and flush to disk."""
    os.unlink(staging.marker)
    _fsync_directory(staging.path)


def _install(staging: str, target: OutputDir) -> None:
    """Put the finished `staging` folder at `target.path` in one step."""
    path = target.path
    if not os.path.lexists(path):
        if exchange_function() is not None:
            os.rename(staging, path)  # nothing there yet: a plain rename is atomic
        else:
            _link_in(staging, target)
        return
    if exchange(staging, path):
        _discard(staging)  # it now holds the previous assembly (or iac's old flip symlink)
        return
    if os.path.islink(path):  # iac's flip symlink: rename a new one over it
        previous = flip_target(path)
        _link_in(staging, target)
        if previous is not None:
            _remove_assembly_folder(previous)
        return
    _convert_to_link(staging, target)


def _convert_to_link(staging: str, target: OutputDir) -> None:
    """No exchange here and `target` is a real folder: retire it, then rename a ready symlink in. The
    one moment without `target`, between those two renames, is repaired by the next write's sweep,
    which puts the retired folder back."""
    link = _new_link(staging, target)
    retired = _sibling(target, secrets.token_hex(_TOKEN_BYTES), ".old")
    try:
        os.rename(target.path, retired)
    except BaseException:
        os.unlink(link)
        raise
    try:
        os.rename(link, target.path)
    except BaseException:
        os.rename(retired, target.path)
        os.unlink(link)
        raise
    _remove_assembly_folder(retired)


def _link_in(staging: str, target: OutputDir) -> None:
    """Point `target` at `staging` by renaming a fresh symlink over it (atomic for a missing name or a link)."""
    link = _new_link(staging, target)
    try:
        os.rename(link, target.path)
    except BaseException:
        os.unlink(link)
        raise


def _new_link(staging: str, target: OutputDir) -> str:
    link = _sibling(target, secrets.token_hex(_TOKEN_BYTES), ".link")
    os.symlink(os.path.basename(staging), link)
    return link


def _discard(path: str) -> None:
    """Remove what an exchange left at the staging name: a folder, or iac's old symlink and its folder."""
    if os.path.islink(path):
        previous = os.path.join(os.path.dirname(path), os.readlink(path))
        os.unlink(path)
        _remove_assembly_folder(previous)
        return
    _remove_assembly_folder(path)


def _remove_assembly_folder(path: str) -> None:
    """Remove one of iac's sibling folders (best effort); one that gained files iac did not write stays."""
    match = _ANY_SIBLING.fullmatch(os.path.basename(path))
    if match is None or os.path.islink(path) or not os.path.isdir(path):
        return
    if not _is_iacs_folder(path, token=match.group("token")):
        return
    try:
        _remove_marked(path, token=match.group("token"))
    except OSError:
        pass


def _remove_marked(path: str, *, token: str) -> None:
    """Delete an assembly folder so that a kill at any point leaves it recognisable as iac's: the
    staging marker goes in first and comes out last (a plain rmtree may delete the manifest first and
    leave files no sweep could prove were iac's)."""
    marker = STAGING_MARKER_PREFIX + token
    os.close(os.open(os.path.join(path, marker), os.O_WRONLY | os.O_CREAT, 0o644))
    with os.scandir(path) as entries:
        doomed = [entry.path for entry in entries
                  if entry.name != marker and (entry.is_symlink() or entry.is_file(follow_symlinks=False))]
    for file in doomed:
        os.unlink(file)
    os.unlink(os.path.join(path, marker))
    os.rmdir(path)


def _fsync_directory(path: str) -> None:
    """So that a power cut after the swap finds the names it made (git and SQLite do the same)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - a filesystem that cannot sync a folder
        pass
    finally:
        os.close(descriptor)


# -- flip symlinks and sweeping ---------------------------------------------------------------------

#: Writers on another machine or in another container (another pid namespace) sharing the folder:
#: their pids mean nothing here, so their leftovers are swept only once they are this old.
FOREIGN_HOST_GRACE_SECONDS = 24 * 3600


@functools.cache
def host_tag() -> str:
    """8 hex digits naming this machine and pid namespace, so a pid is only judged where it means something."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{platform.node()}\0{namespace}".encode()).hexdigest()[:8]


#: Any sibling name, whatever output folder it belongs to.
_ANY_SIBLING = re.compile(rf"\.(?P<name>.+)\.(?P<pid>[1-9][0-9]{{0,9}})-(?P<host>[0-9a-f]{{8}})"
                          rf"-(?P<token>[0-9a-f]{{{2 * _TOKEN_BYTES}}})(?P<suffix>\.old|\.link)?")


def _sibling_pattern(name: str) -> re.Pattern[str]:
    """`.<name>.<pid>-<host>-<token>` plus an optional `.old` or `.link`."""
    return re.compile(rf"\.{re.escape(name)}\.([1-9][0-9]{{0,9}})-([0-9a-f]{{8}})-([0-9a-f]{{{2 * _TOKEN_BYTES}}})"
                      r"(\.old|\.link)?")


def flip_target(link: str) -> str | None:
    """The folder iac's flip symlink `link` points to; None when `link` is not such a symlink."""
    try:
        pointed = os.readlink(link)
    except OSError:
        return None
    match = _sibling_pattern(os.path.basename(link)).fullmatch(pointed)
    if match is None or match.group(4):
        return None
    return os.path.join(os.path.dirname(link), pointed)


def sweep_stale(parent: str, name: str) -> None:
    """Remove staging, retired and link siblings of `parent/name` whose writer process is gone.

    Only names of iac's pattern are looked at, only when their process is dead, and a folder only when
    it is empty, still holds its staging marker, or holds an assembly iac wrote. A retired folder whose
    swap was cut short (`name` missing) is put back instead. Best effort: a sweep never fails a write.
    """
    pattern = _sibling_pattern(name)
    target = os.path.join(parent, name)
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return
    stale = [(os.path.join(parent, entry), match) for entry in names
             if (match := pattern.fullmatch(entry)) is not None and _writer_gone(os.path.join(parent, entry), match)]
    for path, match in sorted(stale, key=lambda item: item[1].group(4) != ".old"):  # restores first
        try:
            _sweep_one(path, token=match.group(3), kind=match.group(4), target=target)
        except OSError:
            continue


def _writer_gone(path: str, match: re.Match[str]) -> bool:
    if match.group(2) == host_tag():
        pid = int(match.group(1))
        return path not in _IN_FLIGHT if pid == os.getpid() else not pid_alive(pid)
    try:
        age = time.time() - os.lstat(path).st_mtime
    except OSError:
        return False
    return age > FOREIGN_HOST_GRACE_SECONDS


def _sweep_one(path: str, *, token: str, kind: str | None, target: str) -> None:
    if kind == ".link":
        if os.path.islink(path):
            os.unlink(path)
        return
    if os.path.islink(path) or not os.path.isdir(path) or not _is_iacs_folder(path, token=token):
        return
    if kind == ".old" and not os.path.lexists(target):
        os.rename(path, target)  # the swap was cut between its two renames: the previous assembly returns
        return
    if flip_target(target) == path:  # the live folder behind iac's symlink
        return
    _remove_marked(path, token=token)


def _is_iacs_folder(path: str, *, token: str) -> bool:
    return _is_plain_file(os.path.join(path, STAGING_MARKER_PREFIX + token)) or not foreign_entries(path)


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists (ours, another user's, or a zombie not yet reaped)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    except OSError:  # pragma: no cover - a pid the platform cannot even ask about: leave it alone
        return True
    return True


# -- atomic exchange ----------------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS sys/stdio.h
#: renameat2's number for glibc builds too old to export it (Linux syscall tables, per architecture).
_RENAMEAT2_SYSCALL = {"x86_64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276}
#: errno values meaning "this platform or filesystem cannot exchange": fall back to the symlink flip.
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, getattr(errno, "ENOTSUP", errno.EINVAL),
                getattr(errno, "EOPNOTSUPP", errno.EINVAL)}


@functools.cache
def exchange_function() -> Callable[[bytes, bytes], int] | None:
    """A C call that atomically trades two paths, or None where the platform has none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - no C library to load
        return None
    if sys.platform.startswith("linux"):
        return _linux_exchange(libc)
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        renamex_np = getattr(libc, "renamex_np", None)
        if renamex_np is None:
            return None
        renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        renamex_np.restype = ctypes.c_int
        return lambda a, b: renamex_np(a, b, _RENAME_SWAP)
    return None  # pragma: no cover - other platforms use the symlink flip


def _linux_exchange(libc: ctypes.CDLL) -> Callable[[bytes, bytes], int] | None:
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        renameat2.restype = ctypes.c_int
        return lambda a, b: renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)
    number = _RENAMEAT2_SYSCALL.get(platform.machine())  # pragma: no cover - glibc < 2.28
    if number is None:  # pragma: no cover
        return None
    syscall = libc.syscall  # pragma: no cover
    return lambda a, b: syscall(number, _AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)  # pragma: no cover


def exchange(first: str, second: str) -> bool:
    """Atomically trade the names `first` and `second`; False when this platform or filesystem
    cannot (nothing changed then). Other failures raise OSError."""
    function = exchange_function()
    if function is None:
        return False
    if function(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), first, None, second)
