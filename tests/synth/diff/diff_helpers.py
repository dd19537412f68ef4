"""Small builders for the diff tests: templates as Python dicts, and lookups into a StackDiff.

Imported by the test modules of this folder (pytest puts the folder on sys.path; it has no
__init__.py, like the other test folders).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iac.synth.diff import diff_templates
from iac.synth.diff.model import Detail, ResourceChange, StackDiff

REAL_TEMPLATES = Path(__file__).resolve().parents[2] / "diff_templates"

LAMBDA_ROLE = "arn:aws:iam::123456789012:role/service-role/fn"


def template(resources: dict[str, Any] | None = None, **sections: Any) -> dict[str, Any]:
    """{"Resources": resources, **sections}."""
    return {"Resources": dict(resources or {}), **sections}


def resource(type_: str, properties: dict[str, Any] | None = None, **attributes: Any) -> dict[str, Any]:
    """A resource entry: Type, Properties (when given) and attributes such as DeletionPolicy."""
    entry: dict[str, Any] = {"Type": type_}
    if properties is not None:
        entry["Properties"] = properties
    entry.update(attributes)
    return entry


def edited(original: dict[str, Any], edit: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """A deep copy of `original` changed in place by `edit` (the original is untouched)."""
    copied = copy.deepcopy(original)
    edit(copied)
    return copied


def props(tpl: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The Properties of `logical_id` in `tpl` (to edit them)."""
    return tpl["Resources"][logical_id].setdefault("Properties", {})


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None, **options: Any) -> StackDiff:
    return diff_templates(old, new, **options)


def change_of(stack_diff: StackDiff, logical_id: str, action: str | None = None) -> ResourceChange:
    """The one resource change of `logical_id` (with `action`, when several)."""
    found = [c for c in stack_diff.resources if c.logical_id == logical_id and (action is None or c.action == action)]
    assert len(found) == 1, f"expected one change of {logical_id} ({action}), got {found}"
    return found[0]


def changed_ids(stack_diff: StackDiff) -> set[str]:
    return {c.logical_id for c in stack_diff.resources}


def actions(stack_diff: StackDiff) -> dict[str, str]:
    """logical id -> action (only for diffs with one change per id)."""
    return {c.logical_id: c.action for c in stack_diff.resources}


def detail_at(change: ResourceChange, path: str, causing_entity: str | None = None) -> Detail:
    """The one detail of `change` at `path` (/Properties/... ), optionally from one causing entity."""
    found = [d for d in change.details if d.target.path == path
             and (causing_entity is None or d.causing_entity == causing_entity)]
    assert len(found) == 1, f"expected one detail at {path} ({causing_entity}) of {change.logical_id}, got " \
        f"{[(d.target.path, d.causing_entity) for d in change.details]}"
    return found[0]


def findings_of(stack_diff: StackDiff, kind: str) -> list[Any]:
    return [f for f in stack_diff.findings if f.kind == kind]


def assert_no_changes(stack_diff: StackDiff) -> None:
    """Nothing at all: no resource or section change, no security change, no finding."""
    assert stack_diff.resources == []
    assert stack_diff.values == []
    assert stack_diff.statements == []
    assert stack_diff.rules == []
    assert stack_diff.findings == []
    assert not stack_diff.has_changes


# -- resources used across the tests (valid for their types) -----------------------------------

def table(name: Any = None, *, hash_key: str = "pk", **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": hash_key, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"}],
    }
    if name is not None:
        properties["TableName"] = name
    properties.update(extra)
    return resource("AWS::DynamoDB::Table", properties)


def function(memory: Any = 128, **extra: Any) -> dict[str, Any]:
    return resource("AWS::Lambda::Function", {
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": LAMBDA_ROLE,
        "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
        "MemorySize": memory,
        **extra,
    })


def vpc(cidr: Any = "10.0.0.0/16", **extra: Any) -> dict[str, Any]:
    return resource("AWS::EC2::VPC", {"CidrBlock": cidr, **extra})


def subnet(vpc_ref: Any, cidr: Any = "10.0.0.0/24", **extra: Any) -> dict[str, Any]:
    return resource("AWS::EC2::Subnet", {"VpcId": vpc_ref, "CidrBlock": cidr, **extra})


def security_group(vpc_ref: Any, ingress: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"GroupDescription": "web", "VpcId": vpc_ref, **extra}
    if ingress is not None:
        properties["SecurityGroupIngress"] = ingress
    return resource("AWS::EC2::SecurityGroup", properties)


def queue(**properties: Any) -> dict[str, Any]:
    return resource("AWS::SQS::Queue", properties)


def bucket(**properties: Any) -> dict[str, Any]:
    return resource("AWS::S3::Bucket", properties)


def role(statements: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}],
        },
        **extra,
    }
    if statements is not None:
        properties["Policies"] = [{"PolicyName": "inline",
                                   "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
    return resource("AWS::IAM::Role", properties)


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def getatt(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}
