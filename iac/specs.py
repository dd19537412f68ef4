"""Facts iac takes from cfn-lint: the CloudFormation registry schemas and additional specs.

cfn-lint ships, per region, a provider map (resource type -> schema file) and the resource schemas
themselves, plus data such as the Lambda runtime lifecycle. Its version (bounded in pyproject.toml)
decides these facts; the manifest records that version and the schema date. Every layer may read
them (constructs validate their props with them, synth validates and diffs with them), so this
module sits at the bottom, next to iac.errors. Everything is loaded lazily and cached.

It is the one reader of that data: callers ask typed questions (`property_enum(type, "Name",
region=...)`, `handler_permissions(type, "create")`, `stateful_types()`) rather than walking schema
dicts, and pass the stack's region where they know it. What iac knows better than the data, or that
the data lacks (the stack-name rule), is kept beside it in iac/spec_corrections.json, each entry with
its documentation URL.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import os
import re
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


#: The cfn-lint constant that names the properties `aws cloudformation package` fills from a local path.
_PACKAGED_PATHS_NAME = "TEMPLATED_PROPERTY_CFN_PATHS"


@functools.cache
def packaged_property_paths() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Type -> property paths that `aws cloudformation package` fills from a local path: cfn-lint's
    TEMPLATED_PROPERTY_CFN_PATHS ("Resources/AWS::Lambda::Function/Properties/Code"), read from its source
    (importing cfn-lint costs about a second; the schema layer asks on every synth). Only the assignment is
    parsed when it stands alone at the top of the file (the whole file cost ~4 ms), else the whole file."""
    import ast

    source = os.path.join(os.path.dirname(cfn_lint_data_root()), "helpers.py")
    try:
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
        tree = _lone_assignment(text, _PACKAGED_PATHS_NAME) or ast.parse(text)
    except (OSError, SyntaxError):  # pragma: no cover - a cfn-lint without the file: check them all
        return {}
    found: dict[str, list[tuple[str, ...]]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == _PACKAGED_PATHS_NAME for t in node.targets):
            for item in ast.walk(node.value):
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    parts = item.value.split("/")
                    if len(parts) >= 4 and parts[0] == "Resources" and parts[2] == "Properties":
                        found.setdefault(parts[1], []).append(tuple(parts[3:]))
    return {resource_type: tuple(paths) for resource_type, paths in found.items()}


def _lone_assignment(text: str, name: str) -> Any:
    """The module of `name = ...` alone, parsed from its line to the next top-level statement, when it is the
    only top-level line that starts with `name` and it parses as just that assignment; else None."""
    import ast

    starts = [found.start() for found in re.finditer(rf"^{re.escape(name)}\b", text, re.MULTILINE)]
    if len(starts) != 1 or not re.match(rf"{re.escape(name)}[ \t]*=(?!=)", text[starts[0]:]):
        return None
    following = re.compile(r"^[^\s)\]}#]", re.MULTILINE).search(text, starts[0] + len(name))
    try:
        tree = ast.parse(text[starts[0]:following.start() if following else len(text)])
    except SyntaxError:
        return None
    statement = tree.body[0] if len(tree.body) == 1 else None
    lone = isinstance(statement, ast.Assign) and [getattr(t, "id", None) for t in statement.targets] == [name]
    return tree if lone else None




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


# -- typed accessors: what callers read from a schema, instead of nested .get() chains ------------------

@functools.cache
def property_names(resource_type: str, *, region: str = DEFAULT_REGION) -> frozenset[str]:
    """The top-level property names of the type's schema (read-only ones included); empty for an unknown type."""
    schema = resource_schema(resource_type, region)
    properties = schema.document.get("properties") if schema else None
    return frozenset(properties) if isinstance(properties, dict) else frozenset()


