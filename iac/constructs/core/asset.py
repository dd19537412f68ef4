"""File assets: a folder (or file) packed into a deterministic zip, named by its sha256.

The zip holds the same bytes for the same content on every machine: entries sorted, timestamps
fixed, permissions normalised (0644, or 0755 when the owner can execute), no directory entries, no
host-dependent fields. So an unchanged function never shows up in a diff, and touching a file
(which changes only its mtime) changes nothing.

The zip holds only the user's code, whatever the folder holds: a symbolic link is followed only when
its real target stays inside the asset (a link to a secret elsewhere must never be shipped), special
files (FIFOs, sockets, devices) are refused by their type before anything is opened (opening a FIFO
blocks forever, a device reads forever), iac's own output and tool folders are left out (else the
asset would hold its previous self and grow on every synth), folders that can never be meant (the
disk's root, the home folder, a folder above the working directory) are refused before they are
walked, and Lambda's unzipped size limit is enforced on the sizes the disk reports and again on the
bytes as they are read.

The zip is written into the cloud assembly; the template refers to it in the conventional asset
bucket of the account and region (`iac-assets-<account>-<region>`), which `iac bootstrap` creates
and `iac deploy` uploads to.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from typing import TYPE_CHECKING, Any

import attrs

from iac.constructs.core.construct import Construct
from iac.constructs.core.intrinsics import Fn
from iac.constructs.core.source import caller_location
from iac.constructs.core.tokens import Token
from iac.errors import ConstructError

if TYPE_CHECKING:
    import zipfile  # imported where a folder is zipped (~10 ms with what it loads): most synths zip nothing

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ASSET_BUCKET_TEMPLATE = "iac-assets-${AWS::AccountId}-${AWS::Region}"

#: Lambda's quota on a function's deployment package and layers, unzipped: 250 MB.
#: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
#: iac's own bound, not AWS's: far above any function's code (node_modules included), low enough that
#: a mistaken folder (a whole project tree, a data folder) is refused in seconds instead of packed.
MAX_ASSET_FILES = 100_000
#: Files are read in pieces of this size, so no read can take more than the limit still allows.
READ_CHUNK_BYTES = 1024 * 1024

#: The default output folder of `iac synth`; any other folder holding iac's manifest is left out too.
ASSEMBLY_DIR_NAME = "iac.out"
ASSEMBLY_MANIFEST = "manifest.json"
#: Staging and retired folders of an assembly being written next to `iac.out` (`.iac.out.<pid>-...`).
ASSEMBLY_STAGING_PREFIX = f".{ASSEMBLY_DIR_NAME}."
#: The file iac puts first into every staging folder, whatever the `--out` name (iac.synth.assembly_dir
#: writes it): a folder holding one is a half-written assembly, never the user's code.
STAGING_MARKER_PREFIX = ".iac-staging-"
#: A manifest larger than this is not read when looking for iac's marker (iac's own are far smaller).
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
#: Tool folders and files that are never code: version control, virtualenvs, bytecode, Finder's notes,
#: iac's own output. node_modules is kept: a Node.js function needs it at run time.
IGNORED_NAMES = frozenset({".git", "__pycache__", ".DS_Store", ".venv", ASSEMBLY_DIR_NAME})

_SPECIAL_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
_CONTROL_CHARACTERS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


@attrs.frozen
class _Limits:
    """How much one asset may hold: bytes (unzipped) and files."""

    max_bytes: int
    max_files: int


@attrs.frozen
class _File:
    """One regular file to pack: its entry name in the zip, where its bytes really are, and the
    identity and size seen when it was checked (re-checked on opening, so a swap is noticed)."""

    name: str
    real_path: str
    identity: tuple[int, int]
    size: int
    executable: bool


@attrs.frozen
class _Folder:
    """A folder still to walk: its real path, its entry-name prefix, and the folders above it (loop guard)."""

    real_path: str
    prefix: str
    above: frozenset[tuple[int, int]]


def package_zip(path: str, *, max_bytes: int = MAX_UNZIPPED_BYTES, max_files: int = MAX_ASSET_FILES) -> bytes:
    """The deterministic zip of a folder's files (or of one file).

    Raises ConstructError (without a construct path: `Asset` adds its own) for anything that must not be
    packed; nothing is opened before its type and the totals have been checked."""
    limits = _Limits(max_bytes=max_bytes, max_files=max_files)
    files = _files(path, limits=limits)
    import zipfile

    buffer = io.BytesIO()
    read_so_far = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            read_so_far = _add_file(archive, file=file, root=path, read_so_far=read_so_far, limits=limits)
    return buffer.getvalue()


@attrs.define
class _Tally:
    """Files and bytes found so far, checked against the limits as the walk goes: a folder that is far too
    large is refused as soon as that is known, not after it has all been walked."""

    path: str
    limits: _Limits
    files: int = 0
    size: int = 0

    def count(self, file: _File) -> None:
        self.files += 1
        self.size += file.size
        if self.files > self.limits.max_files:
            raise ConstructError(f"asset {_shown(self.path)} holds more than {self.limits.max_files:,} files",
                                 hint="point the asset at the folder of the function's code only")
        if self.size > self.limits.max_bytes:
            raise _too_large(self.path, limits=self.limits, last=file.name)


def _files(path: str, *, limits: _Limits) -> list[_File]:
    """Every file to pack, sorted by entry name, after every check that needs no read of file content."""
    real_root = os.path.realpath(path)
    _refuse_unmeant_root(path, real_root=real_root)
    status = _stat_root(path)
    tally = _Tally(path, limits)
    if stat.S_ISREG(status.st_mode):
        files = [_file_entry(os.path.basename(path), real_root, status)]
        tally.count(files[0])
    elif stat.S_ISDIR(status.st_mode):
        if _is_assembly(real_root):
            raise ConstructError(f"asset path {_shown(path)} is a cloud assembly written by iac, not code",
                                 hint="name the folder that holds the function's code, e.g. Code.from_asset('src')")
        files = _walk(path, real_root=real_root, root_status=status, tally=tally)
    else:
        raise _special_file_error(path, status)
    return sorted(files, key=lambda file: file.name)


def _refuse_unmeant_root(path: str, *, real_root: str) -> None:
    """Packing the disk, the home folder or a folder above the working directory is never what was meant."""
    reason = _unmeant_root_reason(real_root)
    if reason:
        raise ConstructError(f"asset path {_shown(path)} is {reason}; refusing to pack it",
                             hint="name the folder that holds the function's code, e.g. Code.from_asset('src')")


def _unmeant_root_reason(real_root: str) -> str | None:
    if real_root == os.path.realpath(os.sep):
        return "the root of the file system"
    home = os.path.expanduser("~")
    if os.path.isabs(home):
        real_home = os.path.realpath(home)
        if real_root == real_home:
            return "your home folder"
        if _is_below(real_home, real_root):
            return "a folder that holds your home folder"
    working_directory = os.path.realpath(os.getcwd())
    if _is_below(working_directory, real_root):
        return f"a folder above the working directory ({_shown(working_directory)})"
    return None


def _is_below(path: str, folder: str) -> bool:
    """True when `path` is strictly inside `folder` (both real, absolute paths)."""
    return path != folder and os.path.commonpath([path, folder]) == folder


def _is_inside(path: str, folder: str) -> bool:
    return path == folder or _is_below(path, folder)


def _stat_root(path: str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as error:
        raise ConstructError(f"asset path {_shown(path)} cannot be read: {error.strerror or error}") from None


def _walk(path: str, *, real_root: str, root_status: os.stat_result, tally: _Tally) -> list[_File]:
    """The folder's files, links followed while they stay inside, one folder at a time.

    Each folder is listed and checked (types, links) before any file is opened; a folder already on the
    way down from the root is a loop, whatever link led back to it."""
    found: list[_File] = []
    pending = [_Folder(real_root, "", frozenset({_identity(root_status)}))]
    while pending:
        folder = pending.pop()
        for name in _listing(path, folder):
            entry_name = folder.prefix + name
            if _is_ignored(name):
                continue
            target, status = _follow(path, real_root=real_root, real_path=os.path.join(folder.real_path, name),
                                     entry_name=entry_name)
            if stat.S_ISDIR(status.st_mode):
                subfolder = _subfolder(path, folder=folder, target=target, status=status, entry_name=entry_name)
                if subfolder:
                    pending.append(subfolder)
            elif stat.S_ISREG(status.st_mode):
                found.append(_file_entry(entry_name, target, status))
                tally.count(found[-1])
            else:
                raise _special_file_error(_inside(path, entry_name), status)
    return found


def _listing(path: str, folder: _Folder) -> list[str]:
    try:
        return sorted(os.listdir(folder.real_path))
    except OSError as error:
        shown = _inside(path, folder.prefix.rstrip("/")) if folder.prefix else path
        raise ConstructError(f"asset folder {_shown(shown)} cannot be listed: {error.strerror or error}") from None


def _is_ignored(name: str) -> bool:
    return name in IGNORED_NAMES or name.startswith(ASSEMBLY_STAGING_PREFIX)


def _follow(path: str, *, real_root: str, real_path: str, entry_name: str) -> tuple[str, os.stat_result]:
    """The real path and status of an entry: itself, or the target of a link that stays inside the asset."""
    link = _inside(path, entry_name)
    try:
        status = os.lstat(real_path)
    except OSError as error:  # gone since the folder was listed
        raise ConstructError(f"asset file {_shown(link)} cannot be read: {error.strerror or error}") from None
    if not stat.S_ISLNK(status.st_mode):
        return real_path, status
    target = os.path.realpath(real_path)
    if not _is_inside(target, real_root):
        raise ConstructError(
            f"asset link {_shown(link)} points to {_shown(target)}, outside the asset {_shown(path)}",
            hint="copy what the function needs into the asset folder; links may only point inside it")
    try:
        return target, os.stat(real_path)
    except OSError as error:
        reason = "which does not exist" if not os.path.lexists(target) else f"which cannot be read ({error.strerror})"
        raise ConstructError(f"asset link {_shown(link)} points to {_shown(target)}, {reason}",
                             hint="remove the link or fix its target") from None


def _subfolder(path: str, *, folder: _Folder, target: str, status: os.stat_result,
               entry_name: str) -> _Folder | None:
    """The folder to walk next, or None when it is an assembly iac wrote (left out)."""
    identity = _identity(status)
    if identity in folder.above:
        raise ConstructError(
            f"asset link {_shown(_inside(path, entry_name))} leads back to {_shown(target)}, a folder that holds it: "
            "following it would loop forever", hint="remove the link, or point it at a folder beside it")
    if _is_assembly(target) or _is_staging(target):
        return None
    return _Folder(target, entry_name + "/", folder.above | {identity})


def _is_staging(folder: str) -> bool:
    """A folder iac is writing (or a killed iac left) an assembly into, for any `--out` name."""
    try:
        return any(name.startswith(STAGING_MARKER_PREFIX) for name in os.listdir(folder))
    except OSError:
        return False


def _is_assembly(folder: str) -> bool:
    """True for a folder holding a manifest.json that iac wrote (its `tool.name` is "iac")."""
    manifest = os.path.join(folder, ASSEMBLY_MANIFEST)
    try:
        status = os.lstat(manifest)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_MANIFEST_BYTES:
            return False
        with _open_checked(manifest, _identity(status)) as handle:
            content = json.loads(handle.read(MAX_MANIFEST_BYTES))
    except (OSError, ValueError, ConstructError):  # unreadable, not JSON, or swapped: not iac's
        return False
    tool = content.get("tool") if isinstance(content, dict) else None
    return isinstance(tool, dict) and tool.get("name") == "iac"


def _file_entry(name: str, real_path: str, status: os.stat_result) -> _File:
    return _File(name=name, real_path=real_path, identity=_identity(status), size=status.st_size,
                 executable=bool(status.st_mode & stat.S_IXUSR))


def _add_file(archive: zipfile.ZipFile, *, file: _File, root: str, read_so_far: int, limits: _Limits) -> int:
    """Write one file's entry, counting its bytes as they are read; returns the bytes read so far."""
    import zipfile

    info = zipfile.ZipInfo(file.name, date_time=FIXED_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | (0o755 if file.executable else 0o644)) << 16
    info.create_system = 3  # unix, whatever the host
    info.file_size = file.size
    try:
        with _open_checked(file.real_path, file.identity) as source, archive.open(info, "w") as entry:
            while chunk := source.read(min(READ_CHUNK_BYTES, limits.max_bytes - read_so_far + 1)):
                read_so_far += len(chunk)
                if read_so_far > limits.max_bytes:
                    raise _too_large(root, limits=limits, last=file.name)
                entry.write(chunk)
    except OSError as error:
        raise ConstructError(f"asset file {_shown(_inside(root, file.name))} cannot be read: "
                             f"{error.strerror or error}") from None
    return read_so_far


