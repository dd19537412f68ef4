"""One resource of every generated class, with its required properties (values from the schema: see
cfn_placeholders.py), synthesized and checked by iac's schema layer: zero findings."""

from __future__ import annotations

import collections
from typing import Any

from cfn_placeholders import NO_VALUE, object_value

from iac import App, Stack
from iac.cfn import OTHER_REGION_TYPES, resource_class
from iac.specs import provider_types, resource_schema
from iac.synth import synthesize
from iac.synth.schema_validation import validate_template

#: Types whose required properties no placeholder satisfies, with the reason. Empty today: keep it small.
UNSATISFIABLE: dict[str, str] = {}
BATCH = 100  # resources per stack (CloudFormation takes 500)


def required_arguments(cls: Any, region: str = "us-east-1") -> dict[str, Any]:
    """Keyword arguments with a value for each property the type's schema requires (its oneOf/anyOf
    branches and dependencies included); NO_VALUE when the schema defeats the placeholders."""
    schema = resource_schema(cls.cfn_type, region)
    document = schema.document
    node = {key: document[key] for key in ("required", "oneOf", "anyOf", "allOf", "dependencies") if key in document}
    node["properties"] = {name: prop for name, prop in (document.get("properties") or {}).items()
                          if name not in schema.read_only_roots}
    values = object_value(schema, node)
    if values is NO_VALUE:
        return NO_VALUE
    by_property = {prop: argument for argument, prop in cls.cfn_arguments.items()}
    return {by_property[name]: value for name, value in values.items()}


def test_one_resource_of_every_type_synthesizes_and_passes_the_schema_layer():
    app = App(path_metadata=False)
    types = sorted(provider_types("us-east-1"))
    type_of: dict[tuple[str, str], str] = {}
    unsatisfied = []
    stacks: list[Stack] = []
    for index, type_name in enumerate(types):
        if index % BATCH == 0:
            stacks.append(Stack(app, f"Types{index // BATCH}"))
        cls = resource_class(type_name)
        arguments = required_arguments(cls)
        if arguments is NO_VALUE:
            unsatisfied.append(type_name)
            continue
        resource = cls(stacks[-1], f"R{index}", **arguments)
        assert resource.resource_type == type_name
        assert set(resource.properties) >= set(schema_required(type_name))
        type_of[(stacks[-1].path, resource.logical_id)] = type_name
    assert sorted(unsatisfied) == sorted(UNSATISFIABLE)

    assembly = synthesize(app)
    findings: dict[str, list[str]] = collections.defaultdict(list)
    written = 0
    for stack in stacks:
        template = assembly.template(stack.path)
        written += len(template["Resources"])
        for finding in validate_template(template):
            findings[type_of.get((stack.path, str(finding.path[1])), "?")].append(f"{finding}")
    assert written == len(types) - len(UNSATISFIABLE)
    assert dict(findings) == {}


def schema_required(type_name: str, region: str = "us-east-1") -> list[str]:
    return list(resource_schema(type_name, region).document.get("required") or [])


def test_the_types_only_other_regions_have_pass_the_schema_layer_of_their_region():
    app = App(path_metadata=False)
    by_region: dict[str, list[str]] = collections.defaultdict(list)
    for type_name, region in sorted(OTHER_REGION_TYPES.items()):
        by_region[region].append(type_name)
    stacks = {}
    for region, type_names in sorted(by_region.items()):
        stack = stacks[region] = Stack(app, f"In-{region}")
        for index, type_name in enumerate(type_names):
            cls = resource_class(type_name)
            arguments = required_arguments(cls, region)
            assert arguments is not NO_VALUE, type_name
            resource = cls(stack, f"R{index}", **arguments)
            assert set(resource.properties) >= set(schema_required(type_name, region))
    assembly = synthesize(app)
    findings = {region: [str(f) for f in validate_template(assembly.template(stack.path), region=region)]
                for region, stack in stacks.items()}
    assert findings == {region: [] for region in stacks}
    assert sum(len(assembly.template(stack.path)["Resources"]) for stack in stacks.values()) == len(
        OTHER_REGION_TYPES)


def test_a_missing_required_property_is_refused_at_the_users_line(stack):
    from iac.cfn import lambda_
    from iac.errors import ConstructError

    try:
        lambda_.Function(stack, "Fn", code={"ZipFile": "x"})
    except ConstructError as error:
        message = str(error)
    else:  # pragma: no cover - the assertion below reports it
        message = ""
    assert "Function 'Fn' needs the argument role=" in message
    assert "test_every_type.py" in message