def property_schema(resource_type: str, *path: str, region: str = DEFAULT_REGION) -> dict[str, Any] | None:
    """The schema node of a property, `$ref`s followed: `property_schema("AWS::Lambda::Function", "MemorySize")`.

    Further names go into sub-properties, through list items, so a nested property reads as its path in a
    template (`"Stages", "Actions", "Name"`) whatever definitions the schema routes it through. None when the
    region has no such type or the type no such property. The node is shared: callers must not change it.
    """
    return _property_node(resource_type, tuple(path), region)


@functools.cache
def _property_node(resource_type: str, path: tuple[str, ...], region: str) -> dict[str, Any] | None:
    schema = resource_schema(resource_type, region)
    if schema is None or not path:
        return None
    node: dict[str, Any] = schema.document
    for name in path:
        child = _child(schema, _element(schema, node), name)
        if child is None:
            return None
        node = schema.resolve(child)
    return node


@functools.cache
def property_document(resource_type: str, *path: str, region: str = DEFAULT_REGION) -> dict[str, Any] | None:
    """The property's schema node as a JSON Schema document of its own, the type's definitions beside it so
    that its inner `$ref`s resolve: what a JSON Schema validator checks one value of the property against.
    None like property_schema; the document is shared: callers must not change it."""
    schema = resource_schema(resource_type, region)
    node = property_schema(resource_type, *path, region=region)
    if schema is None or node is None:
        return None
    return {**node, "definitions": schema.document.get("definitions", {})}