def _open_checked(real_path: str, identity: tuple[int, int]) -> io.BufferedReader:
    """Open a file checked earlier, without blocking and without following a link, and make sure it is
    still that regular file (a FIFO or another file swapped in since is refused, never read)."""
    descriptor = os.open(real_path, _OPEN_FLAGS)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or _identity(status) != identity:
            raise ConstructError(f"asset file {_shown(real_path)} changed while it was being packed",
                                 hint="run the synth again once nothing is writing to the asset folder")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _too_large(path: str, *, limits: _Limits, last: str) -> ConstructError:
    return ConstructError(
        f"asset {_shown(path)} holds more than {_amount(limits.max_bytes)} unzipped (Lambda's limit for a "
        f"function's code and layers), reached at {_shown(last)}",
        hint="leave out what the function does not need at run time (tests, data, build caches), "
             "or use a container image")


def _amount(size: int) -> str:
    mebibyte = 1024 * 1024
    return f"{size // mebibyte} MB" if size % mebibyte == 0 else f"{size:,} bytes"


def _special_file_error(path: str, status: os.stat_result) -> ConstructError:
    kind = next((name for test, name in _SPECIAL_KINDS if test(status.st_mode)), "not a regular file or folder")
    return ConstructError(f"asset path {_shown(path)} is {kind}; only regular files and folders can be packed",
                          hint="move it out of the asset folder")


