"""Layer 2 of validation: every resource against its CloudFormation registry schema.

Checks a template (plain JSON, from synthesis or from a file) without any AWS call: resource types
exist in the region, required properties are present, values have the right type, enum, pattern and
range, no unknown property (with a "did you mean"), and Ref / GetAtt / Sub / DependsOn / Condition
names exist. Intrinsic functions are accepted wherever they could produce the expected type, and
each branch of an `Fn::If` is checked on its own.

It is a purpose-built walker over the schema dicts rather than a general JSON Schema engine: the
registry schemas use a small subset of keywords, and walking them directly is what makes this layer
cheap enough to run on every synth. Each resource is first walked once for both its schema and its
references, answering only yes or no (`_FastWalker`); the walks that build paths and messages run
only for a resource that answer does not vouch for, so a clean template never pays for them.
"""

from __future__ import annotations

import difflib
import functools
import json
import operator
import re
from collections.abc import Iterator
from typing import Any

import attrs

from iac.specs import (
    DEFAULT_REGION,
    ResourceSchema,
    getatt_attributes,
    packaged_property_paths,
    pattern_matches,
    property_names,
    provider_types,
    resource_schema,
    suggest_type,
)
from iac.synth.language_extensions import FOR_EACH, MAX_COPIES, Expansion, expand, uses_language_extensions
from iac.synth.references import sub_expressions
from iac.synth.template import section

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    }
)
CONDITION_FUNCTIONS = frozenset({"Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or"})
#: What each function can evaluate to (the schema layer accepts a function where its result fits).
_STRING = frozenset({"string", "integer", "number", "boolean"})
_ANY_SCALAR_OR_LIST = frozenset({"string", "integer", "number", "boolean", "array"})
FUNCTION_RESULTS: dict[str, frozenset[str]] = {
    "Ref": _ANY_SCALAR_OR_LIST,
    "Fn::GetAtt": _ANY_SCALAR_OR_LIST | {"object"},
    "Fn::FindInMap": _ANY_SCALAR_OR_LIST,
    "Fn::Select": _ANY_SCALAR_OR_LIST | {"object"},
    "Fn::ImportValue": _STRING | {"array"},
    "Fn::Sub": _STRING,
    "Fn::Join": _STRING,
    "Fn::Base64": _STRING,
    "Fn::ToJsonString": _STRING,
    "Fn::Length": frozenset({"integer", "number", "string"}),
    "Fn::GetAZs": frozenset({"array"}),
    "Fn::Split": frozenset({"array"}),
    "Fn::Cidr": frozenset({"array"}),
    "Fn::Transform": _ANY_SCALAR_OR_LIST | {"object"},
    "Fn::GetStackOutput": _STRING,  # an output of another stack, maybe in another region or account
}
INTRINSIC_KEYS = frozenset(FUNCTION_RESULTS) | CONDITION_FUNCTIONS | {"Fn::If", "Condition"}
#: the keys of a one-key object that `_TemplateChecker._references` checks the argument of
_REFERENCE_KEYS = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::If", "Condition"})
DYNAMIC_REFERENCE = "{{resolve:"


@attrs.frozen(kw_only=True)
class SchemaFinding:
    """One problem in a template, located by its path from the template root."""

    path: tuple[str | int, ...]
    message: str
    expected: str | None = None
    given: str | None = None
    suggestion: str | None = None
    #: the cfn-lint rule that checks the same (E3002 for an unknown property ...): a template that tells
    #: cfn-lint to ignore it (Metadata cfn-lint config ignore_checks) is not told it by iac either
    rule: str | None = None

    @property
    def property_path(self) -> str:
        return ".".join(str(part) for part in self.path)


def validate_template(template: dict[str, Any], region: str | None = None, *, ignore_checks: tuple[str, ...] = (),
                      mandatory_checks: tuple[str, ...] = ()) -> list[SchemaFinding]:
    """All schema and reference problems of `template` for `region` (default us-east-1).

    A finding whose cfn-lint rule starts with one of `ignore_checks` (cfn-lint's configuration), or
    with one the template's Metadata tells cfn-lint to ignore, is left out, unless it starts with one
    of `mandatory_checks` (cfn-lint reports those whatever is ignored).

    Under the AWS::LanguageExtensions transform, Fn::ForEach loops are expanded first and each
    finding reported at its path in the template as written (iac.synth.language_extensions); the
    same finding in several copies of a loop is reported once.
    """
    region = region or DEFAULT_REGION
    provider_types(region)  # raises for an unknown region before anything else
    if not uses_language_extensions(template):
        return _not_ignored(template, _TemplateChecker(template, region).findings(), ignore_checks, mandatory_checks)
    expansion = expand(template)
    checked = _TemplateChecker(expansion.template, region, expansion).findings()
    if expansion.too_large is not None:
        return [SchemaFinding(path=expansion.too_large, message=f"the Fn::ForEach loops make more than "
                              f"{MAX_COPIES:,} copies: more than a stack can hold once CloudFormation expands them",
                              expected="at most 500 resources and a 1 MB processed template")]
    found = (
        attrs.evolve(finding, path=expansion.original(finding.path))
        for finding in _not_ignored(expansion.template, checked, ignore_checks, mandatory_checks)
        if finding.path not in expansion.incomplete
    )
    return list(dict.fromkeys(found))


