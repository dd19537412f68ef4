"""props.schema_problem answers the common case (a value its property's schema plainly accepts) without
jsonschema: the shortcut must never accept what jsonschema's validator refuses, on the registry schemas."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema
import pytest

from iac import specs
from iac.constructs.core import props

#: Types the constructs build most, and every 40th type of the region (deterministic: sorted names).
COMMON_TYPES = (
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::DynamoDB::Table",
    "AWS::EC2::SecurityGroup",
    "AWS::ECR::Repository",
    "AWS::ECS::TaskDefinition",
    "AWS::Events::Rule",
    "AWS::IAM::Role",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Function",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::StepFunctions::StateMachine",
)


def _types() -> list[str]:
    every = sorted(specs.provider_types(specs.DEFAULT_REGION))
    return sorted(set(COMMON_TYPES) | set(every[::40]))


def _candidates(node: dict[str, Any]) -> list[Any]:
    """Values around the node's own bounds and enums, valid and not, of every JSON type."""
    values: list[Any] = [
        "",
        "a",
        "abc-123",
        "A b_c.d/e",
        "ünï",
        "x" * 300,
        0,
        1,
        -1,
        2.5,
        3.0,
        True,
        False,
        None,
        [],
        ["a"],
        ["a", "a"],
        [1],
        {},
        {"Key": "k", "Value": "v"},
        {"Name": "n"},
    ]
    for option in node.get("enum", []) if isinstance(node.get("enum"), list) else []:
        values.extend([option, [option]])
    for keyword in ("minLength", "maxLength"):
        if isinstance(node.get(keyword), int):
            values.extend("a" * n for n in (node[keyword] - 1, node[keyword], node[keyword] + 1) if n >= 0)
    for keyword in ("minimum", "maximum"):
        if isinstance(node.get(keyword), int | float):
            values.extend([node[keyword] - 1, node[keyword], node[keyword] + 1])
    for keyword in ("minItems", "maxItems"):
        if isinstance(node.get(keyword), int):
            values.extend(["a"] * n for n in (node[keyword], node[keyword] + 1))
    return values


def test_the_shortcut_never_accepts_what_jsonschema_refuses() -> None:
    validator_class = props._pattern_validator()
    answered = checked = 0
    for resource_type in _types():
        for name in sorted(specs.property_names(resource_type)):
            document = specs.property_document(resource_type, name)
            if document is None:
                continue
            validator = validator_class(document)
            found = document.get("properties")
            nested: dict[str, Any] = found if isinstance(found, dict) else {}
            samples = _candidates(document) + [
                {key: value} for key, value in itertools.product(sorted(nested)[:6], _candidates({})[:8])
            ]
            for value in samples:
                checked += 1
                if props._plainly_valid(document, value, document):
                    answered += 1
                    errors = [error.message for error in validator.iter_errors(value)]
                    assert not errors, f"{resource_type} {name}: {value!r} taken, but jsonschema says {errors}"
    assert checked > 5_000
    assert answered > checked // 20  # the shortcut does answer: most props are plain strings and numbers


@pytest.mark.parametrize(
    ("resource_type", "path", "value"),
    [
        ("AWS::DynamoDB::Table", ("KeySchema", "AttributeName"), "pk"),
        ("AWS::Lambda::Function", ("MemorySize",), 128),
        ("AWS::Lambda::Function", ("Runtime",), "nodejs20.x"),
        ("AWS::SQS::Queue", ("VisibilityTimeout",), 60),
    ],
)
def test_plain_values_are_answered_without_jsonschema(resource_type: str, path: tuple[str, ...], value: Any) -> None:
    document = specs.property_document(resource_type, *path)
    assert document is not None
    assert props._plainly_valid(document, value, document)
    assert props.schema_problem(resource_type, path, value) is None


def test_a_refused_value_still_gets_jsonschemas_message() -> None:
    problem = props.schema_problem("AWS::Lambda::Function", ("MemorySize",), 1)
    assert problem is not None and "1 is less than the minimum of 128" in problem


def test_the_keywords_are_draft_7s() -> None:
    assert frozenset(jsonschema.Draft7Validator.VALIDATORS) == props.DRAFT7_KEYWORDS
