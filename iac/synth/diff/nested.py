"""Nested stacks: an AWS::CloudFormation::Stack whose TemplateURL is local is diffed into.

A TemplateURL is local when it names a file rather than a URL: a path in the assembly, or a file next to the
parent template (`./network.yaml`, as `aws cloudformation package` reads them), relative to the folder of the
parent's template. The child template on each side is read from that side's folder; its changes are listed
under the parent resource (ResourceChange.origin, a path for stacks nested deeper), and its findings, IAM and
security group changes carry the parent's id as a prefix (Child/Queue). A TemplateURL that cannot be read (a URL,
a file that is not there) is not guessed at: when it changed, a note says the nested changes are unknown.

The child's parameters are the parent's `Parameters` property, followed into the child as presumed values:
on each side a literal the parent passes stands as the child parameter's default, and a computed value that
changed (its text, or a reference to something that may change) as a default of its own, so what depends on
it inside the child "may" change, the way a changed default does in any stack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from iac.errors import TemplateError
from iac.synth.diff.model import DIRECT, DYNAMIC, MODIFY, Detail, ResourceChange, StackDiff, Target
from iac.synth.diff.normalize import canonical_json, mapping_at, normalize, normalize_scalar
from iac.synth.loader import load

STACK_TYPE = "AWS::CloudFormation::Stack"
MAX_DEPTH = 8
#: Where a side's templates are: a folder, or an assembly in memory ({template file name: template}), or unknown.
Folder = str | Mapping[str, dict[str, Any]] | None
#: diff_templates, as this module calls it (old, new, stack name, old folder, new folder, chain of files read).
Differ = Callable[[dict[str, Any] | None, dict[str, Any] | None, str, Folder, Folder, tuple[str, ...]], StackDiff]


def nested_stacks(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The logical ids of the nested stacks on either side."""
    found: list[str] = []
    for template in (new, old):
        for logical_id, resource in mapping_at(template, "Resources").items():
            if isinstance(resource, dict) and resource.get("Type") == STACK_TYPE and logical_id not in found:
                found.append(logical_id)
    return found


def diff_nested(result: StackDiff, old: dict[str, Any], new: dict[str, Any], old_dir: Folder,
                new_dir: Folder, chain: tuple[str, ...], differ: Differ) -> None:
    """Add to `result` the changes inside every nested stack whose template can be read on the sides it exists."""
    old_resources, new_resources = mapping_at(old, "Resources"), mapping_at(new, "Resources")
    for logical_id in nested_stacks(old, new):
        before, after = _url(old_resources.get(logical_id)), _url(new_resources.get(logical_id))
        in_old, in_new = logical_id in old_resources, logical_id in new_resources
        old_child, old_file, old_why = _read(before, old_dir, chain) if in_old else (None, None, None)
        new_child, new_file, new_why = _read(after, new_dir, chain) if in_new else (None, None, None)
        why = old_why or new_why
        if why is not None:
            if not (in_old and in_new) or before != after or _local(before) or _local(after):
                result.notes.append(f"nested stack {logical_id}: {why}; the changes inside it are not known offline")
            continue
        if old_child is None and new_child is None:
            continue
        files = tuple(file for file in (old_file, new_file) if file)
        passed_old, passed_new = _passed(old_resources.get(logical_id)), _passed(new_resources.get(logical_id))
        changed = _changed_parameters(result, logical_id, passed_old, passed_new)
        if old_child is not None:
            old_child = _with_defaults(old_child, passed_old, set())
        if new_child is not None:
            new_child = _with_defaults(new_child, passed_new, changed)
        child = differ(old_child, new_child, f"{result.stack}/{logical_id}",
                       _folder_of(old_file, old_dir), _folder_of(new_file, new_dir), (*chain, *files))
        _adopt(result, child, logical_id, before, after, in_old and in_new)


def _url(resource: Any) -> Any:
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    return properties.get("TemplateURL") if isinstance(properties, dict) else None


def _passed(resource: Any) -> dict[str, Any]:
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    passed = properties.get("Parameters") if isinstance(properties, dict) else None
    return passed if isinstance(passed, dict) else {}