def _not_ignored(template: dict[str, Any], findings: Iterator[SchemaFinding],
                 configured: tuple[str, ...] = (), mandatory: tuple[str, ...] = ()) -> list[SchemaFinding]:
    """The findings whose cfn-lint rule the template does not tell cfn-lint to ignore, in its Metadata or a
    resource's (`cfn-lint: {config: {ignore_checks: [E3012]}}`; a prefix such as E3 ignores a family),
    nor cfn-lint's configuration (`configured`): what cfn-lint is told not to say, iac does not say in
    its place."""
    everywhere = configured + _ignored_checks(template.get("Metadata"))
    resources = section(template, "Resources")
    kept = []
    for finding in findings:
        ignored = everywhere
        if len(finding.path) >= 2 and finding.path[0] == "Resources":
            resource = resources.get(str(finding.path[1]))
            if isinstance(resource, dict):
                ignored = ignored + _ignored_checks(resource.get("Metadata"))
        rule = finding.rule
        if not rule or not any(rule.startswith(prefix) for prefix in ignored) or any(
                rule.startswith(prefix) for prefix in mandatory):
            kept.append(finding)
    return kept


def _ignored_checks(metadata: Any) -> tuple[str, ...]:
    config = metadata.get("cfn-lint") if isinstance(metadata, dict) else None
    config = config.get("config") if isinstance(config, dict) else None
    checks = config.get("ignore_checks") if isinstance(config, dict) else None
    if isinstance(checks, str):
        checks = [checks]
    return tuple(check for check in checks if isinstance(check, str) and check) if isinstance(checks, list) else ()


