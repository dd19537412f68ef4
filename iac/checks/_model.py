"""What a check is and what it finds.

A rule reads a template (a dict, from iac's synthesis or from any file) and never a construct, so the
same rule judges what iac synthesizes and what `iac validate FILE` reads (SAM, hand-written, the
CDK's output). One rule per module under iac/checks/rules/, each with a stable id, a severity and
the words a reviewer needs: a one-line description, why it matters, how to fix it, a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal, TypeVar

import attrs

from iac.checks._values import referenced_ids

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
TemplatePath = tuple[str | int, ...]

#: Rule ids: IAC-<AREA>-<three digits>, e.g. IAC-S3-001.
RULE_ID_PATTERN = r"IAC-[A-Z0-9]+-\d{3}"
#: The Metadata key of suppressions (iac.checks._run reads them, iac.checks.suppress writes them).
SUPPRESS_KEY = "iac:suppress"


def section(template: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """`template[name]` when it is a mapping, else {} (a template file can hold anything).

    (iac.synth.template has the same readers; iac.checks stays below iac.synth, which runs it.)"""
    value = (template or {}).get(name)
    return value if isinstance(value, dict) else {}


@attrs.frozen
class Finding:
    """One thing a rule found: what, and where in the template (a path from the template's root, such
    as ("Resources", "Bucket", "Properties", "BucketEncryption")). Never the value of a secret."""

    message: str
    path: TemplatePath


#: The resources of a template by type: type -> [(position in the template, logical id, entry)].
ResourceIndex = Mapping[str, list[tuple[int, str, dict[str, Any]]]]


def resources_by_type(template: dict[str, Any]) -> dict[str, list[tuple[int, str, dict[str, Any]]]]:
    """One walk of the template's resources, shared by every rule (and by `others`) of a run."""
    return _walk_resources(template)[0]


def _walk_resources(template: dict[str, Any]) -> tuple[dict[str, list[tuple[int, str, dict[str, Any]]]],
                                                        list[tuple[str, Any]]]:
    """The resources by type, and (logical id, value) of each resource's Metadata suppressions: one walk."""
    index: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    suppressions: list[tuple[str, Any]] = []
    for position, (logical_id, entry) in enumerate(section(template, "Resources").items()):
        if not isinstance(entry, dict):
            continue
        kind = entry.get("Type")
        if isinstance(kind, str):
            found = index.get(kind)
            if found is None:
                index[kind] = [(position, logical_id, entry)]
            else:
                found.append((position, logical_id, entry))
        metadata = entry.get("Metadata")
        if metadata is not None and isinstance(metadata, dict) and SUPPRESS_KEY in metadata:
            suppressions.append((str(logical_id), metadata[SUPPRESS_KEY]))
    return index, suppressions


T = TypeVar("T")


@attrs.define(eq=False)
class Run:
    """One run of the rules over one template: what every rule of the run shares. `index` is the walk of
    the resources; `once(compute)` is `compute(run)` worked out on its first call in this run and kept for
    the rest of it (the secrets scan three rules split, the buckets other resources log to), so nothing
    outlives the run or depends on which template a module saw last."""

    template: dict[str, Any]
    index: ResourceIndex = attrs.field(init=False, repr=False)
    #: (logical id, value) of every resource's `Metadata: {"iac:suppress": ...}`, found by the same walk.
    resource_suppressions: list[tuple[str, Any]] = attrs.field(init=False, repr=False)
    _kept: dict[Callable[[Run], Any], Any] = attrs.field(factory=dict, init=False, repr=False)
    #: The TemplateResource of each indexed resource, by type, made on the first rule's request: the rules
    #: (and `others`, asked once per resource) share them.
    _resources: dict[str, list[TemplateResource]] = attrs.field(factory=dict, init=False, repr=False)
    #: (type, property) -> logical id -> the resources of that type whose property may name it (`naming`).
    _naming: dict[tuple[str, str], dict[Any, list[TemplateResource]]] = attrs.field(factory=dict, init=False,
                                                                                      repr=False)

    def __attrs_post_init__(self) -> None:
        self.index, self.resource_suppressions = _walk_resources(self.template)

    def once(self, compute: Callable[[Run], T]) -> T:
        """`compute(self)`, computed once per run (keyed by the function: pass a module-level one)."""
        if compute not in self._kept:
            self._kept[compute] = compute(self)
        found: T = self._kept[compute]
        return found

    def of_types(self, *types: str) -> Iterator[TemplateResource]:
        """The template's resources of these types, in template order."""
        if len(types) == 1:
            return iter(self._of_type(types[0]))
        ordered = [item for kind in dict.fromkeys(types) for item in zip(self.index.get(kind, ()),
                                                                           self._of_type(kind), strict=True)]
        ordered.sort(key=lambda item: item[0][0])
        return (resource for _, resource in ordered)

    def naming(self, kind: str, prop: str, logical_id: str) -> list[TemplateResource]:
        """The resources of type `kind` whose property `prop` may refer to resource `logical_id` (a superset of
        those `refers_to(properties[prop], logical_id)` is true of), in template order, through an index made
        once per run: a rule that looks for its counterparts stays linear in the template's resources."""
        if not isinstance(logical_id, str) or "}" in logical_id:  # no id referenced_ids covers: all of them
            return self._of_type(kind)
        index = self._naming.get((kind, prop))
        if index is None:
            index = self._naming[(kind, prop)] = {}
            for resource in self._of_type(kind):
                for target in referenced_ids(resource.properties.get(prop)):
                    index.setdefault(target, []).append(resource)
        return index.get(logical_id, [])

    def _of_type(self, kind: str) -> list[TemplateResource]:
        found = self._resources.get(kind)
        if found is None:
            found = self._resources[kind] = [TemplateResource(logical_id, kind, entry, self.template, self)
                                             for _, logical_id, entry in self.index.get(kind, ())]
        return found


