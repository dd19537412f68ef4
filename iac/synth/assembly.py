"""The cloud assembly: templates plus a manifest, written atomically to `iac.out/`.

The assembly is written into a temporary sibling directory and swapped in at the end, so a synth that
fails at any point leaves the previous assembly exactly as it was. Everything in it is deterministic
(no timestamps), so two synths of the same app are byte-for-byte equal.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from typing import Any

import attrs

from iac.errors import TemplateError, UsageError
from iac.specs import schema_date
from iac.synth.loader import load
from iac.synth.serialize import serialize

MANIFEST_FILE = "manifest.json"
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
            "version": MANIFEST_VERSION,
            "tool": {"name": "iac", "version": package_version("iac-cfn")},
            "schemas": schema_info(),
            "stacks": {artifact.name: artifact.manifest_entry() for artifact in self.stacks},
            "assets": self.assets,
        }

    def write(self, outdir: str | os.PathLike[str]) -> str:
        """Write every file to a fresh sibling directory, then swap it in place of `outdir`."""
        target = check_output_dir(outdir)
        parent = os.path.dirname(target)
        try:
            os.makedirs(parent, exist_ok=True)
            staging = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.new-", dir=parent)
        except OSError as error:
            raise UsageError(f"cannot write the assembly to {target}: {error.strerror or error}") from None
        os.chmod(staging, 0o777 & ~_umask())
        try:
            for artifact in self.stacks:
                _write_text(os.path.join(staging, artifact.template_file), artifact.body)
            for name, text in self.extra_files.items():
                _write_text(os.path.join(staging, name), text)
            for name, data in self.asset_files.items():
                with open(os.path.join(staging, name), "wb") as handle:
                    handle.write(data)
            _write_text(os.path.join(staging, MANIFEST_FILE), json.dumps(self.manifest(), indent=1) + "\n")
            _swap_in(staging, target)
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError):
                raise UsageError(f"cannot write the assembly to {target}: {error.strerror or error}") from None
            raise
        self.directory = target
        return target


def check_output_dir(outdir: str | os.PathLike[str]) -> str:
    """The absolute output path, after checking it may be replaced (call before slow work, too)."""
    target = os.path.abspath(os.fspath(outdir))
    _check_replaceable(target)
    return target


def _check_replaceable(target: str) -> None:
    """Refuse to replace a directory that is not an assembly: `--out src` must not eat the code."""
    if not os.path.exists(target):
        return
    if not os.path.isdir(target):
        raise UsageError(f"output path {target} exists and is not a directory")
    if os.listdir(target) and not os.path.exists(os.path.join(target, MANIFEST_FILE)):
        raise UsageError(
            f"output directory {target} is not empty and holds no {MANIFEST_FILE}; refusing to replace it",
            hint="choose another --out, or empty that directory",
        )


def _swap_in(staging: str, target: str) -> None:
    retired = None
    if os.path.exists(target):
        retired = tempfile.mkdtemp(prefix=f".{os.path.basename(target)}.old-", dir=os.path.dirname(target))
        os.rmdir(retired)
        os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        if retired is not None:
            os.rename(retired, target)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


@functools.cache
def package_version(distribution: str) -> str:
    """An installed distribution's version (importlib.metadata costs ~25 ms to import: only on use)."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def schema_info() -> dict[str, Any]:
    """cfn-lint's version and the date of the CloudFormation schemas it ships (they decide validation)."""
    return {"cfn_lint": package_version("cfn-lint"), "schema_date": schema_date()}


def build_artifact(**fields: Any) -> StackArtifact:
    """A StackArtifact with its body serialized from `template` in `format`."""
    body = serialize(fields["template"], fields["format"])
    return StackArtifact(body=body, **fields)


@attrs.frozen(kw_only=True)
class StoredStack:
    """A stack read back from an assembly directory: its template and region."""

    name: str
    template: dict[str, Any]
    region: str | None = None


def read_assembly(directory: str | os.PathLike[str]) -> list[StoredStack]:
    """The stacks of an assembly written earlier (empty when the directory does not exist).

    Raises TemplateError when the directory exists but its manifest or a template is unreadable.
    """
    folder = os.fspath(directory)
    manifest_path = os.path.join(folder, MANIFEST_FILE)
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
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TemplateError(f"cannot read {manifest_path}: {error}",
                            hint="synthesize again (iac synth) to rewrite the assembly") from None
    return [
        StoredStack(
            name=name,
            template=load(os.path.join(folder, entry["template"])),
            region=(entry.get("environment") or {}).get("region") if isinstance(entry.get("environment"), dict)
            else None,
        )
        for name, entry in stacks.items()
    ]