def _changed_parameters(result: StackDiff, logical_id: str, before: dict[str, Any], after: dict[str, Any]
                        ) -> set[str]:
    """The child parameters whose passed value may differ: other text, or a reference the diff found changing."""
    changed = {key for key in after if normalize(before.get(key)) != normalize(after[key])}
    for change in result.resources:
        if change.logical_id != logical_id or change.origin:
            continue
        for detail in change.details:
            parts = detail.target.path.split("/")  # /Properties/Parameters/Key
            if detail.evaluation == DYNAMIC and parts[2:3] == ["Parameters"]:
                changed.update(parts[3:4] or after)
    return changed


def _with_defaults(child: dict[str, Any], passed: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    """`child` with the parent's values as its parameters' defaults (see the module's docstring)."""
    declared = mapping_at(child, "Parameters")
    parameters = dict(declared)
    for key, value in passed.items():
        if key not in declared or not isinstance(declared[key], dict):
            continue
        if isinstance(value, (str, int, float, bool)):
            parameters[key] = {**declared[key], "Default": normalize_scalar(value)}
        elif key in changed:
            parameters[key] = {**declared[key], "Default": f"(computed by the parent stack: {canonical_json(value)})"}
    return {**child, "Parameters": parameters} if parameters != declared else child


def _local(url: Any) -> bool:
    return isinstance(url, str) and "://" not in url and not url.startswith("s3:")


def _folder_of(file: str | None, folder: Folder) -> Folder:
    if file is None:
        return None
    return folder if isinstance(folder, Mapping) else os.path.dirname(file)


def _read(url: Any, folder: Folder, chain: tuple[str, ...]
          ) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """(template, its file, None), or (None, None, why it cannot be read)."""
    if not isinstance(url, str):
        return None, None, "its TemplateURL is computed (known at deploy time only)"
    if not _local(url):
        return None, None, f"TemplateURL {url} is not a local file"
    if isinstance(folder, Mapping):  # the assembly being synthesized: its templates by file name
        name = os.path.normpath(url).replace(os.sep, "/")
        if f"assembly:{name}" in chain or len(chain) >= MAX_DEPTH:
            return None, None, f"TemplateURL {url} nests the stacks too deep (or in a cycle)"
        if name not in folder:
            return None, None, f"TemplateURL {url} cannot be read (no such template in the assembly)"
        return folder[name], f"assembly:{name}", None
    if folder is None and not os.path.isabs(url):
        return None, None, f"TemplateURL {url} is a local path, but the folder of its parent template is not known"
    path = os.path.normpath(os.path.join(folder or "", url))
    if path in chain or len(chain) >= MAX_DEPTH:
        return None, None, f"TemplateURL {url} nests the stacks too deep (or in a cycle)"
    try:
        return load(path), path, None
    except TemplateError as error:
        return None, None, f"TemplateURL {url} cannot be read ({error})"


def _adopt(result: StackDiff, child: StackDiff, logical_id: str, before: Any, after: Any, both: bool) -> None:
    """The child's changes listed under `logical_id` in `result`."""
    if not child.has_changes and not child.notes:
        return
    if both and child.resources and not any(c.logical_id == logical_id and not c.origin for c in result.resources):
        # the parent resource's text is the same, its template is not: CloudFormation updates the nested stack
        result.resources.append(ResourceChange(
            action=MODIFY, logical_id=logical_id, resource_type=STACK_TYPE, replacement="False",
            details=[Detail(target=Target(attribute="Properties", name="TemplateURL", path="/Properties/TemplateURL"),
                            evaluation=DYNAMIC, change_source=DIRECT,
                            causing_entity=f"the nested template {after if isinstance(after, str) else before}")]))
    for change in child.resources:
        origin = f"{logical_id}/{change.origin}" if change.origin else logical_id
        result.resources.append(attrs.evolve(change, origin=origin,
                                             origin_type=change.origin_type if change.origin else STACK_TYPE))
    prefix = f"{logical_id}/"
    result.statements.extend(attrs.evolve(s, logical_id=prefix + s.logical_id) for s in child.statements)
    result.rules.extend(attrs.evolve(r, logical_id=prefix + r.logical_id) for r in child.rules)
    result.findings.extend(attrs.evolve(f, logical_id=prefix + f.logical_id,
                                        message=f"in nested stack {logical_id}: {f.message}") for f in child.findings)
    result.notes.extend(f"in nested stack {logical_id}: {note}" for note in child.notes)