def _identity(status: os.stat_result) -> tuple[int, int]:
    return (status.st_dev, status.st_ino)


def _inside(path: str, entry_name: str) -> str:
    """An entry as the user knows it: below the asset path they named (not below a link's target)."""
    return os.path.join(path, *entry_name.split("/"))


def _shown(text: str) -> str:
    """A path as it may be printed: control characters escaped (a file name could hold terminal escape
    sequences that retitle the window or write to the clipboard)."""
    return text.translate(_CONTROL_CHARACTERS)


def resolve_asset_path(path: str, *, skip: int = 2) -> str:
    """A relative path is relative to the file of the user's code that named it, not to the cwd."""
    if os.path.isabs(path):
        return path
    location = caller_location(skip)
    base = os.path.dirname(location.file) if location else os.getcwd()
    return os.path.normpath(os.path.join(base, path))


class Asset(Construct):
    """A file asset in the assembly. `bucket_name` and `object_key` locate it once published.

    Args:
        path: the file or folder to publish (a folder is zipped deterministically); relative paths are
            relative to the app file.
    """

    is_asset = True

    def __init__(self, scope: Construct, id: str, *, path: str) -> None:
        super().__init__(scope, id)
        if not os.path.exists(path):
            raise ConstructError(f"asset path {_shown(path)} does not exist", path=self.path, location=self.location,
                                 hint="paths are relative to the file that names them (your app file)")
        self.source_path = path
        try:
            self.data = package_zip(path)
        except ConstructError as error:
            raise ConstructError(error.message, path=self.path, location=self.location, hint=error.hint) from None
        if len(self.data) <= 22:  # 22 bytes is an empty zip
            raise ConstructError(f"asset path {_shown(path)} holds no files", path=self.path, location=self.location)
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self.file_name = f"asset.{self.sha256}.zip"

    @property
    def bucket_name(self) -> Token:
        return Fn.sub(ASSET_BUCKET_TEMPLATE)

    @property
    def object_key(self) -> str:
        return f"{self.sha256}.zip"

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "source": self.source_path,
            "packaging": "zip",
            "sha256": self.sha256,
            "file": self.file_name,
            "destination": {"bucket": ASSET_BUCKET_TEMPLATE, "key": self.object_key},
        }
