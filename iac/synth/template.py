"""Reading parts of a template dict that may come from anywhere (iac, a file, another tool).

Templates read from files can hold anything: a section that is null, a resource that is a string.
These helpers return the well-formed part, so every reader skips malformed entries the same way.
"""

from __future__ import annotations

from typing import Any

#: Resource metadata naming the construct that made the resource (App(path_metadata=False) omits it).
PATH_METADATA_KEY = "iac:path"


def section(template: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """`template[name]` when it is a mapping, else {}."""
    value = (template or {}).get(name)
    return value if isinstance(value, dict) else {}


def resources(template: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The Resources section's entries that are mappings (logical id -> entry)."""
    return {k: v for k, v in section(template, "Resources").items() if isinstance(v, dict)}


#: The Resources of two templates (old, new) as `resources` gives them: computed once by a caller that passes
#: both templates to several readers (the diff's passes), instead of once per reader.
ResourcePair = tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]


def resource_pair(old: dict[str, Any] | None, new: dict[str, Any] | None, given: ResourcePair | None = None
                  ) -> ResourcePair:
    """`given` when a caller computed it, else `resources` of each template."""
    return given if given is not None else (resources(old), resources(new))


def resource_type(resource: dict[str, Any]) -> str:
    value = resource.get("Type")
    return value if isinstance(value, str) else ""


def construct_path(resource: Any) -> str | None:
    """The construct path iac recorded in the resource's Metadata, if any."""
    metadata = resource.get("Metadata") if isinstance(resource, dict) else None
    path = metadata.get(PATH_METADATA_KEY) if isinstance(metadata, dict) else None
    return path if isinstance(path, str) else None