def _child(schema: ResourceSchema, node: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The sub-property `name` of an object node, also where the schema declares it in one of the node's
    alternatives (`oneOf` / `anyOf` / `allOf`, as ~200 definitions do)."""
    properties = node.get("properties")
    child = properties.get(name) if isinstance(properties, dict) else None
    if isinstance(child, dict):
        return child
    for keyword in ("oneOf", "anyOf", "allOf"):
        alternatives = node.get(keyword)
        for alternative in alternatives if isinstance(alternatives, list) else ():
            if isinstance(alternative, dict):
                child = _child(schema, schema.resolve(alternative), name)
                if child is not None:
                    return child
    return None


def _element(schema: ResourceSchema, node: dict[str, Any]) -> dict[str, Any]:
    """The node itself, or what each item of it is when it is a list (lists of lists included)."""
    node = schema.resolve(node)
    while isinstance(node.get("items"), dict):
        node = schema.resolve(node["items"])
    return node


def property_enum(resource_type: str, *path: str, region: str = DEFAULT_REGION) -> tuple[Any, ...]:
    """The values the property may take (for a list: each item), as the schema orders them; () when it
    names none."""
    schema = resource_schema(resource_type, region)
    node = property_schema(resource_type, *path, region=region)
    if schema is None or node is None:
        return ()
    enum = node.get("enum", _element(schema, node).get("enum"))
    return tuple(enum) if isinstance(enum, list) else ()


def property_range(resource_type: str, *path: str, region: str = DEFAULT_REGION
                   ) -> tuple[float | None, float | None]:
    """(minimum, maximum) of a number property, None for a bound the schema does not set."""
    node = property_schema(resource_type, *path, region=region) or {}
    return _bound(node.get("minimum")), _bound(node.get("maximum"))


def property_length(resource_type: str, *path: str, region: str = DEFAULT_REGION) -> tuple[int | None, int | None]:
    """(shortest, longest) a value may be: characters of a string (minLength / maxLength), items of a list
    (minItems / maxItems); None for a bound the schema does not set."""
    node = property_schema(resource_type, *path, region=region) or {}
    if node.get("type") == "array" or "items" in node:
        low, high = node.get("minItems"), node.get("maxItems")
    else:
        low, high = node.get("minLength"), node.get("maxLength")
    return _count(low), _count(high)


def _count(value: Any) -> int | None:
    bound = _bound(value)
    return int(bound) if bound is not None else None


def property_pattern(resource_type: str, *path: str, region: str = DEFAULT_REGION) -> str | None:
    """The regular expression a string property (for a list: each item) must match, in the registry's
    dialect (ECMA-262, searched rather than matched: anchors are part of the pattern); None when it sets none."""
    schema = resource_schema(resource_type, region)
    node = property_schema(resource_type, *path, region=region)
    if schema is None or node is None:
        return None
    pattern = node.get("pattern", _element(schema, node).get("pattern"))
    return pattern if isinstance(pattern, str) else None


# -- the registry's patterns, as iac matches them ---------------------------------------------------------

#: Escapes `re` and `regex` read alike (on printable ASCII text): classes, a word boundary, and a punctuation
#: character taken literally; any other escape (\\p{L}, a back reference, \\Z ...) is left to `regex`.
_ALIKE_ESCAPES = frozenset("dDwWsSbB")
_ALIKE_ESCAPES_IN_SETS = frozenset("dDwWsS")
_QUANTIFIER = r"\{\d+(?:,\d*)?\}|[*+?]"  # compiled on first use (re keeps it): not at import


@functools.cache
def _pattern_matcher(pattern: str) -> tuple[re.Pattern[str] | None, Any]:
    """(the pattern compiled by `re` where it reads it as `regex` does, else None; `regex`'s compiled pattern,
    made on first need)."""
    if not _reads_alike(pattern):
        pattern = _ascii_categories(pattern) or ""
        if not pattern or not _reads_alike(pattern):
            return None, None
    try:
        return re.compile(pattern), None
    except re.error:
        return None, None


@functools.cache
def _regex_pattern(pattern: str) -> Any:
    """The pattern as the `regex` module compiles it (the registry's \\p{L}-style classes are only known to
    it: `re` where it is missing); None when it cannot read it."""
    engine: Any
    try:
        import regex as engine
    except ImportError:  # pragma: no cover - regex is a cfn-lint dependency
        engine = re
    try:
        return engine.compile(pattern)
    except Exception:  # noqa: BLE001 - each engine raises its own error
        return None


def pattern_matches(pattern: str, text: str) -> bool | None:
    """Whether `text` matches a registry schema's `pattern` (searched, as ECMA-262 and JSON Schema do: the
    anchors are part of the pattern) as the `regex` module judges it; None when `regex` cannot read the pattern.

    `regex` costs ~10 ms to import and more to compile with, and most patterns are plain character classes
    and anchors (`^[a-zA-Z0-9_.-]+$`): for those, and text of printable ASCII, the standard `re` reads the
    pattern the same way and answers instead. Anything else (non-ASCII or control characters in the text or
    the pattern, \\p{...}, inline flags, look-arounds, nested sets, possessive quantifiers, a repeated group,
    which `re` can backtrack through exponentially) goes to `regex`.
    """
    plain, _ = _pattern_matcher(pattern)
    if plain is not None and isinstance(text, str) and text.isascii() and text.isprintable():
        return plain.search(text) is not None
    compiled = _regex_pattern(pattern)
    return None if compiled is None else compiled.search(text) is not None


#: The Unicode categories the registry's patterns name (`\p{L}`, `\p{Z}`, `\p{N}`: every tag value's), as the
#: printable ASCII characters they hold. On printable ASCII text, the only text `re` answers for, a pattern with
#: them spelled out means the same; tests/test_specs_patterns.py checks each against `regex`, character by character.
_ASCII_OF_CATEGORY = {"L": "A-Za-z", "Z": " ", "N": "0-9"}


def _ascii_categories(pattern: str) -> str | None:
    """`pattern` with each `\\p{L}`, `\\p{Z}` and `\\p{N}` written as its printable ASCII characters (a set's
    content inside a set, a set outside), for `re`; None when it names another category, or one is an end of a
    range, or a set starts with "]" (left to regex)."""
    if "\\p{" not in pattern:
        return None
    parts: list[str] = []
    index, length, in_set = 0, len(pattern), False
    while index < length:
        char = pattern[index]
        if char == "\\" and pattern.startswith("\\p{", index):
            end = pattern.find("}", index)
            chars = _ASCII_OF_CATEGORY.get(pattern[index + 3 : end]) if end > 0 else None
            if chars is None or (in_set and "-" in (pattern[index - 1], pattern[end + 1 : end + 2])):
                return None
            parts.append(chars if in_set else f"[{chars}]")
            index = end + 1
            continue
        if char == "\\":
            parts.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_set:
            if pattern.startswith(("[]", "[^]"), index):
                return None
            in_set = True
        elif char == "]" and in_set:
            in_set = False
        parts.append(char)
        index += 1
    return "".join(parts)


def _reads_alike(pattern: str) -> bool:
    """Whether `re` and `regex` (version 0) read `pattern` the same way on printable ASCII text: literals,
    `.`, anchors, alternation, plain and non-capturing groups, greedy or lazy quantifiers (on a group only
    `?`: `re` backtracks through `(a+)+` exponentially, `regex` does not), sets of literals, ranges and class
    escapes. Conservative: False also where they agree."""
    if not (pattern.isascii() and pattern.isprintable()):
        return False
    groups = 0  # open groups
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        after = index + 1
        if char == "\\":
            if after >= length or (pattern[after].isalnum() and pattern[after] not in _ALIKE_ESCAPES):
                return False
            after += 1
        elif char == "[":
            after = _set_end(pattern, after)
            if after < 0:
                return False
        elif char == "(":
            if pattern.startswith("(?", index):
                if not pattern.startswith("(?:", index):
                    return False
                after += 2
            groups += 1
        elif char == ")":
            if not groups:
                return False
            groups -= 1
        elif char in "{*+?":
            found = re.compile(_QUANTIFIER).match(pattern, index)
            if found is None or index == 0 or pattern[index - 1] in "(|":
                return False
            if pattern[index - 1] == ")" and found.group() != "?":
                return False  # a repeated group: `re` can backtrack through it exponentially, `regex` does not
            after = found.end()
            if after < length and pattern[after] == "?":
                after += 1  # lazy
            if after < length and pattern[after] in "*+?{":
                return False  # possessive, or doubled
        elif char == "}":
            return False
        index = after
    return groups == 0


def _set_end(pattern: str, index: int) -> int:
    """The index after the set that starts before `index` (just past its "["), or -1 for a set the two engines
    may read differently (nested, POSIX classes, set operations, a leading "]", an escape other than a class)."""
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        return -1
    while index < len(pattern):
        char = pattern[index]
        if char == "]":
            return index + 1
        if char == "\\":
            following = pattern[index + 1] if index + 1 < len(pattern) else ""
            if not following or (following.isalnum() and following not in _ALIKE_ESCAPES_IN_SETS):
                return -1
            index += 2
            continue
        if char == "[" or pattern.startswith(("&&", "||", "--", "~~"), index):
            return -1
        index += 1
    return -1


def _bound(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


@functools.cache
def required_properties(resource_type: str, *, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The top-level properties a template must set for the type."""
    schema = resource_schema(resource_type, region)
    required = schema.document.get("required") if schema else None
    return tuple(required) if isinstance(required, list) else ()


