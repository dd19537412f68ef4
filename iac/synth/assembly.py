"""The cloud assembly: templates plus a manifest, written atomically to `iac.out/`.

The assembly is written into a temporary sibling directory and swapped in at the end in one atomic
step (iac/synth/assembly_dir.py), so a synth that fails or is killed at any point leaves the previous
assembly exactly as it was. Everything in it is deterministic (no timestamps), so two synths of the
same app are byte-for-byte equal.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from typing import Any

import attrs

from iac.errors import TemplateError, UsageError
from iac.specs import schema_date
from iac.synth.assembly_dir import (
    ASSEMBLY_FORMAT,
    ASSEMBLY_MARKER,
    MANIFEST_FILE,
    STAGING_MARKER_PREFIX,
    OutputDir,
    printable,
    replace_directory,
    resolve_output_dir,
    sweep_stale,
)
from iac.synth.serialize import dumps_indented, serialize

MANIFEST_VERSION = "1.0"


@attrs.frozen(kw_only=True)
class StackArtifact:
    """One synthesized stack: its template and what deploying it needs to know."""

    name: str  # artifact id: the stack's path with "/" replaced by "-"
    stack_name: str
    construct_path: str
    template: dict[str, Any]
    body: str
    format: str
    dependencies: tuple[str, ...] = ()
    region: str | None = None
    account: str | None = None
    tags: dict[str, str] = attrs.field(factory=dict)
    termination_protection: bool = False
    #: (section, logical id) -> (construct path, source location): where each entry came from.
    origins: dict[tuple[str, str], tuple[str, Any]] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def template_file(self) -> str:
        return f"{self.name}.template.{self.format}"

    @property
    def resource_count(self) -> int:
        return len(self.template.get("Resources") or {})

    @property
    def body_bytes(self) -> int:
        return len(self.body.encode("utf-8"))

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "stack_name": self.stack_name,
            "construct_path": self.construct_path,
            "template": self.template_file,
            "template_sha256": hashlib.sha256(self.body.encode("utf-8")).hexdigest(),
            "environment": {"account": self.account, "region": self.region},
            "dependencies": list(self.dependencies),
            "tags": dict(self.tags),
            "termination_protection": self.termination_protection,
            "resources": self.resource_count,
        }


@attrs.define(kw_only=True)
class CloudAssembly:
    """What `app.synth()` returns: stacks in dependency order, and where they were written."""

    stacks: list[StackArtifact]
    assets: dict[str, Any] = attrs.field(factory=dict)
    directory: str | None = None
    #: Validation warnings (they do not fail a synth unless it is strict).
    warnings: list[Any] = attrs.field(factory=list)
    #: What annotations (Aspects, Annotations.of) said about the tree: warnings, validated with the rest.
    tree_findings: list[Any] = attrs.field(factory=list, eq=False, repr=False)
    #: What the checks found beside the problems (iac.checks.report.checked): suppressed and info findings.
    side_findings: list[Any] = attrs.field(factory=list, eq=False, repr=False)
    #: Extra files written into the assembly, e.g. the lint cache: {file name: text}.
    extra_files: dict[str, str] = attrs.field(factory=dict)
    #: Packaged assets: {file name: bytes}.
    asset_files: dict[str, bytes] = attrs.field(factory=dict, repr=False)
    #: How long making it took: {"synthesis": seconds}.
    seconds: dict[str, float] = attrs.field(factory=dict, eq=False, repr=False)

    def stack(self, name: str) -> StackArtifact:
        """The artifact named `name` (artifact id or CloudFormation stack name)."""
        for artifact in self.stacks:
            if name in (artifact.name, artifact.stack_name):
                return artifact
        known = ", ".join(a.name for a in self.stacks) or "none"
        raise KeyError(f"no stack named {name!r} in the assembly (stacks: {known})")

    def template(self, name: str) -> dict[str, Any]:
        """The template of stack `name` as a dict."""
        return self.stack(name).template

    def manifest(self) -> dict[str, Any]:
        return {
            ASSEMBLY_MARKER: ASSEMBLY_FORMAT,
            "version": MANIFEST_VERSION,
            "tool": {"name": "iac", "version": package_version("iac-cfn")},
            "schemas": schema_info(),
            "stacks": {artifact.name: artifact.manifest_entry() for artifact in self.stacks},
            "assets": self.assets,
            "files": sorted(self._files()),
        }

    def write(self, outdir: str | os.PathLike[str], *, protected: Iterable[str] = ()) -> str:
        """Write every file to a fresh sibling directory, then swap it in place of `outdir` atomically.

        `outdir` must be missing, empty or an assembly iac wrote; the current directory, home, the app's
        folder (`protected`, and the folders of the files that created the stacks) and their ancestors
        are refused with a UsageError, as is any write that fails (disk full, no permission).
        """
        target = _resolve(outdir, protected=[*protected, *self._source_folders()])
        files = self._files()
        try:
            replace_directory(target, lambda folder: _write_files(folder, files, self._manifest_text()))
        except OSError as error:
            raise UsageError(f"cannot write the assembly to {printable(target.shown)}: {error.strerror or error}",
                             hint="check that the folder is writable and the disk has room") from None
        self.directory = target.shown
        return target.shown

    def _files(self) -> dict[str, str | bytes]:
        """Every file of the assembly but the manifest: {plain file name: text or bytes}."""
        files: dict[str, str | bytes] = {artifact.template_file: artifact.body for artifact in self.stacks}
        files.update(self.extra_files)
        files.update(self.asset_files)
        for name in files:
            _check_plain_name(name)
        return files

    def _manifest_text(self) -> str:
        return dumps_indented(self.manifest()) + "\n"

    def _source_folders(self) -> set[str]:
        """The folders of the user's files that created the stacks: replacing one would delete the app."""
        return {os.path.dirname(location.file) for artifact in self.stacks
                for _, location in artifact.origins.values() if getattr(location, "file", None)}