class _TemplateChecker:
    def __init__(self, template: dict[str, Any], region: str, expansion: Expansion | None = None) -> None:
        self.template = template
        self.region = region
        self.resources: dict[str, Any] = section(template, "Resources")
        self.parameters: dict[str, Any] = section(template, "Parameters")
        self.conditions: dict[str, Any] = section(template, "Conditions")
        self.serverless = _has_transform(template, "AWS::Serverless-2016-10-31")
        self.expansion = expansion
        self._quiet: dict[tuple[str | None, ...], bool] = {}  # _quietly's answers
        #: resource type -> its fast walker (None: no schema by design; False: no such type)
        self._fast: dict[str, _FastWalker | bool | None] = {}
        #: modules' logical ids: a module's resources are named with it as a prefix (ModuleBucket, or
        #: Module.Bucket in a Ref), and are not in the template as written
        self.modules = tuple([logical_id for logical_id, resource in self.resources.items()
                              if isinstance(resource, dict) and _text(resource.get("Type", "")).endswith("::MODULE")])
        #: (resource type, attribute) -> whether its schema (or cfn-lint's) knows the attribute (`_attribute`)
        self._attributes: dict[tuple[str, str], bool] = {}

    def _defined_elsewhere(self, section_name: str, name: str) -> bool:
        """A name made by something the template only names: a module's resource, a loop's copy."""
        if section_name == "Resources" and any(name.startswith(module) for module in self.modules):
            return True
        return self.expansion is not None and self.expansion.defines_maybe(section_name, name)

    def findings(self) -> Iterator[SchemaFinding]:
        if not self.resources:
            yield SchemaFinding(path=("Resources",), message="the template has no resources", rule="E1001",
                                expected="at least one resource")
        for logical_id, resource in self.resources.items():
            try:
                fine = self._resource_fine(logical_id, resource)
            except Exception:  # noqa: BLE001 - e.g. nested past the recursion limit: the walks that say what is
                fine = False  # wrong answer instead, as they would without the fast one (raising what they raise)
            if not fine:
                yield from self._resource(logical_id, resource)
        for name_of_section in ("Outputs", "Conditions"):
            for name, entry in section(self.template, name_of_section).items():
                yield from self._references((name_of_section, name), entry)
                if name_of_section == "Outputs" and isinstance(entry, dict):
                    yield from self._condition_name((name_of_section, name, "Condition"), entry.get("Condition"))

    # -- resources -------------------------------------------------------------------------

    def _resource_fine(self, logical_id: str, resource: Any) -> bool:
        """Whether `_resource` finds nothing in `resource`: the schema walk and the reference walk at once,
        with no paths nor generators, each answer only yes or no (`_FastWalker`). A resource it cannot
        vouch for (a problem, a packaged local path, a loop) is walked by `_resource`, which says what."""
        if not isinstance(resource, dict) or logical_id.startswith("Fn::ForEach::"):
            return False
        resource_type = resource.get("Type")
        if not isinstance(resource_type, str):
            return False
        walker = self._fast.get(resource_type, _UNKNOWN)
        if walker is _UNKNOWN:
            walker = self._fast[resource_type] = self._fast_walker(resource_type)
        if walker is False:
            return False  # a type the region does not have: a finding
        refs_fine = self._references_fine
        for key, value in resource.items():
            if key == "DependsOn":
                if value is not None and next(self._depends_on(("Resources", logical_id), value), None) is not None:
                    return False
            elif key == "Condition":
                if not self._condition_defined(value) or (isinstance(value, dict | list) and not refs_fine(value)):
                    return False
            elif key == "Properties" and walker is not None:
                continue  # walked against the schema below, its references with it
            elif isinstance(value, dict | list):
                if type(value) is dict and (len(value) != 1 or next(iter(value)) not in _REFERENCE_KEYS) and all(
                        type(child) is str for child in value.values()):
                    continue  # text only (iac's Metadata, a path): nothing below to check
                if not refs_fine(value):
                    return False
        if walker is None:
            return True  # a type with no schema by design: its references only
        properties = resource.get("Properties", {})
        if properties is None:
            properties = {}
        if walker.packaged and _local_paths(resource_type, properties, ()):
            return False
        if isinstance(properties, dict) and not walker.read_only_roots.isdisjoint(properties):
            return False
        return walker.fine(properties, walker.schema.document)

    def _fast_walker(self, resource_type: str) -> _FastWalker | bool | None:
        """The fast walker of `resource_type`; None for a type whose schema is skipped by design, False for
        a type the region does not have."""
        if _skips_schema(resource_type, self.serverless):
            return None
        schema = resource_schema(resource_type, self.region)
        if schema is None:
            return False
        return _FastWalker(schema, self, packaged=bool(packaged_property_paths().get(resource_type)))

    def _resource(self, logical_id: str, resource: Any) -> Iterator[SchemaFinding]:
        path: tuple[str | int, ...] = ("Resources", logical_id)
        if FOR_EACH.match(logical_id):  # not expanded: the template lacks the transform
            yield SchemaFinding(path=path, message=f"{logical_id} needs the AWS::LanguageExtensions transform",
                                suggestion="add Transform: AWS::LanguageExtensions", rule="E3001")
            return
        if not isinstance(resource, dict):
            yield SchemaFinding(path=path, message="a resource must be an object with a Type", rule="E3001",
                                expected="object", given=_json_type(resource))
            return
        resource_type = resource.get("Type")
        if not isinstance(resource_type, str):
            yield SchemaFinding(path=path + ("Type",), message="the resource has no Type", expected="a type name",
                                rule="E3001")
            return
        yield from self._references(path, {k: v for k, v in resource.items() if k != "DependsOn"})
        yield from self._depends_on(path, resource.get("DependsOn"))
        yield from self._condition_name(path + ("Condition",), resource.get("Condition"))
        if _skips_schema(resource_type, self.serverless):
            return
        schema = resource_schema(resource_type, self.region)
        if schema is None:
            hint: str | None
            if resource_type.startswith("AWS::Serverless::"):
                hint = "SAM types need the transform: add Transform: AWS::Serverless-2016-10-31"
            else:
                suggestion = suggest_type(resource_type, self.region)
                hint = f"did you mean {suggestion}?" if suggestion else None
            yield SchemaFinding(
                path=path + ("Type",),
                message=f"unknown resource type {resource_type!r} in {self.region}", rule="E3006",
                given=resource_type,
                suggestion=hint,
            )
            return
        properties = resource.get("Properties", {})
        if properties is None:
            properties = {}
        local_paths = _local_paths(resource_type, properties, path + ("Properties",))
        if isinstance(properties, dict):
            for name in properties:
                if name in schema.read_only_roots:
                    yield SchemaFinding(path=path + ("Properties", name),
                                        message=f"{name!r} is read-only: CloudFormation sets it, a template cannot",
                                        given=name, suggestion=f"read it with Fn::GetAtt {logical_id}.{name}",
                                        rule="E3002")
        yield from _Walker(schema, local_paths).check(properties, schema.document, path + ("Properties",))

    def _depends_on(self, path: tuple[str | int, ...], depends_on: Any) -> Iterator[SchemaFinding]:
        if depends_on is None:
            return
        targets = [depends_on] if isinstance(depends_on, str) else depends_on
        if not isinstance(targets, list):
            yield SchemaFinding(path=path + ("DependsOn",), message="DependsOn must be a logical id or a list of them",
                                given=_json_type(depends_on), rule="E3005")
            return
        for index, target in enumerate(targets):
            if not isinstance(target, str):  # a function or a number: no logical id (and no key of a dict)
                yield _not_a_name(path + ("DependsOn", index), "a DependsOn entry", target, rule="E3001")
                continue
            if target not in self.resources and not (isinstance(target, str)
                                                     and self._defined_elsewhere("Resources", target)):
                yield _undefined(path + ("DependsOn", index), "DependsOn", target, self.resources, rule="E3005")

    def _condition_name(self, path: tuple[str | int, ...], name: Any) -> Iterator[SchemaFinding]:
        if name is not None and not isinstance(name, str):
            yield _not_a_name(path, "a Condition", name, rule="E1028" if "Fn::If" in path else "E3001")
            return
        if name is not None and name not in self.conditions and not (
                isinstance(name, str) and self._defined_elsewhere("Conditions", name)):
            yield _undefined(path, "Condition", name, self.conditions, rule="E1028" if "Fn::If" in path else "E8002")

    # -- references ------------------------------------------------------------------------

    def _references(self, path: tuple[str | int, ...], value: Any) -> Iterator[SchemaFinding]:
        """Ref / GetAtt / Sub / Fn::If names that do not exist, anywhere below `value`."""
        if self._references_fine(value):
            return  # the usual case, found without building a path per value: nothing to say
        pending: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
        while pending:
            where, item = pending.pop()
            if isinstance(item, list):
                pending.extend((where + (i,), child) for i, child in enumerate(item))
                continue
            if not isinstance(item, dict):
                continue
            if len(item) == 1:
                key, arg = next(iter(item.items()))
                if key == "Ref":
                    yield from self._ref(where + ("Ref",), arg)
                    continue
                if key == "Fn::GetAtt":
                    yield from self._getatt(where + ("Fn::GetAtt",), arg)
                    if isinstance(arg, list):
                        pending.extend((where + (key, i), child) for i, child in enumerate(arg[1:], 1))
                    continue
                if key == "Fn::Sub":
                    yield from self._sub(where + ("Fn::Sub",), arg)
                if key == "Fn::If" and isinstance(arg, list) and arg:
                    yield from self._condition_name(where + ("Fn::If", 0), arg[0])
                if key == "Condition" and isinstance(arg, str):
                    yield from self._condition_name(where + ("Condition",), arg)
                    continue
            pending.extend((where + (k,), child) for k, child in item.items())

    def _references_fine(self, value: Any) -> bool:
        """Whether `_references` finds nothing below `value`: its walk, with no paths and each check asked
        only whether it would say something (a GetAtt's and a Sub's answers kept for the template)."""
        pending: list[Any] = [value]
        pop, extend = pending.pop, pending.extend
        known = self._known_names
        while pending:
            item = pop()
            if isinstance(item, list):
                extend(item)
                continue
            if not isinstance(item, dict):
                continue
            if len(item) == 1:
                key, arg = next(iter(item.items()))
                if key == "Ref":
                    if isinstance(arg, str) and arg not in known and next(self._ref(("Ref",), arg), None):
                        return False
                    continue
                if key == "Fn::GetAtt":
                    if not self._quietly("Fn::GetAtt", arg):
                        return False
                    if isinstance(arg, list):
                        extend(arg[1:])
                    continue
                if key == "Fn::Sub" and not self._quietly("Fn::Sub", arg):
                    return False
                if key == "Fn::If" and isinstance(arg, list) and arg and not self._condition_defined(arg[0]):
                    return False
                if key == "Condition" and isinstance(arg, str):
                    if not self._condition_defined(arg):
                        return False
                    continue
            extend(item.values())
        return True

    @functools.cached_property
    def _known_names(self) -> frozenset[str]:
        """Names a Ref may name without a finding: pseudo parameters, resources, parameters."""
        return PSEUDO_PARAMETERS | frozenset(self.resources) | frozenset(self.parameters)

    def _quietly(self, function: str, arg: Any) -> bool:
        """Whether `_getatt` or `_sub` (`function`) finds nothing in `arg`; the answer is kept for an argument
        of text only (the same GetAtt and Sub recur across a template's resources)."""
        pair = type(arg) is list and len(arg) == 2 and type(arg[0]) is str and type(arg[1]) is str  # [Id, Attr]
        key: tuple[str | None, ...] | None = (function, None, arg[0], arg[1]) if pair else (function, arg) if (
            isinstance(arg, str)) else (function, None, *arg) if (
            isinstance(arg, list) and all(isinstance(part, str) for part in arg)) else None  # None: a list, not text
        answer = self._quiet.get(key) if key is not None else None
        if answer is None:
            if pair and function == "Fn::GetAtt":
                answer = self._attribute_fine(arg[0], arg[1])  # what _getatt says of it, without its generators
            else:
                answer = next((self._getatt if function == "Fn::GetAtt" else self._sub)((function,), arg), None) is None
            if key is not None:
                self._quiet[key] = answer
        return answer

    def _condition_defined(self, name: Any) -> bool:
        """Whether `_condition_name` finds nothing for `name`."""
        return name is None or (isinstance(name, str) and name in self.conditions) or (isinstance(name, str)
                                                           and self._defined_elsewhere("Conditions", name))

    def _ref(self, path: tuple[str | int, ...], name: Any) -> Iterator[SchemaFinding]:
        if not isinstance(name, str):
            return  # a computed Ref (e.g. from Fn::Sub) is for cfn-lint to judge
        if name in PSEUDO_PARAMETERS or name in self.resources or name in self.parameters:
            return
        if self.serverless:
            return  # the Serverless transform generates resources (ServerlessRestApi, <Fn>Role...)
        if self._defined_elsewhere("Resources", name):
            return
        candidates = list(self.resources) + list(self.parameters) + sorted(PSEUDO_PARAMETERS)
        yield _undefined(path, "Ref", name, candidates, rule="E1020" if path[-1] == "Ref" else "E1019")

    def _getatt(self, path: tuple[str | int, ...], arg: Any) -> Iterator[SchemaFinding]:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[0], str):
            yield SchemaFinding(path=path, message="Fn::GetAtt needs [LogicalId, Attribute]", given=json.dumps(arg),
                                rule="E1010")
            return
        target, attribute = arg
        yield from self._attribute(path, target, attribute)

    def _attribute(self, path: tuple[str | int, ...], target: str, attribute: Any) -> Iterator[SchemaFinding]:
        if target not in self.resources:
            # with the Serverless transform it may be a resource the transform generates
            if not self.serverless and not self._defined_elsewhere("Resources", target):
                yield _undefined(path, "Fn::GetAtt", target, self.resources,
                                 rule="E1010" if path[-1] == "Fn::GetAtt" else "E1019")
            return
        if not isinstance(attribute, str):
            return
        resource_type = self.resources[target].get("Type") if isinstance(self.resources[target], dict) else None
        if not isinstance(resource_type, str) or _any_attribute_allowed(resource_type, self.serverless):
            return
        has = self._attributes.get((resource_type, attribute))
        if has is None:
            has = self._attributes[resource_type, attribute] = self._has_attribute(resource_type, attribute)
        if has:
            return
        names = sorted(getatt_attributes(resource_type, self.region).keys())
        close = difflib.get_close_matches(attribute, names, n=1, cutoff=0.6)
        known = ", ".join(names) or "none"
        yield SchemaFinding(
            path=path,
            message=f"{resource_type} has no attribute {attribute!r} (resource {target})",
            expected=None if close else f"one of: {known}",
            given=attribute,
            suggestion=f"did you mean {close[0]}?" if close else None,
            rule="E1010" if path[-1] == "Fn::GetAtt" else "E1019",
        )

    def _attribute_fine(self, target: str, attribute: str) -> bool:
        """Whether `_attribute` finds nothing in a GetAtt of `target`'s `attribute`."""
        if target not in self.resources:
            return self.serverless or self._defined_elsewhere("Resources", target)
        resource = self.resources[target]
        resource_type = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(resource_type, str) or _any_attribute_allowed(resource_type, self.serverless):
            return True
        has = self._attributes.get((resource_type, attribute))
        if has is None:
            has = self._attributes[resource_type, attribute] = self._has_attribute(resource_type, attribute)
        return has

    def _has_attribute(self, resource_type: str, attribute: str) -> bool:
        """Whether `Fn::GetAtt` of `attribute` of a `resource_type` is no problem for this layer."""
        schema = resource_schema(resource_type, self.region)
        if schema is None or attribute in schema.attributes:
            return True
        if attribute.split(".", 1)[0] in property_names(resource_type, region=self.region):
            # Some types also expose ordinary properties (an SQS queue's QueueName). Which ones is
            # known to cfn-lint, whose import costs ~1 s: leave this case to the lint layer.
            return True
        return getatt_attributes(resource_type, self.region).get(attribute) is not None

    def _sub(self, path: tuple[str | int, ...], arg: Any) -> Iterator[SchemaFinding]:
        text, local = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1]) if (
            isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict)
        ) else (None, {})
        if text is None:
            return
        for variable in sub_expressions(text):
            name, _, attribute = variable.partition(".")
            if name in local:
                continue
            if attribute and name not in PSEUDO_PARAMETERS:
                yield from self._attribute(path, name, attribute)
            else:
                yield from self._ref(path, name)