@functools.cache
def primary_identifier(resource_type: str, *, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The properties that identify a resource of the type, as paths below Properties ("Name", or
    "Configuration/Id" for a nested one); () for an unknown type."""
    schema = resource_schema(resource_type, region)
    pointers = schema.document.get("primaryIdentifier", []) if schema else []
    return tuple(pointer.split("/", 2)[2] for pointer in pointers if pointer.startswith("/properties/"))


@functools.cache
def handler_permissions(resource_type: str, operation: str, *, region: str = DEFAULT_REGION) -> tuple[str, ...]:
    """The IAM actions the type's `operation` handler ("create", "read", "update", "delete", "list") calls, as
    the registry schema lists them; () when the schema lists none."""
    schema = resource_schema(resource_type, region)
    handler = (schema.document.get("handlers") or {}).get(operation) if schema else None
    permissions = handler.get("permissions") if isinstance(handler, dict) else None
    return tuple(permissions) if isinstance(permissions, list) else ()


# -- IAM's service authorization data (cfn-lint's AdditionalSpecs/Policies) -------------------------------------

@functools.cache
def _iam_services() -> dict[str, dict[str, Any]]:
    """Service prefix -> {"Actions": {action: {"Resources": [...]}}, "Resources": {type: {"ARNFormats": [...]}}},
    every name in lower case as cfn-lint stores them."""
    return {service.lower(): entry for service, entry in additional_spec("Policies").items() if isinstance(entry, dict)}


def _iam_section(service: str, section: str) -> dict[str, Any]:
    found = _iam_services().get(service.lower(), {}).get(section)
    return found if isinstance(found, dict) else {}


@functools.cache
def iam_actions(service: str) -> frozenset[str]:
    """The actions of an IAM service prefix ("s3"), lower case; empty for a prefix IAM does not know."""
    return frozenset(name.lower() for name in _iam_section(service, "Actions"))


@functools.cache
def iam_action_resource_types(action: str) -> tuple[str, ...]:
    """The IAM resource types ("bucket", "object") an action ("s3:GetObject", any case) acts on, lower case and
    sorted; () when it names none (the action takes only "*") or IAM does not know it."""
    service, _, name = action.partition(":")
    entry = _iam_section(service, "Actions").get(name.lower())
    kinds = entry.get("Resources") if isinstance(entry, dict) else None
    return tuple(sorted({kind.lower() for kind in kinds})) if isinstance(kinds, list) else ()


@functools.cache
def iam_arn_formats(service: str, resource_type: str) -> tuple[str, ...]:
    """The ARN formats of an IAM resource type ("s3", "bucket"), with IAM's ${Partition}-style variables and
    `.*` where a name goes; () for a type IAM does not know."""
    entry = _iam_section(service, "Resources").get(resource_type.lower())
    formats = entry.get("ARNFormats") if isinstance(entry, dict) else None
    return tuple(formats) if isinstance(formats, list) else ()



@attrs.frozen(kw_only=True)
class Tagging:
    """How a resource type takes tags, from its schema's `tagging` metadata and its tag property's schema.

    `property` is the top-level property that holds them ("Tags", or "ResourceTags", ...); `shape` is "list"
    (items {"Key": k, "Value": v}) or "map" ({k: v}); `item_flags` are further boolean keys each list item
    must carry (an Auto Scaling group's "PropagateAtLaunch"). `on_create` / `updatable`: whether tags can be
    set when the resource is created / changed without replacing it (tagOnCreate / tagUpdatable).
    """

    property: str
    shape: str
    item_flags: tuple[str, ...] = ()
    on_create: bool = True
    updatable: bool = True


@functools.cache
def tagging(resource_type: str, region: str = DEFAULT_REGION) -> Tagging | None:
    """How `resource_type` takes tags in `region`; None when its schema says it is not taggable, or keeps
    its tags where a template cannot write them as one top-level list or map (inside TagSpecifications...)."""
    schema = resource_schema(resource_type, region)
    metadata = schema.document.get("tagging") if schema else None
    if schema is None or not isinstance(metadata, dict) or metadata.get("taggable") is not True:
        return None
    pointer = metadata.get("tagProperty", "/properties/Tags")
    if not isinstance(pointer, str) or pointer.count("/") != 2 or not pointer.startswith("/properties/"):
        return None
    name = pointer.split("/")[2]
    node = property_schema(resource_type, name, region=region)
    if node is None:
        return None
    kind = node.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    on_create = metadata.get("tagOnCreate", True) is not False
    updatable = metadata.get("tagUpdatable", True) is not False
    if "object" in kinds:
        return Tagging(property=name, shape="map", on_create=on_create, updatable=updatable)
    if kinds != {"array"} or not isinstance(node.get("items"), dict):
        return None
    item = schema.resolve(node["items"])
    found = item.get("properties")
    keys: dict[str, Any] = found if isinstance(found, dict) else {}
    required = [key for key in item.get("required", []) if key not in ("Key", "Value")]
    if "Key" not in keys or "Value" not in keys:
        return None
    if any(schema.resolve(keys.get(key, {})).get("type") != "boolean" for key in required):
        return None
    return Tagging(property=name, shape="list", item_flags=tuple(sorted(required)), on_create=on_create,
                   updatable=updatable)

# -- facts kept beside cfn-lint's data: iac/spec_corrections.json -----------------------------------------

@attrs.frozen(kw_only=True)
class Correction:
    """One place where iac says something cfn-lint's data does not, and the documentation that says so."""

    subject: str
    why: str
    url: str


@functools.cache
def _corrections() -> dict[str, Any]:
    with open(os.path.join(os.path.dirname(__file__), "spec_corrections.json"), encoding="utf-8") as handle:
        return json.load(handle)


def stateful_corrections() -> tuple[tuple[Correction, ...], tuple[Correction, ...]]:
    """(types iac adds to cfn-lint's stateful list, types it takes out), each with its reason."""
    table = _corrections()["stateful_types"]

    def listed(kind: str) -> tuple[Correction, ...]:
        return tuple(Correction(subject=name, why=entry["why"], url=entry["url"])
                     for name, entry in sorted(table[kind].items()))

    return listed("add"), listed("remove")


@functools.cache
def stateful_types() -> frozenset[str]:
    """Types whose deletion or replacement loses the data they hold: cfn-lint's list (the one its rule I3011
    checks policies with), corrected by iac/spec_corrections.json. The same in every region."""
    listed = set(additional_spec("StatefulResources")["ResourceTypes"])
    added, removed = stateful_corrections()
    return frozenset((listed | {c.subject for c in added}) - {c.subject for c in removed})


def is_stateful(resource_type: str) -> bool:
    """Whether deleting or replacing a resource of the type loses stored data (see stateful_types)."""
    return resource_type in stateful_types()



@functools.cache
def snapshot_types() -> frozenset[str]:
    """Types CloudFormation can snapshot on deletion or replacement (the "Snapshot" DeletionPolicy and
    UpdateReplacePolicy): the list cfn-lint's rules E3035 and E3036 check those policies with."""
    from cfnlint.helpers import valid_snapshot_types

    return frozenset(valid_snapshot_types)

#: What a replacement correction says an update of the property does.
REPLACEMENT_VERDICTS = ("Always", "Conditionally", "Never", "Fails")


@attrs.frozen(kw_only=True)
class ReplacementCorrection:
    """Where the registry schema's create-only marks disagree with the template reference's "Update requires".

    `pointer` is written as the schemas write them ("/properties/A/*/B"); `requires` is Always, Conditionally,
    Never or Fails (CloudFormation refuses the update). `match_by`: items of the list are paired by this key and
    only a change of an item on both sides counts; `unless_update_policy`: no replacement when the resource's
    UpdatePolicy sets this key to true.
    """

    resource_type: str
    pointer: str
    requires: str
    why: str
    url: str
    match_by: str | None = None
    unless_update_policy: str | None = None


@functools.cache
def all_replacement_corrections() -> tuple[ReplacementCorrection, ...]:
    """Every replacement correction in iac/spec_corrections.json, by type and pointer."""
    table = _corrections()["replacement"]
    found = []
    for resource_type, entries in sorted(table.items()):
        if resource_type.startswith("_"):
            continue
        for pointer, entry in sorted(entries.items()):
            if entry["requires"] not in REPLACEMENT_VERDICTS:
                raise ValueError(f"spec_corrections.json: {resource_type} {pointer}: requires must be one of "
                                 f"{REPLACEMENT_VERDICTS}, not {entry['requires']!r}")
            found.append(ReplacementCorrection(
                resource_type=resource_type, pointer=pointer, requires=entry["requires"], why=entry["why"],
                url=entry["url"], match_by=entry.get("match_by"),
                unless_update_policy=entry.get("unless_update_policy")))
    return tuple(found)


@functools.cache
def replacement_corrections(resource_type: str) -> tuple[ReplacementCorrection, ...]:
    """The corrections to `resource_type`'s create-only marks (in every region), applied on top of its schema."""
    return tuple(c for c in all_replacement_corrections() if c.resource_type == resource_type)


@functools.cache
def stack_name_pattern() -> re.Pattern[str]:
    """What a CloudFormation stack name may be; no schema states it (see iac/spec_corrections.json).

    The json writes it as the registry writes patterns (ECMA-262), where a final `$` is the end of the input;
    Python's `$` also matches before a final newline, so it becomes `\\Z` here and `.match` is safe to use.
    """
    pattern: str = _corrections()["stack_name"]["pattern"]
    return re.compile(pattern.removesuffix("$") + r"\Z" if pattern.endswith("$") else pattern)


def stack_name_rule() -> Correction:
    """The stack-name rule in words, with its documentation, for error messages and docs."""
    entry = _corrections()["stack_name"]
    return Correction(subject="stack name", why=entry["why"], url=entry["url"])


def getatt_attributes(resource_type: str, region: str = DEFAULT_REGION) -> Any:
    """Every attribute Fn::GetAtt accepts for the type, as cfn-lint knows them.

    The registry's readOnlyProperties are the common case (checked first, without this call); some
    types also expose ordinary properties (AWS::SQS::Queue's QueueName) or open-ended names
    (AWS::CloudFormation::Stack's Outputs.X), which cfn-lint records. Returns a mapping whose
    `.get(name)` understands those patterns. Imports cfn-lint's schema manager on first use.
    """
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER.get_type_getatts(resource_type, region)


@functools.cache
def _extension_branches(folder: str, name: str, region: str) -> tuple[tuple[Any, Any], ...]:
    """The (if, then) pairs of an extension schema (top level or allOf), the region's when it is keyed by region."""
    document = schema_extension(folder, name)
    if region in document and isinstance(document[region], dict):
        document = document[region]
    branches = document.get("allOf", [document])
    return tuple((branch["if"], branch.get("then", True)) for branch in branches if "if" in branch)


@functools.cache
def _validator(schema_json: str) -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(json.loads(schema_json))


def _holds(schema: Any, instance: dict[str, Any]) -> bool:
    return bool(_validator(json.dumps(schema, sort_keys=True)).is_valid(instance))


def extension_enum(folder: str, name: str, prop: str, given: dict[str, Any], *,
                   region: str = DEFAULT_REGION) -> tuple[Any, ...] | None:
    """The values cfn-lint's extension schema (folder, name) allows for `prop` of a resource whose other
    properties are `given`, e.g. ("aws_rds_dbinstance", "engine_version", "EngineVersion", {"Engine":
    "postgres"}): the enums of every branch whose condition holds, intersected; None when none applies."""
    instance = {prop: "", **given}
    allowed: tuple[Any, ...] | None = None
    for condition, then in _extension_branches(folder, name, region):
        values = then.get("properties", {}).get(prop, {}).get("enum") if isinstance(then, dict) else None
        if values is None or not _holds(condition, instance):
            continue
        allowed = tuple(values) if allowed is None else tuple(v for v in allowed if v in values)
    return allowed


def extension_refuses(folder: str, name: str, properties: dict[str, Any], *, region: str = DEFAULT_REGION) -> bool:
    """Whether cfn-lint's extension schema (folder, name) refuses a resource with these properties, e.g.
    ("aws_rds_dbcluster", "engine_version_deprecated", {"Engine": ..., "EngineVersion": ...})."""
    return any(_holds(condition, properties) and not _holds(then, properties)
               for condition, then in _extension_branches(folder, name, region))