def check_output_dir(outdir: str | os.PathLike[str], *, protected: Iterable[str] = ()) -> str:
    """The absolute output path, after checking it may be replaced (call before slow work, too).

    `protected`: the app's folder, when known (the current directory, home and root always are).
    Leftovers of writers that were killed are swept here too, before the app runs, so that nothing
    reads them (an asset of the project's folder, a tool listing it) before the write sweeps again.
    """
    target = _resolve(outdir, protected=protected)
    sweep_stale(target.parent, target.name)
    return target.shown


def _resolve(outdir: str | os.PathLike[str], *, protected: Iterable[str]) -> OutputDir:
    try:
        return resolve_output_dir(outdir, protected=protected)
    except OSError as error:
        raise UsageError(f"cannot use {printable(os.fspath(outdir))} as the output folder: "
                         f"{error.strerror or error}") from None


def _check_plain_name(name: str) -> None:
    """Every assembly file sits directly in the folder: a name with a separator would escape it."""
    if not name or name in (".", "..", MANIFEST_FILE) or os.sep in name or "/" in name or "\0" in name \
            or name.startswith(STAGING_MARKER_PREFIX):
        raise ValueError(f"assembly file name {name!r} is not a plain file name")


def _check_template_name(name: str) -> None:
    """A template named by a manifest is a file of the assembly itself, never a path out of it."""
    try:
        _check_plain_name(name)
    except ValueError:
        raise ValueError(f"template {printable(name)!r} is not a file name in the assembly") from None


def _write_files(folder: str, files: dict[str, str | bytes], manifest: str) -> None:
    """The manifest last: a folder with a manifest is a finished one."""
    for name, content in files.items():
        _write_file(os.path.join(folder, name), content)
    _write_file(os.path.join(folder, MANIFEST_FILE), manifest)