class _Walker:
    """Checks one value against one node of a resource schema, recursively."""

    def __init__(self, schema: ResourceSchema, unchecked: set[tuple[str | int, ...]] | None = None) -> None:
        self.schema = schema
        self.unchecked = unchecked or set()

    def check(self, value: Any, node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[SchemaFinding]:
        if path in self.unchecked:
            return
        node = self.schema.resolve(node) if "$ref" in node else node
        if isinstance(value, str) and DYNAMIC_REFERENCE in value:
            return  # {{resolve:ssm:...}}: CloudFormation substitutes the value before the type applies
        if isinstance(value, dict) and len(value) == 1:
            key = next(iter(value))
            if key in INTRINSIC_KEYS or key.startswith("Fn::"):
                yield from self._intrinsic(key, value[key], node, path)
                return
        expected = _expected_types(node)
        if expected and not _type_matches(value, expected):
            yield SchemaFinding(
                path=path,
                message=f"expected {_describe_types(expected)}, got {_json_type(value)}",
                expected=_describe_types(expected),
                given=_short(value),
                rule="E3012",
            )
            return
        if "enum" in node and not _in_enum(value, node["enum"]):
            yield _enum_finding(value, node["enum"], path)
        if "const" in node and value != node["const"]:
            yield SchemaFinding(path=path, message=f"value must be {node['const']!r}", expected=repr(node["const"]),
                                given=_short(value), rule="E3030")
        if isinstance(value, str):
            yield from self._string(value, node, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield from _number(value, node, path)
        elif isinstance(value, list):
            yield from self._array(value, node, path)
        elif isinstance(value, dict):
            yield from self._object(value, node, path)
        for combinator in ("anyOf", "oneOf"):
            if combinator in node:
                yield from self._any_of(value, node[combinator], path)
        for sub in node.get("allOf", ()):
            yield from self.check(value, sub, path)

    def _intrinsic(self, key: str, arg: Any, node: dict[str, Any], path: tuple[str | int, ...]
                   ) -> Iterator[SchemaFinding]:
        if key == "Fn::If":
            if isinstance(arg, list) and len(arg) == 3:
                for branch_index in (1, 2):
                    branch = arg[branch_index]
                    if not _is_no_value(branch):
                        yield from self.check(branch, node, path + ("Fn::If", branch_index))
            else:
                yield SchemaFinding(path=path + ("Fn::If",), message="Fn::If needs [condition, if_true, if_false]",
                                    given=_short(arg), rule="E1028")
            return
        if key == "Ref" and arg == "AWS::NoValue":
            return
        if key in CONDITION_FUNCTIONS or key == "Condition":
            yield SchemaFinding(path=path + (key,),
                                message=f"{key} can only be used in the Conditions section or inside Fn::If",
                                given=key, rule="E3012")
            return
        results = FUNCTION_RESULTS.get(key)
        if results is None:
            # A misspelling is said with the function meant; a name like no function iac knows may be
            # one CloudFormation added since, and is left to cfn-lint (which knows today's functions).
            known = difflib.get_close_matches(key, sorted(INTRINSIC_KEYS), n=1)
            if known:
                yield SchemaFinding(path=path + (key,), message=f"unknown intrinsic function {key!r}", given=key,
                                    suggestion=f"did you mean {known[0]}?", rule="E3012")
            return
        expected = _expected_types(node)
        if not expected and "properties" in node:
            expected = {"object"}
        if expected and not (expected & results):
            yield SchemaFinding(
                path=path + (key,),
                message=f"{key} cannot produce {_describe_types(expected)} here",
                expected=_describe_types(expected),
                given=f"{key} (gives {_describe_types(results - {'integer', 'number', 'boolean'} or results)})",
                rule="E3012",
            )

    def _string(self, value: str, node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[SchemaFinding]:
        if "minLength" in node and len(value) < node["minLength"]:
            yield SchemaFinding(path=path, message=f"string is shorter than {node['minLength']} characters",
                                expected=f"at least {node['minLength']} characters", given=_short(value),
                                rule="E3033")
        if "maxLength" in node and len(value) > node["maxLength"]:
            yield SchemaFinding(path=path, message=f"string is longer than {node['maxLength']} characters",
                                expected=f"at most {node['maxLength']} characters", given=f"{len(value)} characters",
                                rule="E3033")
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            if pattern_matches(pattern, value) is False:  # None: a pattern regex cannot read is left to cfn-lint
                yield SchemaFinding(path=path, message="value does not match the pattern the schema requires",
                                    expected=f"a string matching {pattern}", given=_short(value),
                                    rule="E3031")

    def _array(self, value: list[Any], node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[SchemaFinding]:
        if "minItems" in node and len(value) < node["minItems"]:
            yield SchemaFinding(path=path, message=f"list has fewer than {node['minItems']} items",
                                expected=f"at least {node['minItems']} items", given=f"{len(value)} items",
                                rule="E3032")
        if "maxItems" in node and len(value) > node["maxItems"]:
            yield SchemaFinding(path=path, message=f"list has more than {node['maxItems']} items",
                                expected=f"at most {node['maxItems']} items", given=f"{len(value)} items",
                                rule="E3032")
        items = node.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                yield from self.check(item, items, path + (index,))

    def _object(self, value: dict[str, Any], node: dict[str, Any], path: tuple[str | int, ...]
                ) -> Iterator[SchemaFinding]:
        properties: dict[str, Any] = node.get("properties") or {}
        pattern_properties: dict[str, Any] = node.get("patternProperties") or {}
        additional = node.get("additionalProperties", True)
        for name in node.get("required", ()):
            if name not in value:
                yield SchemaFinding(path=path, message=f"required property {name!r} is missing",
                                    expected=f"{name} to be set", rule="E3003")
        for name, child in value.items():
            if name in properties:
                yield from self.check(child, properties[name], path + (name,))
                continue
            matched = [sub for pattern, sub in pattern_properties.items() if _matches(pattern, name)]
            for sub in matched:
                yield from self.check(child, sub, path + (name,))
            if matched:
                continue
            if additional is False and name not in self.schema.read_only_roots:
                if pattern_properties and not properties:
                    patterns = " or ".join(sorted(pattern_properties))
                    yield SchemaFinding(path=path + (name,), message=f"name {name!r} is not allowed here",
                                        expected=f"names matching {patterns}", given=name,
                                        rule="E3002")
                    continue
                writable = properties if node is not self.schema.document else {
                    key: value for key, value in properties.items() if key not in self.schema.read_only_roots}
                yield _unknown_property(name, writable, path)
            elif isinstance(additional, dict):
                yield from self.check(child, additional, path + (name,))

    def _any_of(self, value: Any, branches: list[dict[str, Any]], path: tuple[str | int, ...]
                ) -> Iterator[SchemaFinding]:
        """At least one branch must accept the value; else report the branch that came closest."""
        best: list[SchemaFinding] | None = None
        for branch in branches:
            found = list(self.check(value, branch, path))
            if not found:
                return
            if best is None or len(found) < len(best):
                best = found
        yield from best or ()


_UNKNOWN: Any = object()
_ABSENT: Any = object()


class _Node:
    """One schema node, its `$ref` followed, with what `_Walker.check` looks up in it read once, and the
    answers it gave for text and integers (which hold no reference: the answer is the value's alone)."""

    __slots__ = ("additional", "all_of", "answers", "array", "branches", "checks_bools", "checks_ints", "checks_text",
                 "const", "enum", "functions", "intrinsic", "items", "node", "number", "pattern_properties",
                 "properties", "required", "text", "types")

    def __init__(self, node: dict[str, Any]) -> None:
        self.node = node
        self.types = types = _expected_types(node)
        self.enum = node["enum"] if "enum" in node else _ABSENT
        self.const = node["const"] if "const" in node else _ABSENT
        self.text = "minLength" in node or "maxLength" in node or "pattern" in node
        self.number = "minimum" in node or "maximum" in node or "exclusiveMinimum" in node or (
            "exclusiveMaximum" in node)
        self.array = "minItems" in node or "maxItems" in node
        items = node.get("items")
        self.items: dict[str, Any] | None = items if isinstance(items, dict) else None
        self.properties: dict[str, Any] = node.get("properties") or {}
        self.pattern_properties: dict[str, Any] = node.get("patternProperties") or {}
        self.additional = node.get("additionalProperties", True)
        self.required: list[str] = list(node.get("required", ()))
        self.branches: list[list[dict[str, Any]]] = [node[key] for key in ("anyOf", "oneOf") if key in node]
        self.all_of: list[dict[str, Any]] = list(node.get("allOf", ()))
        #: what a function here must be able to give (`_Walker._intrinsic`), and function name -> whether it can
        self.intrinsic = types or ({"object"} if "properties" in node else set())
        self.functions: dict[str, bool] = {}
        keywords = self.enum is not _ABSENT or self.const is not _ABSENT or bool(self.branches or self.all_of)
        #: whether a text, an integer or a boolean may be wrong here at all (when not, it is fine without a look)
        self.checks_text = keywords or self.text or bool(types and "string" not in types)
        self.checks_ints = keywords or self.number or bool(types and not types & {"integer", "number", "string"})
        self.checks_bools = keywords or bool(types and not types & {"boolean", "string"})
        self.answers: dict[str | int, bool] = {}  # text or integer -> the answer


class _FastWalker:
    """`_Walker.check` of one resource type's properties and `_TemplateChecker._references` of them in one
    walk, answering only whether either would say anything: no path per value, no generator per node, each
    schema node's keywords read once (`_Node`). Where the schema walk stops (a function, a property the
    schema leaves open) the reference walk takes what is below; where it goes on, the references are
    checked on the way. Yes means neither finds anything (tests/synth/test_schema_fast_equal.py compares
    them on every template under tests/); no sends the resource to the walks that say what is wrong."""

    def __init__(self, schema: ResourceSchema, checker: _TemplateChecker, *, packaged: bool) -> None:
        self.schema = schema
        self.read_only_roots = schema.read_only_roots
        self.packaged = packaged  # whether the type has properties `aws cloudformation package` may fill
        self.references_fine = checker._references_fine
        self.condition_defined = checker._condition_defined
        self.known = checker._known_names
        self.quiet = checker._quiet
        #: id of a node of the schema's document (which keeps it alive) -> its _Node
        self.nodes: dict[int, _Node] = {}

    def _node(self, raw: dict[str, Any]) -> _Node:
        node = self.nodes[id(raw)] = _Node(self.schema.resolve(raw) if "$ref" in raw else raw)
        return node

    def fine(self, value: Any, raw: dict[str, Any]) -> bool:
        """Whether `_Walker.check(value, raw)` and `_references` of `value` find nothing."""
        return self.check(value, self.nodes.get(id(raw)) or self._node(raw))

    def check(self, value: Any, node: _Node) -> bool:
        kind = type(value)
        if kind is str:
            if not node.checks_text:
                return True
        elif kind is int:
            if not node.checks_ints:
                return True
        elif kind is bool:
            return not node.checks_bools or self._check(value, node)
        else:
            return self._check(value, node)
        answer = node.answers.get(value)  # text or an integer: its answer is its own, whatever holds it
        if answer is None:
            answer = node.answers[value] = self._check(value, node)
        return answer

    def _check(self, value: Any, node: _Node) -> bool:
        types = node.types
        if isinstance(value, str):
            if DYNAMIC_REFERENCE in value:
                return True
            if types and "string" not in types and not _type_matches(value, types):
                return False
            if node.text and not _text_fine(value, node.node):
                return False
        elif isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                if key in INTRINSIC_KEYS or key.startswith("Fn::"):
                    return self._intrinsic(key, value, node)
            if types and "object" not in types:
                return False
            if not self._object(value, node):
                return False
        elif isinstance(value, list):
            if types and "array" not in types:
                return False
            if node.array and not _count_fine(value, node.node):
                return False
            items = node.items
            if items is None:
                if not self.references_fine(value):
                    return False
            else:
                check = self.check
                item_node = self.nodes.get(id(items)) or self._node(items)
                for item in value:
                    if not check(item, item_node):
                        return False
        else:  # a number, a boolean, null
            if types and not _type_matches(value, types):
                return False
            if node.number and isinstance(value, int | float) and not isinstance(value, bool) and not _number_fine(
                    value, node.node):
                return False
        if node.enum is not _ABSENT and not _in_enum(value, node.enum):
            return False
        if node.const is not _ABSENT and value != node.const:
            return False
        for branches in node.branches:
            if branches and not any(self.fine(value, branch) for branch in branches):
                return False
        return not node.all_of or all(self.fine(value, sub) for sub in node.all_of)

    def _intrinsic(self, key: str, value: dict[str, Any], node: _Node) -> bool:
        arg = value[key]
        if key == "Ref" and arg == "AWS::NoValue":
            return True  # fits anywhere, and a pseudo parameter
        if key == "Fn::If":
            if not (isinstance(arg, list) and len(arg) == 3):
                return False
            condition = arg[0]
            if not self.condition_defined(condition) or (
                    isinstance(condition, dict | list) and not self.references_fine(condition)):
                return False
            # each branch against the node, its references with it ({"Ref": "AWS::NoValue"} has none)
            return all(_is_no_value(branch) or self.check(branch, node) for branch in arg[1:])
        if key in CONDITION_FUNCTIONS or key == "Condition":
            return False
        fits = node.functions.get(key)
        if fits is None:
            results = FUNCTION_RESULTS.get(key)
            if results is None:  # a function iac does not know: said if it looks like one misspelt
                fits = not difflib.get_close_matches(key, sorted(INTRINSIC_KEYS), n=1)
            else:
                fits = not node.intrinsic or bool(node.intrinsic & results)
            node.functions[key] = fits
        if not fits:
            return False
        if key == "Ref":
            return (type(arg) is str and arg in self.known) or self.references_fine(value)
        if key == "Fn::GetAtt" and type(arg) is list and len(arg) == 2 and type(arg[0]) is str and type(
                arg[1]) is str:
            answer = self.quiet.get(("Fn::GetAtt", None, arg[0], arg[1]))
            if answer is not None:
                return answer
        if key in _REFERENCE_KEYS:
            return self.references_fine(value)
        if key == "Fn::Join" and type(arg) is list and len(arg) == 2 and type(arg[1]) is list:
            # the usual function: text, and functions of its own, the Refs of known names answered here
            known, references_fine = self.known, self.references_fine
            for part in arg[1]:
                if type(part) is dict and len(part) == 1:
                    name = part.get("Ref")
                    if type(name) is str and name in known:
                        continue
                if isinstance(part, dict | list) and not references_fine(part):
                    return False
            return not isinstance(arg[0], dict | list) or references_fine(arg[0])
        # a function whose argument only `_references` walks into
        return not isinstance(arg, dict | list) or self.references_fine(arg)

    def _object(self, value: dict[str, Any], node: _Node) -> bool:
        for name in node.required:
            if name not in value:
                return False
        properties = node.properties
        pattern_properties = node.pattern_properties
        additional = node.additional
        nodes, check = self.nodes, self.check
        for name, child in value.items():
            if name in properties:
                raw = properties[name]
                if not check(child, nodes.get(id(raw)) or self._node(raw)):
                    return False
                continue
            if pattern_properties:
                matched = [sub for pattern, sub in pattern_properties.items() if _matches(pattern, name)]
                if matched:
                    for sub in matched:
                        if not self.fine(child, sub):
                            return False
                    continue
            if additional is False and name not in self.read_only_roots:
                return False
            if isinstance(additional, dict):
                if not self.fine(child, additional):
                    return False
            elif isinstance(child, dict | list) and not self.references_fine(child):
                return False  # a value the schema leaves open: its references only
        return True


def _text_fine(value: str, node: dict[str, Any]) -> bool:
    """Whether `_Walker._string` finds nothing."""
    if "minLength" in node and len(value) < node["minLength"]:
        return False
    if "maxLength" in node and len(value) > node["maxLength"]:
        return False
    pattern = node.get("pattern")
    return not (isinstance(pattern, str) and pattern_matches(pattern, value) is False)


def _count_fine(value: list[Any], node: dict[str, Any]) -> bool:
    """Whether `_Walker._array` finds nothing in the length of `value`."""
    return not ("minItems" in node and len(value) < node["minItems"]) and not (
        "maxItems" in node and len(value) > node["maxItems"])


_BOUNDS: tuple[tuple[str, Any], ...] = (
    ("minimum", operator.lt), ("maximum", operator.gt), ("exclusiveMinimum", operator.le),
    ("exclusiveMaximum", operator.ge),
)


def _number_fine(value: float, node: dict[str, Any]) -> bool:
    """Whether `_number` finds nothing."""
    for key, fails in _BOUNDS:
        bound = node.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool) and fails(value, bound):
            return False
    return True


def _number(value: float, node: dict[str, Any], path: tuple[str | int, ...]) -> Iterator[SchemaFinding]:
    for key, fails, words in (
        ("minimum", lambda v, b: v < b, "at least"),
        ("maximum", lambda v, b: v > b, "at most"),
        ("exclusiveMinimum", lambda v, b: v <= b, "more than"),
        ("exclusiveMaximum", lambda v, b: v >= b, "less than"),
    ):
        bound = node.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool) and fails(value, bound):
            yield SchemaFinding(path=path, message=f"value {value} is out of range", expected=f"{words} {bound}",
                                given=str(value), rule="E3034")


def _expected_types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    return set()


def _type_matches(value: Any, expected: set[str]) -> bool:
    """CloudFormation converts scalars: "60" is a fine integer and 60 a fine string."""
    if isinstance(value, bool):
        return bool(expected & {"boolean", "string"})
    if isinstance(value, int):
        return bool(expected & {"integer", "number", "string"})
    if isinstance(value, float):
        return bool(expected & {"number", "string"}) or ("integer" in expected and value.is_integer())
    if isinstance(value, str):
        if "string" in expected:
            return True
        if expected & {"integer"} and _INTEGER.match(value):
            return True
        if expected & {"number"} and _NUMBER.match(value):
            return True
        return "boolean" in expected and value.lower() in ("true", "false")
    if isinstance(value, list):
        return "array" in expected
    if isinstance(value, dict):
        return "object" in expected
    return value is None and "null" in expected


_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _text(value: Any) -> str:
    return value if type(value) is str else str(value)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "array": "a list", "object": "an object", "null": "null"}


def _describe_types(types: set[str] | frozenset[str]) -> str:
    return " or ".join(_TYPE_WORDS.get(t, t) for t in sorted(types))


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _in_enum(value: Any, choices: list[Any]) -> bool:
    if value in choices:
        return True
    return isinstance(value, bool | int | float) and str(value).lower() in {str(c).lower() for c in choices}


def _enum_finding(value: Any, choices: list[Any], path: tuple[str | int, ...]) -> SchemaFinding:
    text = str(value)
    by_lower = {str(c).lower(): c for c in choices}
    close = [by_lower[text.lower()]] if text.lower() in by_lower else difflib.get_close_matches(
        text, [str(c) for c in choices], n=1, cutoff=0.6)
    listed = ", ".join(str(c) for c in choices[:12]) + (", ..." if len(choices) > 12 else "")
    return SchemaFinding(path=path, message=f"{_short(value)} is not an allowed value", expected=f"one of: {listed}",
                         given=_short(value), suggestion=f"did you mean {close[0]}?" if close else None, rule="E3030")


def _unknown_property(name: str, properties: dict[str, Any], path: tuple[str | int, ...]) -> SchemaFinding:
    by_lower = {p.lower(): p for p in properties}
    close = [by_lower[name.lower()]] if name.lower() in by_lower else difflib.get_close_matches(
        name, list(properties), n=1, cutoff=0.6)
    return SchemaFinding(
        path=path + (name,),
        message=f"unknown property {name!r}",
        expected=None if close else f"one of: {', '.join(sorted(properties))}" if properties else "no properties",
        given=name,
        suggestion=f"did you mean {close[0]}?" if close else None,
        rule="E3002",
    )


def _undefined(path: tuple[str | int, ...], what: str, name: Any, candidates: Any, *, rule: str) -> SchemaFinding:
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.6)
    return SchemaFinding(path=path, message=f"{what} names {name!r}, which is not defined in this template",
                         given=str(name), suggestion=f"did you mean {close[0]}?" if close else None, rule=rule)


