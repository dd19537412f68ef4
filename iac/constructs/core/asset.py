"""File assets: a folder (or file) packed into a deterministic zip, named by its sha256.

The zip holds the same bytes for the same content on every machine: entries sorted, timestamps
fixed, permissions normalised (0644, or 0755 when the owner can execute), no directory entries, no
host-dependent fields. So an unchanged function never shows up in a diff, and touching a file
(which changes only its mtime) changes nothing.

The zip is written into the cloud assembly; the template refers to it in the conventional asset
bucket of the account and region (`iac-assets-<account>-<region>`), which `iac bootstrap` creates
and `iac deploy` uploads to.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from typing import Any

from iac.constructs.core.construct import Construct
from iac.constructs.core.intrinsics import Fn
from iac.constructs.core.source import caller_location
from iac.constructs.core.tokens import Token
from iac.errors import ConstructError

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ASSET_BUCKET_TEMPLATE = "iac-assets-${AWS::AccountId}-${AWS::Region}"
IGNORED_NAMES = frozenset({".git", "__pycache__", ".DS_Store", ".venv"})


def package_zip(path: str) -> bytes:
    """The deterministic zip of a folder's files (or of one file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, full_path in _files(path):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.stat(full_path).st_mode & stat.S_IXUSR else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.create_system = 3  # unix, whatever the host
            with open(full_path, "rb") as handle:
                archive.writestr(info, handle.read())
    return buffer.getvalue()


def _files(path: str) -> list[tuple[str, str]]:
    if os.path.isfile(path):
        return [(os.path.basename(path), path)]
    found: list[tuple[str, str]] = []
    for folder, subfolders, names in os.walk(path):
        subfolders[:] = sorted(d for d in subfolders if d not in IGNORED_NAMES)
        for name in names:
            if name in IGNORED_NAMES:
                continue
            full_path = os.path.join(folder, name)
            relative = os.path.relpath(full_path, path).replace(os.sep, "/")
            found.append((relative, full_path))
    return sorted(found)


def resolve_asset_path(path: str, *, skip: int = 2) -> str:
    """A relative path is relative to the file of the user's code that named it, not to the cwd."""
    if os.path.isabs(path):
        return path
    location = caller_location(skip)
    base = os.path.dirname(location.file) if location else os.getcwd()
    return os.path.normpath(os.path.join(base, path))


class Asset(Construct):
    """A file asset in the assembly. `bucket_name` and `object_key` locate it once published."""

    is_asset = True

    def __init__(self, scope: Construct, id: str, *, path: str) -> None:
        super().__init__(scope, id)
        if not os.path.exists(path):
            raise ConstructError(f"asset path {path} does not exist", path=self.path, location=self.location,
                                 hint="paths are relative to the file that names them (your app file)")
        self.source_path = path
        self.data = package_zip(path)
        if len(self.data) <= 22:  # 22 bytes is an empty zip
            raise ConstructError(f"asset path {path} holds no files", path=self.path, location=self.location)
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
