"""A CloudFormation template (a loaded dict) -> the source of an iac app that synthesizes it back.

One typed L1 constructor per resource (iac.cfn's class for the type, its properties as keyword
arguments named by iac.cfn._base's mapping), variables named after the logical ids, references as
`.ref` / `.attr_*` / `get_att(...)` / `Fn.*` on those variables, `Fn::Sub` as `Fn.sub(f"...")`.
Types without a generated class (AWS::Serverless::*, Custom::*, third-party types) stay CfnResource
with their properties. See docs/import.md.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Iterator
from typing import Any

import attrs

from iac.cfn._base import OPTIONS, safe_identifier, snake_case
from iac.constructs.core.intrinsics import Aws
from iac.constructs.core.logical_id import make_logical_id
from iac.errors import TemplateError
from iac.importer.source import Atom, Group, Item, Node, Text, call, flat, number, render, string, string_literal
from iac.importer.source import escape as escape_text
from iac.synth.diff.normalize import IGNORED_METADATA_KEYS, normalize_scalar
from iac.synth.language_extensions import FOR_EACH, LOOP_SECTIONS

#: Pseudo parameter name -> the `Aws` attribute that holds it: "AWS::Region" -> "REGION".
PSEUDO = {value.name: name for name, value in vars(Aws).items() if not name.startswith("_")}
#: Resource keys the constructor takes, and the argument for each.
RESOURCE_OPTIONS = {
    "DependsOn": "depends_on", "DeletionPolicy": "deletion_policy", "UpdateReplacePolicy": "update_replace_policy",
    "UpdatePolicy": "update_policy", "CreationPolicy": "creation_policy", "Condition": "condition",
    "Metadata": "metadata",
}
assert set(RESOURCE_OPTIONS.values()) == set(OPTIONS)
PARAMETER_KEYS = {
    "Type": "type", "Default": "default", "Description": "description", "AllowedValues": "allowed_values",
    "AllowedPattern": "allowed_pattern", "ConstraintDescription": "constraint_description",
    "MinLength": "min_length", "MaxLength": "max_length", "MinValue": "min_value", "MaxValue": "max_value",
    "NoEcho": "no_echo",
}
#: Sections the generated app writes; anything else at the top is refused (CloudFormation refuses it too).
SECTIONS = ("AWSTemplateFormatVersion", "Description", "Metadata", "Transform", "Parameters", "Rules", "Mappings",
            "Conditions", "Resources", "Outputs", "Hooks", "Globals")
#: Names the generated module itself uses at the top level.
_TOP_NAMES = frozenset({"app", "stack", "App", "Aws", "CfnResource", "Condition", "Fn", "ForEach", "Lazy", "Mapping",
                        "Output", "Parameter", "Stack", "iac"})
_SUB_PIECE = re.compile(r"\$\{([^}]*)\}")
_SIMPLE = {"Fn::Base64": "base64", "Fn::ImportValue": "import_value", "Fn::Length": "length",
           "Fn::ToJsonString": "to_json_string", "Fn::GetAZs": "get_azs"}
#: Fn::GetStackOutput's keys -> Fn.get_stack_output's arguments.
_STACK_OUTPUT = {"StackName": "stack_name", "OutputName": "output_name", "Region": "region", "RoleArn": "role_arn"}
_LISTED = {"Fn::Join": ("join", 2), "Fn::Select": ("select", 2), "Fn::Split": ("split", 2),
           "Fn::Equals": ("equals", 2), "Fn::Cidr": ("cidr", 3)}


@attrs.define
class _Element:
    kind: str  # "parameter", "mapping", "condition", "resource"
    logical_id: str
    variable: str
    construct_id: str = ""  # the logical id, unless another section's element has that id
    cfn_class: Any = None  # a resource's generated class (None: CfnResource)
    module: str | None = None
    defined: bool = False


def stack_name_from(path: str) -> str:
    """A stack name (letters, digits, hyphens; a letter first) from a template's file name."""
    base = re.sub(r"\.(template|json|ya?ml)$", "", path.replace("\\", "/").rsplit("/", 1)[-1], flags=re.I)
    base = re.sub(r"\.(template|json|ya?ml)$", "", base, flags=re.I)
    name = re.sub(r"[^A-Za-z0-9-]+", "-", base).strip("-")
    if not name or not name[0].isalpha():
        name = "Imported" + (f"-{name}" if name else "")
    return name[:128]


def generate(template: dict[str, Any], *, stack_name: str, source: str = "the template") -> str:
    """The app's source text. Raises TemplateError for a template the generator cannot read."""
    return _Generator(template, stack_name, source).module()