@attrs.frozen
class TemplateResource:
    """One resource of a template, as a resource rule sees it, with the template it is part of (some
    rules look at other resources: a bucket's policy is a resource of its own)."""

    logical_id: str
    type: str
    entry: dict[str, Any]
    template: dict[str, Any]
    #: The run of the rules this resource is checked in: what the rules of one run share.
    run: Run = attrs.field(eq=False, repr=False)

    @property
    def properties(self) -> dict[str, Any]:
        found = self.entry.get("Properties")
        return found if isinstance(found, dict) else {}

    def finding(self, message: str, *properties: str | int) -> Finding:
        """A finding at this resource, or at one of its properties (`finding(msg, "BucketEncryption")`)."""
        path: TemplatePath = ("Resources", self.logical_id, *(("Properties", *properties) if properties else ()))
        return Finding(message, path)

    def others(self, *types: str) -> Iterator[TemplateResource]:
        """The template's other resources of these types."""
        return (other for other in self.run.of_types(*types) if other.logical_id != self.logical_id)


ResourceCheck = Callable[[TemplateResource], Iterable[Finding]]
#: A whole-template check: given the run (`run.template`, `run.index`, `run.once`).
TemplateCheck = Callable[[Run], Iterable[Finding]]


def _check_id(instance: Rule, attribute: Any, value: str) -> None:
    if not re.fullmatch(RULE_ID_PATTERN, value):
        raise ValueError(f"rule id {value!r} does not match {RULE_ID_PATTERN}")


@attrs.frozen(kw_only=True)
class Rule:
    """A check with a stable id. `resource_types` names the types `check` is called for, one resource at a
    time; a rule with `template_check` instead looks at the whole template (parameters, outputs)."""

    id: str = attrs.field(validator=_check_id)
    severity: Severity = attrs.field(validator=attrs.validators.in_(SEVERITIES))
    #: The pack the rule belongs to ("iam", "storage", "network", "logging", "secrets", "compute"); a
    #: [tool.iac] checks entry can turn a whole pack off.
    pack: str
    description: str
    why: str
    fix: str
    url: str
    resource_types: tuple[str, ...] = ()
    check: ResourceCheck | None = None
    template_check: TemplateCheck | None = None
    #: The properties the rule reads, per resource type: a test holds them against the registry schemas,
    #: so a rule never reads a property CloudFormation does not have.
    reads: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    def findings(self, template: dict[str, Any], run: Run | None = None) -> Iterator[Finding]:
        """What the rule finds in `template`; `run` (a Run of that template) is what the rules of one run
        share: one walk of the resources, and what `run.once` kept. None: a run of this rule alone."""
        run = run if run is not None else Run(template)
        if self.template_check is not None:
            yield from self.template_check(run)
        if self.check is None or not self.resource_types:
            return
        for resource in run.of_types(*self.resource_types):
            yield from self.check(resource)
