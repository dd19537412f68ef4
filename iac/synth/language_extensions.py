"""Fn::ForEach of the AWS::LanguageExtensions transform, expanded before the schema layer checks a template.

CloudFormation replaces each `"Fn::ForEach::Name": [Identifier, Collection, {OutputKey: OutputValue}]`
by one copy of the output per item of the collection: `${Identifier}` (and `&{Identifier}`, the item
without its non-alphanumeric characters) in keys and in Fn::Sub strings, and `Ref: Identifier`, become
the item. Loops nest, and may stand in any section's entries or inside a resource's properties:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-foreach.html

The schema layer checks the expansion and reports each finding at the path it has in the template as
written (`Expansion.original`), so a finding in the loop's body points at the loop's lines. A loop
whose collection is not known before deployment (a parameter without a default, an output of another
function) is left out of the expansion and left to cfn-lint; the names it may make are kept as
patterns (`Expansion.may_define`), so that a reference to one of them is not called undefined. A
parameter's default is used to expand a loop over the parameter, and its names are kept as patterns
too: other values may be passed at deployment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from iac.constructs.core.construct import Construct
from iac.constructs.core.element import CfnElement
from iac.errors import ConstructError
from iac.synth.template import section

TRANSFORM = "AWS::LanguageExtensions"
FOR_EACH = re.compile(r"^Fn::ForEach::[A-Za-z0-9]+$")
_VARIABLE = re.compile(r"([$&])\{\s*([^!\s}][^}]*?)\s*\}")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")
_ANY_NAME = re.compile(".+")
#: Copies all the loops of a template may make before iac stops expanding. A stack holds at most 500
#: resources, 200 outputs and a 1 MB template once processed, so a real template stays far below; a
#: hostile one (five nested loops of 100 items: 10^10 copies from a few hundred bytes) stops here.
MAX_COPIES = 10_000

Path = tuple[str | int, ...]


@attrs.define
class Expansion:
    """A template with its loops expanded, and how to find each expanded path in the template as written."""

    template: dict[str, Any]
    #: expanded path -> path as written, for every key a loop made (the longest prefix applies)
    origins: dict[Path, Path] = attrs.field(factory=dict)
    #: section ("Resources", "Outputs", "Conditions") -> patterns of names loops may make at deployment
    may_define: dict[str, list[re.Pattern[str]]] = attrs.field(factory=dict)
    #: expanded paths of objects a loop with unknown items adds keys to (their required keys may be there)
    incomplete: set[Path] = attrs.field(factory=set)
    #: the path (as written) of the first loop that would have gone past MAX_COPIES, if one would
    too_large: Path | None = None

    def original(self, path: Path) -> Path:
        for length in range(len(path), 0, -1):
            written = self.origins.get(path[:length])
            if written is not None:
                return written + path[length:]
        return path

    def defines_maybe(self, section_name: str, name: str) -> bool:
        return any(pattern.fullmatch(name) for pattern in self.may_define.get(section_name, ()))


#: The sections a loop may make entries of -> the element kind of each.
LOOP_SECTIONS = {"Resources": "resource", "Outputs": "output", "Conditions": "condition"}
_LOOP_NAME = re.compile(r"[A-Za-z0-9]+")


class ForEach(CfnElement):
    """`Fn::ForEach::<name>`: a loop CloudFormation expands into one copy of `fragment` per item of
    `collection` (the AWS::LanguageExtensions transform, which the stack gets when it lacks it). The loop
    stays in the template as written; iac's checks and cfn-lint read its expansion.

        ForEach(stack, "Buckets", section="Resources", identifier="Name", collection=["Logs", "Data"],
                fragment={"${Name}Bucket": {"Type": "AWS::S3::Bucket"}})

    Args:
        section: the template section whose entries the loop makes: "Resources", "Outputs" or "Conditions".
        identifier: the loop variable: `${identifier}` and `&{identifier}` (the item without its
            non-alphanumeric characters) in the fragment's keys and Fn::Sub strings, and
            `{"Ref": identifier}`, become the item.
        collection: the items: a list of strings, or a value CloudFormation computes to one (a
            CommaDelimitedList parameter's `.ref`, `Fn.find_in_map(...)`).
        fragment: the entries one item makes, keyed by names that hold `${identifier}`, with values as
            in a template (a nested loop is a key `Fn::ForEach::<name>` with its list).
        name: the loop's name in `Fn::ForEach::<name>` (letters and digits); default: the construct id.
    """

    def __init__(self, scope: Construct, id: str, *, section: str, identifier: str, collection: Any,
                 fragment: dict[str, Any], name: str | None = None) -> None:
        super().__init__(scope, id)
        self.name = id if name is None else name
        problem = None
        if section not in LOOP_SECTIONS:
            problem = f"section must be one of {', '.join(LOOP_SECTIONS)}, got {section!r}"
        elif not isinstance(self.name, str) or not _LOOP_NAME.fullmatch(self.name):
            problem = f"the loop's name {self.name!r} must be letters and digits (Fn::ForEach::<name>)"
        elif not isinstance(identifier, str) or not identifier:
            problem = f"identifier must be a name, got {identifier!r}"
        elif collection is None:
            problem = "collection is required: a list of strings, or a value CloudFormation computes to one"
        elif not isinstance(fragment, dict) or not fragment or not all(isinstance(key, str) for key in fragment):
            problem = f"fragment must map entry names to entries, got {fragment!r}"
        if problem is not None:
            raise ConstructError(f"invalid argument for ForEach {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self.element_kind = LOOP_SECTIONS[section]
        self.section = section
        self.identifier = identifier
        self.collection = collection
        self.fragment = fragment
        transforms: list[Any] = self.stack.template_options.setdefault("Transform", [])
        if TRANSFORM not in transforms:
            transforms.insert(0, TRANSFORM)  # before AWS::Serverless, which must see the loops expanded

    @property
    def logical_id(self) -> str:
        return f"Fn::ForEach::{self.name}"

    def override_logical_id(self, logical_id: str) -> None:
        raise ConstructError("a loop's key is Fn::ForEach::<name>: pass name= instead of override_logical_id()",
                             path=self.path, location=self.location)

    def render(self) -> list[Any]:
        return [self.identifier, self.collection, self.fragment]


def uses_language_extensions(template: dict[str, Any]) -> bool:
    transform = template.get("Transform")
    return transform == TRANSFORM or (isinstance(transform, list) and TRANSFORM in transform)


def written_path(template: dict[str, Any]) -> Callable[[Path], Path] | None:
    """How to turn a path of the expanded template (cfn-lint's, say) into its path as written; None when
    the template has no loops to expand."""
    if not uses_language_extensions(template):
        return None
    expansion = expand(template)
    return expansion.original if expansion.origins else None


def expand(template: dict[str, Any]) -> Expansion:
    """The template with every Fn::ForEach whose collection is known replaced by its copies."""
    expansion = Expansion(template={})
    expander = _Expander(template, expansion)
    expansion.template = expander.walk(template, (), (), {})
    return expansion


class _Expander:
    def __init__(self, template: dict[str, Any], expansion: Expansion) -> None:
        self.parameters = section(template, "Parameters")
        self.mappings = section(template, "Mappings")
        self.expansion = expansion
        self.copies = 0

    def walk(self, value: Any, written: Path, expanded: Path, items: dict[str, str]) -> Any:
        if isinstance(value, list):
            return [self.walk(child, written + (i,), expanded + (i,), items) for i, child in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key in ("Ref", "Fn::Sub", "Fn::GetAtt"):
                return self._function(key, arg, written, expanded, items)
        result: dict[str, Any] = {}
        for key, child in value.items():
            if isinstance(key, str) and FOR_EACH.match(key):
                self._loop(key, child, written + (key,), expanded, items, result)
                continue
            new_key = _substitute(key, items) if isinstance(key, str) else key
            if self.expansion.original(expanded + (new_key,)) != written + (key,):
                self.expansion.origins[expanded + (new_key,)] = written + (key,)
            result[new_key] = self.walk(child, written + (key,), expanded + (new_key,), items)
        return result

    def _function(self, key: str, arg: Any, written: Path, expanded: Path, items: dict[str, str]) -> Any:
        if key == "Ref":
            if isinstance(arg, str) and arg in items:
                return items[arg]
            name = self.walk(arg, written + (key,), expanded + (key,), items)
            if isinstance(name, dict) and set(name) == {"Fn::Sub"} and isinstance(name["Fn::Sub"], str) \
                    and not _VARIABLE.search(name["Fn::Sub"]):
                name = name["Fn::Sub"]  # Ref: !Sub Topic${Name}
            return items.get(name, {"Ref": name}) if isinstance(name, str) else {"Ref": name}
        if key == "Fn::Sub":
            if isinstance(arg, str):
                return {key: _substitute(arg, items)}
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                rest = [self.walk(child, written + (key, i), expanded + (key, i), items)
                        for i, child in enumerate(arg[1:], 1)]
                return {key: [_substitute(arg[0], items), *rest]}
        if key == "Fn::GetAtt" and isinstance(arg, list):
            parts = [self.walk(child, written + (key, i), expanded + (key, i), items) for i, child in enumerate(arg)]
            return {key: [_plain_sub(part) for part in parts]}
        if key == "Fn::GetAtt" and isinstance(arg, str):
            return {key: _substitute(arg, items)}
        return {key: self.walk(arg, written + (key,), expanded + (key,), items)}

    def _loop(self, key: str, loop: Any, written: Path, expanded: Path, items: dict[str, str],
              into: dict[str, Any]) -> None:
        if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str) and isinstance(loop[2], dict)):
            self._unknown(None, expanded, items)  # malformed: cfn-lint says how
            return
        identifier, collection, output = loop
        values, known = self._collection(collection, items)
        if values and self.copies + len(values) > MAX_COPIES:
            self.expansion.too_large = self.expansion.too_large or written
            values, known = None, False
        self.copies += len(values or ())
        if not known:
            self._unknown(output, expanded, items)
        for value in values or ():
            inner = {**items, identifier: value}
            copy = self.walk(output, written + (2,), expanded, inner)
            into.update(copy)

    def _collection(self, collection: Any, items: dict[str, str]) -> tuple[list[str] | None, bool]:
        """(the items, whether they are the items at every deployment); None when not known at all."""
        if isinstance(collection, list):
            values = [_item(self._value(member, items)) for member in collection]
            if all(value is not None for value in values):
                return [value for value in values if value is not None], True
            return None, False
        if isinstance(collection, dict) and set(collection) == {"Ref"} and isinstance(collection["Ref"], str):
            name = collection["Ref"]
            parameter = self.parameters.get(name)
            if isinstance(parameter, dict) and isinstance(parameter.get("Default"), str):
                if "List" in str(parameter.get("Type", "")):
                    return [part.strip() for part in parameter["Default"].split(",")], False
        resolved = self._value(collection, items)
        if isinstance(resolved, list):
            values = [_item(member) for member in resolved]
            if all(value is not None for value in values):
                return [value for value in values if value is not None], True
        return None, False

    def _value(self, value: Any, items: dict[str, str]) -> Any:
        """A value known before deployment: a scalar, an item of an enclosing loop, a Fn::FindInMap of them."""
        if isinstance(value, dict) and len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str):
                return items.get(arg)
            if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) in (3, 4):
                names = [self._value(part, items) for part in arg[:3]]
                if all(isinstance(name, str) for name in names):
                    level = self.mappings.get(names[0])
                    level = level.get(names[1]) if isinstance(level, dict) else None
                    found = level.get(names[2]) if isinstance(level, dict) else None
                    if found is None and len(arg) == 4 and isinstance(arg[3], dict):
                        found = arg[3].get("DefaultValue")
                    return found
            return None
        if isinstance(value, list):
            return value
        return value if isinstance(value, str | int | float) and not isinstance(value, bool) else None

    def _unknown(self, output: Any, expanded: Path, items: dict[str, str]) -> None:
        """A loop whose items are not known: the object it is in is incomplete, and the names it may
        make in a section are kept as patterns."""
        self.expansion.incomplete.add(expanded)
        if len(expanded) != 1:
            return
        patterns = self.expansion.may_define.setdefault(str(expanded[0]), [])
        if not isinstance(output, dict):
            patterns.append(_ANY_NAME)
            return
        for key, value in output.items():
            if isinstance(key, str) and FOR_EACH.match(key):
                inner = value[2] if isinstance(value, list) and len(value) == 3 else None
                self._unknown(inner, expanded, items)
            elif isinstance(key, str):
                patterns.append(_name_pattern(_substitute(key, items)))


def _item(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _substitute(text: str, items: dict[str, str]) -> str:
    if not items or ("${" not in text and "&{" not in text):
        return text

    def replace(match: re.Match[str]) -> str:
        sign, name = match.group(1), match.group(2)
        if name not in items:
            return match.group(0)
        return items[name] if sign == "$" else _NOT_ALPHANUMERIC.sub("", items[name])

    return _VARIABLE.sub(replace, text)


def _plain_sub(value: Any) -> Any:
    """`!Sub Topic${Name}` whose variables are all loop items is the plain string it gives."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str) \
            and not _VARIABLE.search(value["Fn::Sub"]):
        return value["Fn::Sub"]
    return value


def _name_pattern(key: str) -> re.Pattern[str]:
    """`Topic${Name}` -> Topic followed by anything: the names a loop over unknown items may make."""
    parts = _VARIABLE.split(key)
    # split gives [text, sign, name, text, sign, name, ..., text]
    return re.compile(".+".join(re.escape(text) for text in parts[::3]))
