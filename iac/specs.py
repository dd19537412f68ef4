"""Facts iac takes from cfn-lint: the CloudFormation registry schemas and additional specs.

cfn-lint ships, per region, a provider map (resource type -> schema file) and the resource schemas
themselves, plus data such as the Lambda runtime lifecycle. Its version (bounded in pyproject.toml)
decides these facts; the manifest records that version and the schema date. Every layer may read
them (constructs validate their props with them, synth validates and diffs with them), so this
module sits at the bottom, next to iac.errors. Everything is loaded lazily and cached.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import os
from typing import Any

import attrs

from iac.errors import UsageError


@functools.cache
def cfn_lint_data_root() -> str:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise UsageError("cfn-lint is not installed; reinstall iac (pip install iac-cfn)")
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


@functools.cache
def additional_spec(name: str) -> Any:
    """A JSON file of cfn-lint's data/AdditionalSpecs, e.g. "LmbdRuntimeLifecycle"."""
    with open(os.path.join(cfn_lint_data_root(), "AdditionalSpecs", f"{name}.json"), encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def schema_extension(folder: str, name: str) -> Any:
    """A JSON schema cfn-lint adds on top of the registry's, e.g. ("aws_ecs_taskdefinition",
    "fargate_cpu_memory"): facts the registry schemas cannot express, such as which values go together."""
    path = os.path.join(cfn_lint_data_root(), "schemas", "extensions", folder, f"{name}.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


DEFAULT_REGION = "us-east-1"


def schema_root() -> str:
    return os.path.join(cfn_lint_data_root(), "schemas")


@functools.cache
def known_regions() -> tuple[str, ...]:
    folder = os.path.join(schema_root(), "providers")
    return tuple(sorted(name[:-5] for name in os.listdir(folder) if name.endswith(".json")))


@functools.cache
def provider_types(region: str) -> dict[str, str]:
    """Resource type -> schema file id for `region`; UsageError for a region cfn-lint does not know."""
    path = os.path.join(schema_root(), "providers", f"{region}.json")
    if not os.path.isfile(path):
        close = difflib.get_close_matches(region, known_regions(), n=1)
        raise UsageError(
            f"unknown region {region!r}: no CloudFormation schemas for it",
            hint=f"did you mean {close[0]!r}?" if close else f"known regions: {', '.join(known_regions())}",
        )
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@attrs.frozen
class ResourceSchema:
    """One resource type's registry schema plus the facts derived from it."""

    type_name: str
    document: dict[str, Any]
    attributes: frozenset[str]  # GetAtt names: readOnlyProperties as "A" or "A.B"
    read_only_roots: frozenset[str]  # top-level property names a template must not set
    create_only: tuple[str, ...]
    conditional_create_only: tuple[str, ...]

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local `$ref` ("#/definitions/X") to the node it names."""
        ref = node.get("$ref")
        while isinstance(ref, str):
            node = _pointer(self.document, ref)
            ref = node.get("$ref")
        return node


def _pointer(document: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


@functools.cache
def _load_schema_file(file_id: str) -> ResourceSchema:
    path = os.path.join(schema_root(), "resources", f"{file_id}.json")
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    return ResourceSchema(
        type_name=document.get("typeName", ""),
        document=document,
        attributes=frozenset(_pointer_to_attribute(p) for p in document.get("readOnlyProperties", [])),
        read_only_roots=frozenset(
            p.split("/")[2] for p in document.get("readOnlyProperties", []) if p.count("/") == 2
        ),
        create_only=tuple(document.get("createOnlyProperties", [])),
        conditional_create_only=tuple(document.get("conditionalCreateOnlyProperties", [])),
    )


def _pointer_to_attribute(pointer: str) -> str:
    """"/properties/Endpoint/Address" -> "Endpoint.Address" (the GetAtt spelling)."""
    return ".".join(part for part in pointer.split("/")[2:] if part != "*")


def resource_schema(resource_type: str, region: str = DEFAULT_REGION) -> ResourceSchema | None:
    """The schema of `resource_type` in `region`, or None when the region has no such type."""
    file_id = provider_types(region).get(resource_type)
    return _load_schema_file(file_id) if file_id else None


def suggest_type(resource_type: str, region: str = DEFAULT_REGION) -> str | None:
    """The closest known type name, for "did you mean" messages."""
    types = provider_types(region)
    lowered = {name.lower(): name for name in types}
    if resource_type.lower() in lowered:
        return lowered[resource_type.lower()]
    close = difflib.get_close_matches(resource_type, list(types), n=1, cutoff=0.75)
    return close[0] if close else None


def schema_date() -> str | None:
    try:
        with open(os.path.join(schema_root(), "version.json"), encoding="utf-8") as handle:
            return json.load(handle).get("schema_date")
    except (OSError, ValueError):
        return None


def getatt_attributes(resource_type: str, region: str = DEFAULT_REGION) -> Any:
    """Every attribute Fn::GetAtt accepts for the type, as cfn-lint knows them.

    The registry's readOnlyProperties are the common case (checked first, without this call); some
    types also expose ordinary properties (AWS::SQS::Queue's QueueName) or open-ended names
    (AWS::CloudFormation::Stack's Outputs.X), which cfn-lint records. Returns a mapping whose
    `.get(name)` understands those patterns. Imports cfn-lint's schema manager on first use.
    """
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER.get_type_getatts(resource_type, region)