def _write_file(path: str, content: str | bytes) -> None:
    """Create (never overwrite) `path` and flush it to disk before the swap makes it visible."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


@functools.cache
def package_version(distribution: str) -> str:
    """An installed distribution's version, as importlib.metadata.version finds it; "0+unknown" when none is.

    Every synth asks for three (the manifest, the lint key): importlib.metadata costs ~15 ms to import and
    parses each METADATA file whole with the email parser (cfn-lint's holds its README), so its search of
    sys.path is done here for the usual case, folders of .dist-info / .egg-info, and only the `Version:`
    header is read. Anything else (a zip or .egg on sys.path, another finder of distributions, a folded or
    missing header) is left to importlib.metadata itself."""
    found = _version_on_path(distribution)
    if found is not None:
        return found
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _version_on_path(distribution: str) -> str | None:
    """importlib.metadata's answer for `distribution` where its search is plain (see package_version): the
    version in the first metadata folder of sys.path whose name normalizes to the distribution's, "0+unknown"
    when there is none; None to let importlib.metadata answer."""
    import importlib.machinery

    if any(getattr(finder, "find_distributions", None) is not None and finder is not importlib.machinery.PathFinder
           for finder in sys.meta_path):
        return None
    wanted = _normalized_distribution(distribution)
    for root in sys.path:
        folders = _metadata_folders(root) if isinstance(root, str) else None
        if folders is None:
            return None
        if wanted in folders:
            return _version_header(os.path.join(root, folders[wanted]))
    return "0+unknown"


def _normalized_distribution(name: str) -> str:
    """importlib.metadata's Prepared.normalize: PEP 503, with dashes as underscores."""
    import re

    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


@functools.lru_cache(maxsize=64)
def _metadata_folders(root: str) -> dict[str, str] | None:
    """A sys.path entry's .dist-info / .egg-info folders by normalized name, the first of each in listing order
    (importlib.metadata's Lookup); {} for a path that does not exist, None for one it reads otherwise (a zip
    archive, an .egg)."""
    if os.path.basename(root).lower().endswith(".egg"):
        return None
    try:
        children = os.listdir(root or ".")
    except OSError:
        return None if os.path.isfile(root) else {}
    found: dict[str, str] = {}
    for child in children:
        low = child.lower()
        if low.endswith((".dist-info", ".egg-info")):
            found.setdefault(_normalized_distribution(low.rpartition(".")[0].partition("-")[0]), child)
    return found


def _version_header(folder: str) -> str | None:
    """The Version header of a metadata folder's METADATA (else PKG-INFO), as the email parser reads it."""
    import re

    if not os.path.isdir(folder):
        return None
    for name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            continue
        if not text:
            continue
        found = None
        for line in re.split(r"\r\n|\r|\n", text):
            if not line:
                break  # the end of the headers
            if line[0] in " \t":
                if found is not None:
                    return None  # a folded Version header
                continue
            key, colon, value = line.partition(":")
            if not colon or not re.fullmatch(r"[\041-\071\073-\176]+", key):
                return None  # not a header line: the email parser's own rules decide
            if found is None and key.lower() == "version":
                found = value.lstrip(" \t")
            elif found is not None:
                break
        return found
    return None


def schema_info() -> dict[str, Any]:
    """cfn-lint's version and the date of the CloudFormation schemas it ships (they decide validation), and the
    SAM translator's (it decides how `iac diff` expands SAM templates; None without the `sam` extra)."""
    sam = package_version("aws-sam-translator")
    return {"cfn_lint": package_version("cfn-lint"), "schema_date": schema_date(),
            "aws_sam_translator": None if sam == "0+unknown" else sam}


def build_artifact(**fields: Any) -> StackArtifact:
    """A StackArtifact with its body serialized from `template` in `format`."""
    body = serialize(fields["template"], fields["format"])
    return StackArtifact(body=body, **fields)


@attrs.frozen(kw_only=True)
class StoredStack:
    """A stack read back from an assembly directory: its template, region and names."""

    name: str
    template: dict[str, Any]
    region: str | None = None
    #: As the manifest has them (None in a manifest without them): a user may name the stack by either.
    stack_name: str | None = None
    construct_path: str | None = None


def read_assembly(directory: str | os.PathLike[str]) -> list[StoredStack]:
    """The stacks of an assembly written earlier (empty when the directory does not exist).

    Raises TemplateError when the directory exists but its manifest or a template is unreadable.
    """
    folder = os.fspath(directory)
    manifest_path = os.path.join(folder, MANIFEST_FILE)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise TemplateError(f"{printable(folder)} is not a cloud assembly: it is a file, not a folder",
                            hint="pass the folder `iac synth` wrote (iac.out)")
    if not os.path.exists(manifest_path):
        if os.path.isdir(folder) and os.listdir(folder):
            raise TemplateError(f"{folder} is not a cloud assembly: it has no {MANIFEST_FILE}")
        return []
    try:
        with open(manifest_path, encoding="utf-8") as handle:
            manifest = json.load(handle)
        stacks = manifest["stacks"]
        if not isinstance(stacks, dict) or not all(
                isinstance(entry, dict) and isinstance(entry.get("template"), str) for entry in stacks.values()):
            raise ValueError("its stacks must map names to entries with a template file name")
        for entry in stacks.values():
            _check_template_name(entry["template"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TemplateError(f"cannot read {manifest_path}: {error}",
                            hint="synthesize again (iac synth) to rewrite the assembly") from None
    from iac.synth.loader import load  # reading templates back (diff, deploy): a synth only writes them

    return [
        StoredStack(
            name=name,
            template=load(os.path.join(folder, entry["template"])),
            region=(entry.get("environment") or {}).get("region") if isinstance(entry.get("environment"), dict)
            else None,
            stack_name=entry["stack_name"] if isinstance(entry.get("stack_name"), str) else None,
            construct_path=entry["construct_path"] if isinstance(entry.get("construct_path"), str) else None,
        )
        for name, entry in stacks.items()
    ]