class _Generator:
    def __init__(self, template: dict[str, Any], stack_name: str, source: str) -> None:
        self.template = template
        self.stack_name = stack_name
        self.source = source
        self.elements: dict[tuple[str, str], _Element] = {}
        self.construct_ids: set[str] = set()
        self.used_names: set[str] = set(_TOP_NAMES)
        self.iac_imports: set[str] = {"App", "Stack"}
        self.cfn_modules: set[str] = set()
        self.shadowed: list[str] = []  # the identifiers of the loops whose fragment is being written
        for name in template:
            if name not in SECTIONS:
                raise TemplateError(f"{source}: unknown top-level section {name!r}",
                                    hint=f"a template's sections are {', '.join(SECTIONS)}")
        self.resources = self._section("Resources")
        if not self.resources:
            raise TemplateError(f"{source} has no resources", hint="CloudFormation needs at least one resource")
        self._declare()

    # -- names -----------------------------------------------------------------------------------

    def _section(self, name: str) -> dict[str, Any]:
        value = self.template.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise TemplateError(f"{self.source}: {name} must be a mapping, got {type(value).__name__}")
        for key, entry in value.items():
            if not isinstance(key, str) or not key:
                raise TemplateError(f"{self.source}: {name} has a key that is not a name: {key!r}")
            if key.startswith("Fn::ForEach"):
                self._check_loop(name, key, entry)
                continue
            if not isinstance(entry, dict):
                raise TemplateError(f"{self.source}: {name}.{key} must be a mapping, got {type(entry).__name__}")
        return value

    def _check_loop(self, section: str, key: str, loop: Any) -> None:
        where = f"{self.source}: {section}.{key}"
        if section not in LOOP_SECTIONS:
            raise TemplateError(f"{where}: Fn::ForEach makes entries of {', '.join(LOOP_SECTIONS)} only",
                                hint="CloudFormation refuses a loop in another section")
        if not FOR_EACH.match(key):
            raise TemplateError(f"{where}: a loop's key is Fn::ForEach:: and a name of letters and digits")
        if not (isinstance(loop, list) and len(loop) == 3 and isinstance(loop[0], str) and loop[0]
                and isinstance(loop[2], dict) and loop[2]):
            raise TemplateError(f"{where} must be [identifier, collection, {{entries}}], got {loop!r}",
                                hint="see the Fn::ForEach reference: a name, the items, and the fragment each makes")

    def _variable(self, logical_id: str, kind: str) -> str:
        """snake_case of the logical id; `_<kind>` appended when another element (or a module) has it."""
        name = snake_case(logical_id) or kind
        if name in self.used_names:
            name = f"{name}_{kind}"
        name = safe_identifier(name, self.used_names)
        self.used_names.add(name)
        return name

    def _declare(self) -> None:
        from iac.cfn import MODULES

        for logical_id, resource in self.resources.items():
            if logical_id.startswith("Fn::ForEach"):
                continue  # a loop: its fragment is written as the template has it
            type_name = resource.get("Type")
            if type_name is None:
                raise TemplateError(f"{self.source}: resource {logical_id} has no Type")
            if not isinstance(type_name, str):
                raise TemplateError(f"{self.source}: Resources.{logical_id}.Type must be a type name, "
                                    f"got {type(type_name).__name__}")
            properties = resource.get("Properties")
            if properties is not None and not isinstance(properties, dict):
                raise TemplateError(f"{self.source}: Resources.{logical_id}.Properties must be a mapping, "
                                    f"got {type(properties).__name__}")
            namespace = type_name.rpartition("::")[0]
            module = MODULES.get(namespace)
            if module is not None:
                self.cfn_modules.add(module)
        self.used_names |= self.cfn_modules
        for kind, section in (("parameter", "Parameters"), ("mapping", "Mappings"), ("condition", "Conditions"),
                              ("resource", "Resources")):
            for logical_id in self._section(section):
                if logical_id.startswith("Fn::ForEach"):
                    continue
                if kind in ("parameter", "resource") and self._find(logical_id, "parameter"):
                    raise TemplateError(f"{self.source}: {logical_id!r} is both a parameter and a resource",
                                        hint="a Ref names either; CloudFormation refuses the template")
                self.elements[kind, logical_id] = _Element(kind, logical_id, self._variable(logical_id, kind),
                                                           self._construct_id(logical_id, kind))
        self.cfn_modules = set()  # filled again with the modules actually used
        for logical_id, resource in self.resources.items():
            if not logical_id.startswith("Fn::ForEach"):
                self._choose_class(self.elements["resource", logical_id], resource)

    def _construct_id(self, logical_id: str, kind: str) -> str:
        """The logical id, or (when an element of another section has it: conditions, mappings and outputs
        have their own namespaces in a template, constructs share one) the id with the kind appended."""
        construct_id = logical_id
        while construct_id in self.construct_ids:
            construct_id += kind.capitalize()
        self.construct_ids.add(construct_id)
        return construct_id

    def _find(self, name: Any, *kinds: str) -> _Element | None:
        if not isinstance(name, str) or name in self.shadowed:
            return None  # not a name, or a loop's identifier inside the loop (CloudFormation puts the item there)
        for kind in kinds:
            element = self.elements.get((kind, name))
            if element is not None:
                return element
        return None

    def _pinned(self, variable: str, construct_id: str, logical_id: str) -> list[str]:
        """`x.override_logical_id(...)` when iac's id for `construct_id` is not `logical_id`."""
        if make_logical_id([construct_id]) == logical_id:
            return []
        return [f"{variable}.override_logical_id({string_literal(logical_id)})"]

    def _choose_class(self, element: _Element, resource: dict[str, Any]) -> None:
        from iac.cfn import MODULES, resource_class

        type_name = resource["Type"]
        namespace = type_name.rpartition("::")[0]
        if namespace not in MODULES:
            return
        try:
            cls = resource_class(type_name)
        except (LookupError, AttributeError):
            return
        properties = resource.get("Properties")  # a mapping or None (_declare checked)
        by_property = {prop: argument for argument, prop in cls.cfn_arguments.items()}
        given = {by_property[name] for name in (properties or {}) if name in by_property}
        if not cls.cfn_required <= given:
            return  # a required property is missing: the template is CloudFormation's to refuse, keep it as is
        for name, value in (properties or {}).items():
            if by_property.get(name) in cls.cfn_required and not self._fits(
                    type_name, name, _as_schema_type(type_name, name, value)):
                return  # a required value the typed argument cannot take (a Rain directive, say): kept as is
        element.cfn_class = cls
        element.module = MODULES[namespace]
        self.cfn_modules.add(element.module)

    # -- the module ------------------------------------------------------------------------------

    def module(self) -> str:
        body: list[str] = []
        body += self._stack()
        body += self._parameters()
        body += self._mappings()
        body += self._conditions()
        body += self._rules_and_globals()
        body += self._resources()
        body += self._outputs()
        body += ["", "app.synth()"]
        head = [f'"""{escape_text(self._docstring(), chr(34))}"""', ""]
        head += self._imports()
        return "\n".join(head + body) + "\n"

    def _docstring(self) -> str:
        if self.source.startswith("stack "):
            return f"The deployed {self.source}, imported by `iac import`."
        return f"The stack of {self.source.rsplit('/', 1)[-1]}, imported by `iac import`."

    def _imports(self) -> list[str]:
        lines = render(Group("from iac import (", tuple(Item("", Atom(name)) for name in sorted(
            self.iac_imports, key=lambda n: (n.lower(), n))), ")"))
        if len(lines) == 1:
            lines = [lines[0].replace("(", "", 1)[:-1]]
        if self.cfn_modules:
            modules = render(Group("from iac.cfn import (", tuple(Item("", Atom(name)) for name in sorted(
                self.cfn_modules)), ")"))
            if len(modules) == 1:
                modules = [modules[0].replace("(", "", 1)[:-1]]
            lines += modules
        return lines + [""]

    def _stack(self) -> list[str]:
        keywords: list[tuple[str, Node]] = []
        description = self.template.get("Description")
        if description is not None:
            keywords.append(("description", self.value(description)))
        stack_id = self.stack_name
        lines = ["app = App()"]
        lines += render(call("Stack", [Atom("app"), string(stack_id)], keywords), lead="stack = ")
        transform = self.template.get("Transform")
        for name in transform if isinstance(transform, list) else [transform] if transform is not None else []:
            if isinstance(name, str):
                lines.append(f"stack.add_transform({string_literal(name)})")
            else:
                lines += render(call('stack.template_options.setdefault("Transform", []).append', [self.value(name)]))
        metadata = self.template.get("Metadata")
        if isinstance(metadata, dict):
            for key, entry in metadata.items():
                lines += render(call("stack.add_template_metadata", [string(str(key)), self.value(entry)]))
        elif metadata is not None:
            raise TemplateError(f"{self.source}: Metadata must be a mapping, got {type(metadata).__name__}")
        return lines

    def _parameters(self) -> list[str]:
        lines: list[str] = []
        for logical_id, entry in self._section("Parameters").items():
            self.iac_imports.add("Parameter")
            keywords: list[tuple[str, Node]] = []
            allowed = entry.get("AllowedValues")
            if isinstance(allowed, list) and "Default" in entry and entry["Default"] not in allowed:
                same = [item for item in allowed if normalize_scalar(item) == normalize_scalar(entry["Default"])]
                if same:  # Default "1" among AllowedValues [1, 2]: CloudFormation reads them alike, iac checks it
                    entry = {**entry, "Default": same[0]}
            for key, value in entry.items():
                argument = PARAMETER_KEYS.get(key)
                if argument is None:
                    raise TemplateError(f"{self.source}: parameter {logical_id} has an unknown key {key!r}",
                                        hint=f"a parameter's keys are {', '.join(PARAMETER_KEYS)}")
                if argument == "type" and value == "String":
                    continue  # the default
                if argument == "no_echo":
                    if str(value).lower() != "true":
                        continue
                    value = True
                if argument in ("min_length", "max_length", "min_value", "max_value") and isinstance(value, str):
                    value = _as_number(value, f"{self.source}: parameter {logical_id}: {key}")
                keywords.append((argument, self.value(value)))
            lines += self._element_lines("parameter", logical_id, "Parameter", keywords)
        return self._section_lines("Parameters", lines)

    def _mappings(self) -> list[str]:
        lines: list[str] = []
        for logical_id, entry in self._section("Mappings").items():
            self.iac_imports.add("Mapping")
            lines += self._element_lines("mapping", logical_id, "Mapping", [("mapping", self.value(entry))])
        return self._section_lines("Mappings", lines)

    def _conditions(self) -> list[str]:
        conditions = self._section("Conditions")
        lines: list[str] = []
        for logical_id in _ordered(conditions, lambda value: self._uses(value, "condition")):
            if logical_id.startswith("Fn::ForEach"):
                lines += self._loop("Conditions", logical_id, conditions[logical_id])
                continue
            self.iac_imports.add("Condition")
            expression = self.value(conditions[logical_id])
            lines += self._element_lines("condition", logical_id, "Condition", [("expression", expression)])
        return self._section_lines("Conditions", lines)

    def _element_lines(self, kind: str, logical_id: str, function: str, keywords: list[tuple[str, Node]]) -> list[str]:
        element = self.elements[kind, logical_id]
        element.defined = True
        lines = render(call(function, [Atom("stack"), string(element.construct_id)], keywords),
                       lead=f"{element.variable} = ")
        return lines + self._pinned(element.variable, element.construct_id, logical_id)

    def _rules_and_globals(self) -> list[str]:
        """Rules, Hooks and SAM's Globals, as they are (after the parameters and conditions they name)."""
        lines: list[str] = []
        for section in ("Rules", "Hooks", "Globals"):
            if section in self.template:
                lines += render(self.value(self.template[section]),
                                lead=f"stack.template_options[{string_literal(section)}] = ")
        return ["", *lines] if lines else []

    def _resources(self) -> list[str]:
        lines = ["",
                 "# Each construct id is the template's logical id, kept exactly: deploying this app over",
                 "# the existing stack updates no resource because of its id."]
        order = _ordered(self.resources, lambda value: self._uses(value, "resource"))
        for logical_id in order:
            if logical_id.startswith("Fn::ForEach"):
                lines += [""] + self._loop("Resources", logical_id, self.resources[logical_id])
            else:
                lines += self._resource(logical_id, self.resources[logical_id])
        return lines

    def _resource(self, logical_id: str, resource: dict[str, Any]) -> list[str]:
        element = self.elements["resource", logical_id]
        positional: list[Node] = [Atom("stack"), string(element.construct_id)]
        keywords: list[tuple[str, Node]] = []
        after: list[list[str]] = []
        nulls: list[str] = []
        properties = resource.get("Properties")
        if element.cfn_class is not None:
            function = f"{element.module}.{resource['Type'].rpartition('::')[2]}"
            by_property = {prop: argument for argument, prop in element.cfn_class.cfn_arguments.items()}
            for name, value in (properties or {}).items():
                if value is None:
                    nulls.append(name)
                    continue
                argument = by_property.get(name)
                value = _as_schema_type(resource["Type"], name, value)
                if argument is None or not self._fits(resource["Type"], name, value):
                    # not a writable property of the schema, or a value its typed argument cannot take
                    # (a type the schema does not allow): written as given
                    after.append(render(call(f"{element.variable}.add_property_override",
                                             [string(name.replace(".", "\\.")), self.value(value)])))
                else:
                    keywords.append((argument, self.value(value)))
        else:
            self.iac_imports.add("CfnResource")
            function = "CfnResource"
            keywords.append(("type", string(resource["Type"])))
            if properties is not None:
                keywords.append(("properties", self.value(properties)))
        for key, value in resource.items():
            if key in ("Type", "Properties"):
                continue
            option = RESOURCE_OPTIONS.get(key)
            if option is None:
                after.append(render(call(f"{element.variable}.add_override", [string(key), self.value(value)])))
            elif option in ("deletion_policy", "update_replace_policy") and not isinstance(value, str):
                # an intrinsic (AWS::LanguageExtensions allows one): the option takes a name only
                after.append(render(call(f"{element.variable}.add_override", [string(key), self.value(value)])))
            elif option == "depends_on":
                if not all(isinstance(name, str) for name in (value if isinstance(value, list) else [value])):
                    raise TemplateError(f"{self.source}: Resources.{logical_id}.DependsOn must be a logical id "
                                        f"or a list of them, got {value!r}")
                keywords.append((option, self._depends_on(value)))
            elif option == "metadata" and isinstance(value, dict) and IGNORED_METADATA_KEYS & set(value):
                kept = {key: entry for key, entry in value.items() if key not in IGNORED_METADATA_KEYS}
                if kept:  # iac's own construct path (a template iac wrote): the app writes its own
                    keywords.append((option, self.value(kept)))
            elif option == "condition" and (condition := self._element_ref(value, "condition")) is not None:
                keywords.append((option, condition))
            else:
                keywords.append((option, self.value(value)))
        lines = [""] + [f"# {line}" for line in _null_note(nulls)]
        lines += render(call(function, positional, keywords), lead=f"{element.variable} = ")
        lines += self._pinned(element.variable, element.construct_id, logical_id)
        for statement in after:
            lines += statement
        element.defined = True
        return lines

    def _loop(self, section: str, key: str, loop: list[Any]) -> list[str]:
        """A Fn::ForEach entry of `section`: a ForEach construct with the loop as the template has it."""
        identifier, collection, fragment = loop
        name = key.removeprefix("Fn::ForEach::")
        construct_id = self._construct_id(name, "loop")
        self.iac_imports.add("ForEach")
        keywords: list[tuple[str, Node]] = [("section", string(section)), ("identifier", string(identifier)),
                                            ("collection", self.value(collection)),
                                            ("fragment", self._in_loop(identifier, fragment))]
        if construct_id != name:
            keywords.append(("name", string(name)))
        return render(call("ForEach", [Atom("stack"), string(construct_id)], keywords))

    def _in_loop(self, identifier: str, value: Any) -> Node:
        """`value` inside a loop: a Ref or ${} of its identifier stays a name even where an element has it."""
        self.shadowed.append(identifier)
        try:
            return self.value(value)
        finally:
            self.shadowed.pop()

    def _depends_on(self, value: Any) -> Node:
        names = value if isinstance(value, list) else [value]
        items: list[Node] = []
        for name in names:
            target = self._find(name, "resource")
            if target is not None and target.defined:
                items.append(Atom(target.variable))
            else:  # a resource defined further down (a cycle) or one the template lacks: its logical id
                items.append(self.value(name))
        if not isinstance(value, list) and len(items) == 1:
            return items[0]
        return Group("[", tuple(Item("", item) for item in items), "]")

    def _outputs(self) -> list[str]:
        lines: list[str] = []
        for logical_id, entry in self._section("Outputs").items():
            if logical_id.startswith("Fn::ForEach"):
                lines += self._loop("Outputs", logical_id, entry)
                continue
            self.iac_imports.add("Output")
            keywords: list[tuple[str, Node]] = []
            extra: dict[str, Any] = {}
            for key, value in entry.items():
                if key == "Value":
                    keywords.insert(0, ("value", self.value(value)))
                elif key == "Description":
                    keywords.append(("description", self.value(value)))
                elif key == "Export" and isinstance(value, dict) and set(value) == {"Name"}:
                    keywords.append(("export_name", self.value(value["Name"])))
                elif key == "Condition":  # a name the template lacks stays a name: CloudFormation's to refuse
                    condition = self._element_ref(value, "condition")
                    keywords.append(("condition", condition if condition is not None else self.value(value)))
                else:
                    extra[key] = value
            if extra or "Value" not in entry:
                raise TemplateError(f"{self.source}: output {logical_id} has keys an output cannot have: "
                                    f"{', '.join(sorted(extra)) or 'no Value'}",
                                    hint="an output has Value, and may have Description, Export (Name) and Condition")
            construct_id = self._construct_id(logical_id, "output")
            if make_logical_id([construct_id]) == logical_id:
                lines += render(call("Output", [Atom("stack"), string(construct_id)], keywords))
                continue
            variable = self._variable(f"{logical_id}Output", "output")
            lines += render(call("Output", [Atom("stack"), string(construct_id)], keywords), lead=f"{variable} = ")
            lines += self._pinned(variable, construct_id, logical_id)
        return self._section_lines("Outputs", lines)

    @staticmethod
    def _section_lines(section: str, lines: list[str]) -> list[str]:
        return ["", f"# {section}"] + lines if lines else []

    # -- what an element refers to --------------------------------------------------------------

    def _uses(self, value: Any, kind: str) -> Iterator[str]:
        """The logical ids of `kind` that `value` refers to (Ref, GetAtt, Sub, Condition, DependsOn)."""
        if isinstance(value, list):
            for item in value:
                yield from self._uses(item, kind)
            return
        if not isinstance(value, dict):
            return
        if len(value) == 1:
            (key, argument), = value.items()
            target = None
            if key == "Ref" or (key == "Condition" and kind == "condition"):
                target = argument
            elif key == "Fn::GetAtt":
                if isinstance(argument, str):
                    target = argument.split(".", 1)[0]
                elif isinstance(argument, list) and argument:
                    target = argument[0]
            elif key == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) and argument else argument
                if isinstance(text, str):
                    for piece in _SUB_PIECE.findall(text):
                        if not piece.startswith("!"):
                            yield from self._matching(piece.split(".", 1)[0], kind)
            elif key == "Fn::If" and kind == "condition" and isinstance(argument, list) and argument:
                target = argument[0]
            if isinstance(target, str):
                yield from self._matching(target, kind)
        for key, child in value.items():
            if key == "DependsOn" and kind == "resource":
                for name in child if isinstance(child, list) else [child]:
                    if isinstance(name, str):
                        yield from self._matching(name, kind)
            else:
                yield from self._uses(child, kind)

    def _matching(self, name: str, kind: str) -> Iterator[str]:
        if self._find(name, kind) is not None:
            yield name

    def _element_ref(self, logical_id: str, kind: str) -> Node | None:
        element = self._find(logical_id, kind)
        return None if element is None else Atom(element.variable)

    # -- values ------------------------------------------------------------------------------------

    def value(self, value: Any) -> Node:
        if isinstance(value, bool):
            return Atom("True" if value else "False")
        if isinstance(value, int | float):
            return number(value)
        if isinstance(value, str):
            return string(value)
        if value is None:
            return Atom("None")
        if isinstance(value, list):
            return Group("[", tuple(Item("", self.value(item)) for item in value), "]")
        if isinstance(value, dict):
            if len(value) == 1:
                (key, argument), = value.items()
                if isinstance(key, str) and (key == "Ref" or key == "Condition" or key.startswith("Fn::")):
                    expression = self._intrinsic(key, argument)
                    if expression is not None:
                        return expression
            return self._dict(value)
        raise TemplateError(f"{self.source}: a value iac cannot write: {value!r}")

    def _dict(self, value: dict[Any, Any]) -> Group:
        return Group("{", tuple(Item(f"{string_literal(str(key))}: ", self._child(key, child))
                                for key, child in value.items()), "}")

    def _child(self, key: Any, child: Any) -> Node:
        if isinstance(key, str) and FOR_EACH.match(key) and isinstance(child, list) and child \
                and isinstance(child[0], str):
            return self._in_loop(child[0], child)  # a loop inside a loop's fragment or a resource's properties
        return self.value(child)

    def _reference(self, element: _Element, expression: str) -> Node:
        if element.defined:
            return Atom(f"{element.variable}{expression}")
        self.iac_imports.add("Lazy")  # a reference to a resource defined further down: only a cycle needs it
        return Atom(f"Lazy(lambda: {element.variable}{expression})")

    def _ref(self, name: str) -> Node | None:
        if name in PSEUDO:
            self.iac_imports.add("Aws")
            return Atom(f"Aws.{PSEUDO[name]}")
        element = self._find(name, "parameter", "resource")
        return None if element is None else self._reference(element, ".ref")

    def _get_att(self, name: str, attribute: str, *, quote: str = '"') -> Node | None:
        element = self._find(name, "resource")
        if element is None:
            return None
        if element.cfn_class is not None:
            for attr_name, known in element.cfn_class.cfn_attributes.items():
                if known == attribute:
                    return self._reference(element, f".{attr_name}")
        literal = quote + escape_text(attribute, quote) + quote
        return self._reference(element, f".get_att({literal})")

    def _intrinsic(self, key: str, argument: Any) -> Node | None:
        """The expression of one intrinsic function, or None to write it as the plain dict it is."""
        if key == "Ref":
            if not isinstance(argument, str):
                return None
            # a name the template does not declare (SAM's implicit resources, a loop's identifier): by name
            return self._ref(argument) or self._fn("ref", [string(argument)])
        if key == "Fn::GetStackOutput":
            return self._get_stack_output(argument)
        if key == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(part, str) for part in parts):
                # a resource the template does not declare (one a loop makes, SAM's): by name
                return self._get_att(parts[0], parts[1]) or self._fn("get_att", [string(parts[0]), string(parts[1])])
            return None
        if key == "Condition":
            if not isinstance(argument, str):
                return None
            target = self._element_ref(argument, "condition")  # else a condition a loop makes: by name
            return self._fn("condition", [target if target is not None else string(argument)])
        if key == "Fn::Sub":
            return self._sub(argument)
        if key in _SIMPLE:
            return self._fn(_SIMPLE[key], [self.value(argument)])
        if key in _LISTED:
            name, count = _LISTED[key]
            if not isinstance(argument, list) or len(argument) != count:
                return None
            return self._fn(name, [self.value(item) for item in argument])
        if key == "Fn::If":
            if not isinstance(argument, list) or len(argument) != 3 or not isinstance(argument[0], str):
                return None
            condition = self._element_ref(argument[0], "condition") or string(argument[0])  # else by name
            return self._fn("if_", [condition] + [self.value(item) for item in argument[1:]])
        if key in ("Fn::And", "Fn::Or"):
            if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
                return None
            return self._fn("and_" if key == "Fn::And" else "or_", [self._operand(item) for item in argument])
        if key == "Fn::Not":
            if not isinstance(argument, list) or len(argument) != 1:
                return None
            return self._fn("not_", [self._operand(argument[0])])
        if key == "Fn::FindInMap":
            return self._find_in_map(argument)
        return None

    def _get_stack_output(self, argument: Any) -> Node | None:
        if not isinstance(argument, dict) or not {"StackName", "OutputName"} <= set(argument) <= set(_STACK_OUTPUT):
            return None  # CloudFormation's to refuse: written as the dict it is
        keywords = [(_STACK_OUTPUT[key], self.value(argument[key])) for key in ("Region", "RoleArn") if key in argument]
        self.iac_imports.add("Fn")
        return call("Fn.get_stack_output", [self.value(argument["StackName"]), self.value(argument["OutputName"])],
                    keywords)

    # -- what a typed argument takes ---------------------------------------------------------------

    def _fits(self, type_name: str, name: str, value: Any) -> bool:
        """Whether the typed argument of property `name` takes `value` as iac.cfn's stub annotates it
        (iac.cfn._generate's annotations, from the same schema): a TypedDict's keys, the required ones
        among them, enums as literals, scalars, lists and maps; every intrinsic the app writes as a Token."""
        schema = _schema(type_name)
        if schema is None:
            return True
        return self._fits_node(schema, (schema.document.get("properties") or {}).get(name), value, 0)

    def _fits_node(self, schema: Any, node: Any, value: Any, depth: int) -> bool:
        if depth > 40 or self._is_token(value):
            return True
        node = _resolved(schema, node)
        if not node:
            return True  # no schema, or a cycle of definitions: annotated Any
        kinds = node.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
        properties = node.get("properties")
        if isinstance(properties, dict) and properties and (not kinds or "object" in kinds):  # a TypedDict
            if isinstance(value, dict):
                required = node.get("required") if isinstance(node.get("required"), list) else []
                return set(required) <= set(value) and all(
                    key in properties and self._fits_node(schema, properties[key], child, depth + 1)
                    for key, child in value.items())
            return any(kind != "object" and self._fits_kind(schema, kind, node, value, depth) for kind in kinds)
        for key in ("enum", "const"):
            options = node.get("enum") if key == "enum" else [node.get("const")] if "const" in node else None
            if key == "enum" and node.get("enumCaseInsensitive"):
                continue
            if isinstance(options, list) and options and all(isinstance(o, bool | int | str) for o in options):
                return any(type(value) is type(option) and value == option for option in options)
        if not kinds:
            alternatives = node.get("oneOf") or node.get("anyOf")
            if isinstance(alternatives, list) and alternatives:
                return any(self._fits_node(schema, alternative, value, depth + 1) for alternative in alternatives)
            if "items" not in node:
                return True
            kinds = ["array"]
        return any(self._fits_kind(schema, kind, node, value, depth) for kind in kinds)

    def _fits_kind(self, schema: Any, kind: Any, node: dict[str, Any], value: Any, depth: int) -> bool:
        if kind == "string":
            return isinstance(value, str)
        if kind == "boolean":
            return isinstance(value, bool)
        if kind in ("integer", "number"):  # bool is an int to mypy, and an int a float
            return isinstance(value, int) or (kind == "number" and isinstance(value, float))
        if kind == "array":
            items = node.get("items")
            return isinstance(value, list) and all(self._fits_node(schema, items, item, depth + 1) for item in value)
        if kind == "object":
            values = node.get("additionalProperties")
            patterns = node.get("patternProperties")
            if isinstance(patterns, dict) and len(patterns) == 1:
                values = next(iter(patterns.values()))
            return isinstance(value, dict) and all(
                isinstance(key, str) and self._fits_node(schema, values, child, depth + 1)
                for key, child in value.items())
        return True

    def _is_token(self, value: Any) -> bool:
        """Whether the app writes `value` as a Token (an intrinsic function it has an expression for)."""
        if not isinstance(value, dict) or len(value) != 1:
            return False
        (key, argument), = value.items()
        if not isinstance(key, str) or not (key in ("Ref", "Condition") or key.startswith("Fn::")):
            return False
        imports = set(self.iac_imports)
        try:
            return self._intrinsic(key, argument) is not None
        finally:
            self.iac_imports = imports  # only asked: the expression is not written

    def _operand(self, value: Any) -> Node:
        """A condition inside Fn::And/Or/Not: a Condition variable stands for {"Condition": name}."""
        if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Condition"), str):
            target = self._element_ref(value["Condition"], "condition")
            if target is not None:
                return target
        return self.value(value)

    def _find_in_map(self, argument: Any) -> Node | None:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            return None
        keywords: list[tuple[str, Node]] = []
        if len(argument) == 4:
            default = argument[3]
            if not isinstance(default, dict) or set(default) != {"DefaultValue"} or default["DefaultValue"] is None:
                return None
            keywords.append(("default", self.value(default["DefaultValue"])))
        name = argument[0]
        mapping = self._element_ref(name, "mapping") if isinstance(name, str) else None
        keys = [self.value(item) for item in argument[1:3]]
        if mapping is not None:
            return call(f"{flat(mapping)}.find_in_map", keys, keywords)
        self.iac_imports.add("Fn")
        return call("Fn.find_in_map", [self.value(name)] + keys, keywords)

    def _fn(self, name: str, arguments: list[Node]) -> Node:
        self.iac_imports.add("Fn")
        return call(f"Fn.{name}", arguments)

    def _sub(self, argument: Any) -> Node | None:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                return None
            text, variables = argument
        else:
            text = argument
        if not isinstance(text, str):
            return None
        segments: list[tuple[str, bool]] = []
        position = 0
        for match in _SUB_PIECE.finditer(text):
            segments.append((text[position:match.start()], False))
            position = match.end()
            name = match.group(1)
            expression = None
            if not name.startswith("!") and name not in variables:
                if "." in name:
                    resource, _, attribute = name.partition(".")
                    expression = self._get_att(resource, attribute, quote="'")
                else:
                    expression = self._ref(name)
            if expression is None:  # a variable of the Sub, a literal ${!...}, or a name the template lacks
                segments.append((match.group(0), False))
            else:
                segments.append((flat(expression), True))
        segments.append((text[position:], False))
        literal = Text(tuple(segment for segment in segments if segment[0]) or (("", False),))
        self.iac_imports.add("Fn")
        if variables:
            return call("Fn.sub", [literal, self._dict(variables)])
        return call("Fn.sub", [literal])