def _not_a_name(path: tuple[str | int, ...], what: str, value: Any, *, rule: str) -> SchemaFinding:
    """A name CloudFormation takes as text only (a DependsOn entry, a Condition) given as something else."""
    return SchemaFinding(path=path, message=f"{what} must be a name (text), got {_json_type(value)}",
                         given=_json_type(value), rule=rule)


def _matches(pattern: str, name: str) -> bool:
    return pattern_matches(pattern, name) is True


def _local_paths(resource_type: str, properties: Any, where: tuple[str | int, ...]) -> set[tuple[str | int, ...]]:
    """Paths of the properties that hold a local path for `aws cloudformation package` to upload (a
    Lambda function's `Code: ./src`), which the schema layer does not check: cfn-lint warns of them
    (W3002), and the package command makes them what the schema asks for."""
    found: set[tuple[str | int, ...]] = set()
    for path in packaged_property_paths().get(resource_type, ()):
        value = properties
        for name in path:
            value = value.get(name) if isinstance(value, dict) else None
        if isinstance(value, str) and not value.startswith(("s3://", "https://")):
            found.add(where + path)
    return found


def _is_no_value(value: Any) -> bool:
    return isinstance(value, dict) and value == {"Ref": "AWS::NoValue"}


def _has_transform(template: dict[str, Any], name: str) -> bool:
    transform = template.get("Transform")
    return transform == name or (isinstance(transform, list) and name in transform)


def _skips_schema(resource_type: str, serverless: bool) -> bool:
    """Types with no registry schema by design: custom resources, modules, SAM before its transform."""
    return (
        resource_type.startswith("Custom::")
        or resource_type == "AWS::CloudFormation::CustomResource"
        or resource_type.endswith("::MODULE")
        or (serverless and resource_type.startswith("AWS::Serverless::"))
    )


def _any_attribute_allowed(resource_type: str, serverless: bool) -> bool:
    return _skips_schema(resource_type, serverless) or resource_type == "AWS::CloudFormation::Stack"
