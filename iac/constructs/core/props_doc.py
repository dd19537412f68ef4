"""The props reference, generated from the constructors' signatures (the one declaration of props).

Each prop's meaning comes from the "Args:" section of its class's docstring; a prop bound to a
CloudFormation property with `Cfn(...)` also shows that property and the limits its registry schema
sets, so the reference says what synthesis will check. `python -m iac.constructs.core.props_doc`
writes docs/reference/constructs.md; a test fails when that file is stale.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Iterator
from typing import Any

import attrs

from iac.constructs.core.construct import Construct
from iac.constructs.core.props import InitSpec, PropSpec, cfn_property_schema, describe_type, init_spec

_ARGS_HEADER = re.compile(r"^\s*(Args|Props):\s*$")
_ARG_LINE = re.compile(r"^(\s*)(\w+):\s*(.*)$")


@attrs.frozen
class PropDoc:
    name: str
    type: str
    default: str  # "required" for a prop without a default
    description: str
    cfn: str  # "AWS::Lambda::Function MemorySize: 128-32768", or ""


def arg_descriptions(docstring: str | None) -> dict[str, str]:
    """`name: text` entries of a docstring's "Args:" section (continuation lines indented deeper)."""
    entries: dict[str, str] = {}
    if not docstring:
        return entries
    lines = inspect.cleandoc(docstring).splitlines()
    in_section = False
    entry_indent = None
    current: str | None = None
    for line in lines:
        if _ARGS_HEADER.match(line):
            in_section, entry_indent, current = True, None, None
            continue
        if not in_section:
            continue
        if not line.strip():
            current = None
            continue
        indent = len(line) - len(line.lstrip())
        match = _ARG_LINE.match(line)
        if match and (entry_indent is None or indent == entry_indent):
            entry_indent = indent
            current = match.group(2)
            entries[current] = match.group(3).strip()
        elif current is not None and entry_indent is not None and indent > entry_indent:
            entries[current] = f"{entries[current]} {line.strip()}".strip()
        else:
            in_section = False
    return entries


def prop_docs(cls: type) -> list[PropDoc]:
    """Every prop of `cls`'s constructor, in signature order."""
    init = inspect.unwrap(_own_init(cls))
    spec = init_spec(_init_owner(cls), init)
    described = {**arg_descriptions(init.__doc__), **arg_descriptions(cls.__doc__)}
    return [_prop_doc(prop, spec, described.get(prop.name, "")) for prop in spec.props.values()]


def _prop_doc(prop: PropSpec, spec: InitSpec, description: str) -> PropDoc:
    cfn = ""
    if prop.cfn is not None and (prop.cfn.type or spec.cfn_type):
        resource_type = prop.cfn.type or spec.cfn_type or ""
        schema = cfn_property_schema(resource_type, prop.cfn.property)
        cfn = f"`{resource_type}` `{prop.cfn.property}`" + (f" ({prop.cfn.unit})" if prop.cfn.unit else "")
        limits = schema_limits(schema)
        if limits:
            cfn += f": {limits}"
        if not description:
            description = _first_sentence(schema.get("description", ""))
    default = "required" if prop.required else _default_text(prop.default)
    return PropDoc(name=prop.name, type=describe_type(prop.annotation), default=default,
                   description=description, cfn=cfn)


def schema_limits(schema: dict[str, Any]) -> str:
    """What a property's schema allows, in a few words: "1-5400", "one of x86_64, arm64", ...."""
    parts = []
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}-{schema.get('maximum', '')}")
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(v) for v in schema["enum"][:12])
                     + (", ..." if len(schema["enum"]) > 12 else ""))
    if "minLength" in schema or "maxLength" in schema:
        parts.append(f"{schema.get('minLength', 0)}-{schema.get('maxLength', '')} characters")
    if "pattern" in schema:
        parts.append(f"pattern `{schema['pattern']}`")
    if "maxItems" in schema:
        parts.append(f"at most {schema['maxItems']} items")
    return "; ".join(parts)


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def _default_text(default: Any) -> str:
    return "None" if default is None else f"`{default!r}`"


def _own_init(cls: type) -> Any:
    for klass in cls.__mro__:
        if "__init__" in klass.__dict__:
            return klass.__dict__["__init__"]
    raise TypeError(f"{cls!r} has no __init__")


def _init_owner(cls: type) -> type:
    return next(klass for klass in cls.__mro__ if "__init__" in klass.__dict__)


# -- the reference document --------------------------------------------------------------------

def construct_classes(package: str = "iac.constructs") -> Iterator[tuple[str, type]]:
    """(the module users import it from, class) for each public construct class defined under `package`
    whose constructor declares props: the core classes `iac` exports first, then module by module in
    source order. A class a package re-exports is named by that package (`codepipeline.Pipeline`, not
    the submodule that defines it), so the reference reads as user code does."""
    root = importlib.import_module(package)
    names = sorted(info.name for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."))
    core = [name for name in names if ".core" in name]
    services = [name for name in names if ".core" not in name]
    for module_name in core + services:
        if module_name.rsplit(".", 1)[-1].startswith("_"):
            continue
        for klass in _classes_of(importlib.import_module(module_name)):
            public = _public_module(module_name, klass, package)
            if public is not None and init_spec(klass).props:
                yield public, klass


def _classes_of(module: Any) -> list[type]:
    classes = [value for name, value in vars(module).items()
               if isinstance(value, type) and issubclass(value, Construct) and not name.startswith("_")
               and value.__module__ == module.__name__ and "__init__" in value.__dict__]
    classes.sort(key=lambda klass: inspect.getsourcelines(klass)[1])
    return classes


def _public_module(module_name: str, klass: type, package: str) -> str | None:
    """Where users import `klass` from: the outermost package below `package` that re-exports it, or `iac`
    for a core class it exports; None for a core class `iac` does not export (internal machinery)."""
    if ".core" in module_name:
        import iac

        return "iac" if getattr(iac, klass.__name__, None) is klass else None
    public = module_name
    parts = module_name.split(".")
    for depth in range(len(parts) - 1, len(package.split(".")), -1):
        parent = importlib.import_module(".".join(parts[:depth]))
        if getattr(parent, klass.__name__, None) is klass:
            public = parent.__name__
    return public


def reference_markdown() -> str:
    lines = [
        "# Construct props reference",
        "",
        "Generated from the constructors' signatures by `python -m iac.constructs.core.props_doc`; do not edit.",
        "A prop bound to a CloudFormation property is checked against that property's registry schema (the",
        "limits shown) when the construct is created; a `Duration` or `Size` is converted to the unit shown.",
        "",
    ]
    for module_name, klass in construct_classes():
        short_module = module_name.removeprefix("iac.constructs.")  # "iac" for the core classes
        lines += [f"## `{short_module}.{klass.__name__}`", ""]
        summary = inspect.cleandoc(klass.__doc__ or "").split("\n\n")[0]
        if summary:
            lines += [" ".join(summary.split()), ""]
        lines += ["| Prop | Type | Default | Description |", "| --- | --- | --- | --- |"]
        for doc in prop_docs(klass):
            description = doc.description + (f" CloudFormation: {doc.cfn}." if doc.cfn else "")
            lines.append(f"| `{doc.name}` | {_cell(f'`{doc.type}`')} | {doc.default} | {_cell(description)} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0] if argv else "docs/reference/constructs.md"
    text = reference_markdown()
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