def _null_note(names: list[str]) -> list[str]:
    """The comment above a resource whose properties the template gives as null."""
    if not names:
        return []
    listed = ", ".join(names)
    return [f"{listed} {'is' if len(names) == 1 else 'are'} null in the template: CloudFormation refuses a null "
            "value ('null'", "values are not allowed in templates), and iac writes none, so the app leaves "
            f"{'it' if len(names) == 1 else 'them'} out."]


def _resolved(schema: Any, node: Any) -> dict[str, Any]:
    """`node` with its local $refs followed; {} for no node or a cycle of refs."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if node["$ref"] in seen or len(seen) > 10:
            return {}
        seen.add(node["$ref"])
        target: Any = schema.document if node["$ref"].startswith("#/") else {}
        for part in node["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    return node if isinstance(node, dict) else {}


_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def _as_schema_type(type_name: str, name: str, value: Any) -> Any:
    """A property's value with its scalars as the schema types them, where CloudFormation reads both alike
    ("60" and 60, "true" and true), nested values too: the arguments' annotations then fit, and the template
    is the same once normalized (a conversion that would change the normalized value is not made)."""
    schema = _schema(type_name)
    if schema is None:
        return value
    return _coerced(schema, (schema.document.get("properties") or {}).get(name), value, 0)


@functools.cache
def _schema(type_name: str) -> Any:
    from iac.cfn import OTHER_REGION_TYPES
    from iac.specs import DEFAULT_REGION, resource_schema

    return resource_schema(type_name, OTHER_REGION_TYPES.get(type_name, DEFAULT_REGION))  # the class's schema


def _coerced(schema: Any, node: Any, value: Any, depth: int) -> Any:
    if not isinstance(node, dict) or depth > 40:
        return value
    for _ in range(10):  # a definition may name another one
        if "$ref" not in node:
            break
        node = schema.resolve(node)
    if isinstance(value, dict):
        if len(value) == 1 and str(next(iter(value))).startswith(("Fn::", "Ref", "Condition")):
            return value  # an intrinsic: its value is CloudFormation's to compute
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return value
        return {key: _coerced(schema, properties.get(key), child, depth + 1) for key, child in value.items()}
    if isinstance(value, list):
        items = node.get("items")
        return [_coerced(schema, items, item, depth + 1) for item in value] if isinstance(items, dict) else value
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
    scalar = [kind for kind in kinds if kind in ("string", "integer", "number", "boolean")]
    if len(scalar) != 1 or value is None:
        return value
    converted = _converted(scalar[0], value)
    return converted if normalize_scalar(converted) == normalize_scalar(value) else value


def _converted(kind: str, value: Any) -> Any:
    if isinstance(value, str):
        if kind == "integer" and _INTEGER.fullmatch(value):
            return int(value)
        if kind == "number" and _NUMBER.fullmatch(value):
            return int(value) if _INTEGER.fullmatch(value) else float(value)
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
    elif kind == "string" and isinstance(value, bool):
        return "true" if value else "false"
    elif kind == "string" and isinstance(value, int | float):
        return str(value) if isinstance(value, int) else repr(value)
    return value


def _as_number(text: str, what: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise TemplateError(f"{what} must be a number, got {text!r}") from None


def _ordered(entries: dict[str, Any], uses: Any) -> list[str]:
    """The names of `entries`, each after those it uses (template order otherwise). In a cycle the
    earliest entry comes first, and its references to later ones become Lazy."""
    names = list(entries)
    index = {name: number for number, name in enumerate(names)}
    needs = {name: {used for used in uses(entries[name]) if used != name and used in index} for name in names}
    users: dict[str, set[str]] = {name: set() for name in names}
    for name, used in needs.items():
        for target in used:
            users[target].add(name)
    waiting = {name: len(used) for name, used in needs.items()}
    ready = [index[name] for name in names if not waiting[name]]
    heapq.heapify(ready)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        if not ready:  # a cycle: take the earliest entry left
            ready.append(min(index[name] for name in names if name not in done))
        name = names[heapq.heappop(ready)]
        if name in done:
            continue
        done.add(name)
        order.append(name)
        for user in users[name]:
            waiting[user] -= 1
            if waiting[user] == 0 and user not in done:
                heapq.heappush(ready, index[user])
    return order
