"""Where the non-IAM actions of a derived deployment role apply: the stack's own resources wherever IAM can
name them, the inputs its template names, and `"*"` only where nothing narrower exists.

The registry schemas list what each resource type's handlers call, but not on which resources. cfn-lint's
IAM policy data (read through `iac.specs.iam_action_resource_types` / `iam_arn_formats`, from AWS's service
authorization reference) says, for every action, which IAM resource types it acts on and their ARN formats.
Put together:

- an action with no resource type in that data takes no narrower resource than `"*"`;
- an action on a resource type the stack itself has (IAM's `table` is `AWS::DynamoDB::Table`, its
  `function` `AWS::Lambda::Function`: the same name within the same service) applies to the stack's
  resources of that type. When the type's primary identifier is a name the template may leave out,
  CloudFormation names it "<stack name>-<logical id>-<suffix>" (lower case where the schema's pattern
  allows no capitals, as for buckets), so the ARN is the format's prefix followed by "<stack name>-*",
  plus the names the template gives; otherwise (an id the service makes up) it is the format's prefix
  with `*`: the type's resources in this account and region;
- an action on a resource type that is a template input (`TEMPLATE_INPUTS`: the S3 objects code and
  definitions are read from, the KMS keys resources are encrypted with) applies to the inputs the
  template names, and is left out when it names none;
- anything else (another resource the stack does not own, such as a layer or a VPC's subnets) stays on
  `"*"`: the schema does not say which one, and the deployment would fail without it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from iac.constructs import iam
from iac.constructs.core import Aws, CfnResource, Fn, Lazy, Stack, is_token
from iac.constructs.core.tokens import stable_key
from iac.specs import (
    iam_action_resource_types,
    iam_arn_formats,
    primary_identifier,
    property_length,
    property_pattern,
    resource_schema,
)

#: IAM's ARN format variables -> the pseudo parameters of the stack the role is written in (Fn::Sub names).
_ARN_VARIABLES = {"Partition": "${AWS::Partition}", "Region": "${AWS::Region}", "Account": "${AWS::AccountId}",
                  "AccountId": "${AWS::AccountId}"}
#: Room CloudFormation needs after "<stack name>-" in a name it makes up (the logical id, '-', a 12-13 character
#: suffix): a stack name longer than the limit allows is cut short in the name, and "<stack name>-*" would miss.
_GENERATED_NAME_ROOM = 16
_DEFAULT_NAME_LIMIT = 64


@attrs.frozen(kw_only=True)
class TemplateInput:
    """A kind of resource a handler reads because the template names it, and how to find the names."""

    service: str
    resource_types: frozenset[str]
    find: Callable[[Stack], list[Any]]
    why: str
    url: str


@attrs.frozen(kw_only=True)
class ScopedPermissions:
    """The statements, and what went where (for tests and for the documentation's figures)."""

    statements: list[iam.PolicyStatement]
    anywhere: tuple[str, ...]
    scoped: tuple[str, ...]
    left_out: tuple[str, ...]


def _plain(value: Any) -> Any:
    while isinstance(value, Lazy):
        value = value.producer()
    return value


def _values(value: Any) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(key, value, the dict holding it) for every entry of a property tree."""
    value = _plain(value)
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, _plain(item), value
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)


def _resources(stack: Stack) -> list[CfnResource]:
    return [node for node in stack.walk() if isinstance(node, CfnResource)]


def _s3_objects(stack: Stack) -> list[Any]:
    """Objects the template names as {S3Bucket, S3Key} or {Bucket, Key} (Lambda code, API definitions),
    or a key prefix (a table import)."""
    found: list[Any] = []
    for resource in _resources(stack):
        for key, bucket, holder in _values(resource.properties):
            if key not in ("S3Bucket", "Bucket") or bucket is None or isinstance(bucket, dict | list | bool):
                continue
            name = _plain(holder.get("S3Key", holder.get("Key")))
            prefix = _plain(holder.get("S3KeyPrefix"))
            if name is not None and not isinstance(name, dict | list | bool):
                found.append(f"arn:{Aws.PARTITION}:s3:::{bucket}/{name}")
            elif isinstance(prefix, str) or key == "S3Bucket":
                found.append(f"arn:{Aws.PARTITION}:s3:::{bucket}/{prefix if isinstance(prefix, str) else ''}*")
    return found


def _kms_keys(stack: Stack) -> list[Any]:
    """Keys the template names (KmsKeyArn, KMSMasterKeyId, KmsKeyId, ...): a literal key ARN as it is; an
    id, an alias or a value known only at deploy time as any key of the account and region."""
    found: list[Any] = []
    for resource in _resources(stack):
        for key, value, _ in _values(resource.properties):
            if not re.search(r"kms", key, re.IGNORECASE) or not re.search(r"key", key, re.IGNORECASE):
                continue
            if isinstance(value, str) and not is_token(value) and value.startswith("arn:") and ":key/" in value:
                found.append(value)
            elif value is not None and not isinstance(value, dict | list | bool):
                found.append(Fn.sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"))
    return found


TEMPLATE_INPUTS = (
    TemplateInput(service="s3", resource_types=frozenset({"object", "accesspointobject"}), find=_s3_objects,
                  why="a handler reads the objects the template names: a function's code, an API's definition, "
                      "a table's import source",
                  url="https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
                      "aws-properties-lambda-function-code.html"),
    TemplateInput(service="kms", resource_types=frozenset({"key", "alias"}), find=_kms_keys,
                  why="a handler uses a KMS key only when the template names one; AWS owned and AWS managed keys "
                      "need no IAM permission (their key policies allow use through the service)",
                  url="https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key"),
)


# -- the policy data -------------------------------------------------------------------------------------------

def action_resource_types(action: str) -> tuple[str, ...]:
    """The IAM resource types `action` acts on (lower case); none: it takes only "*"."""
    return iam_action_resource_types(action)


def _arn_formats(service: str, resource_type: str) -> list[str]:
    return list(iam_arn_formats(service, resource_type))


def _normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def owned_types(stack: Stack, service: str, resource_type: str) -> list[str]:
    """The stack's CloudFormation types that are this IAM resource type (or its collection, "restapis")."""
    kind = _normalized(resource_type)
    found = set()
    for resource in _resources(stack):
        parts = resource.resource_type.split("::")
        if len(parts) != 3 or parts[0] != "AWS":
            continue
        cfn_service, cfn_kind = _normalized(parts[1]), _normalized(parts[2])
        if (cfn_service == service or cfn_service.startswith(service)) and kind in (cfn_kind, cfn_kind + "s"):
            found.add(resource.resource_type)
    return sorted(found)


@functools.cache
def _generated_name(resource_type: str, region: str) -> tuple[str, int, bool] | None:
    """(name property, its length limit, lower case only) when CloudFormation makes the name up if the
    template gives none: the primary identifier is one top-level property the template may set (one inside
    another property, as a StorageLens configuration's Id, is the template's to give, never made up)."""
    schema = resource_schema(resource_type, region)
    identifier = primary_identifier(resource_type, region=region)
    if schema is None or len(identifier) != 1 or "/" in identifier[0] or identifier[0] in schema.read_only_roots:
        return None
    name = identifier[0]
    pattern = property_pattern(resource_type, name, region=region)
    lower_only = pattern is not None and re.search(pattern, "abc") is not None and re.search(pattern, "ABC") is None
    longest = property_length(resource_type, name, region=region)[1]
    return name, _DEFAULT_NAME_LIMIT if longest is None else longest, lower_only


def _with_variables(arn_format: str, name: str) -> Any:
    """The ARN of `name` in IAM's format, as one Fn::Sub of the stack's partition, region and account."""
    text = re.sub(r"\$\{(\w+)\}", lambda m: _ARN_VARIABLES.get(m.group(1), "*"), arn_format)
    return Fn.sub(text.replace(".*", name.replace("${", "${!")) if ".*" in text else text)


def _owned_arns(stack: Stack, stack_name: Any, service: str, resource_type: str, region: str) -> list[Any]:
    """ARNs of the stack's resources of this IAM type (see the module docstring)."""
    arns: list[Any] = []
    for arn_format in _arn_formats(service, resource_type):
        if ".*" not in arn_format:
            arns.append(_with_variables(arn_format, ""))
            continue
        for cfn_type in owned_types(stack, service, resource_type):
            arns.extend(_names_of(stack, stack_name, cfn_type, arn_format, region))
    return arns


def _names_of(stack: Stack, stack_name: Any, cfn_type: str, arn_format: str, region: str) -> list[Any]:
    generated = _generated_name(cfn_type, region)
    if generated is None or not arn_format.endswith(".*") or not isinstance(stack_name, str) or is_token(stack_name):
        return [_with_variables(arn_format, "*")]
    name_property, limit, lower_only = generated
    if len(stack_name) + _GENERATED_NAME_ROOM > limit:
        return [_with_variables(arn_format, "*")]
    prefix = stack_name.lower() if lower_only else stack_name
    names: list[Any] = [f"{prefix}-*"]
    for resource in _resources(stack):
        if resource.resource_type != cfn_type:
            continue
        given = _plain(resource.properties.get(name_property))
        if given is None:
            continue
        if not isinstance(given, str) or is_token(given):
            return [_with_variables(arn_format, "*")]  # a name known only at deploy time
        names.append(given)
    return [_with_variables(arn_format, name) for name in names]


# -- the statements ---------------------------------------------------------------------------------------------

def scope_actions(actions: list[str], *, stack: Stack, stack_name: Any, region: str) -> ScopedPermissions:
    """Statements granting the non-IAM `actions` of `stack`'s handlers as narrowly as the data allows."""
    by_resources: dict[str, tuple[list[Any], list[str]]] = {}
    anywhere, scoped, left_out = [], [], []
    for action in actions:
        resources = _resources_for(action, stack=stack, stack_name=stack_name, region=region)
        if resources is None:
            left_out.append(action)
            continue
        if resources == ["*"]:
            anywhere.append(action)
        else:
            scoped.append(action)
        key = repr(sorted(stable_key(r) for r in resources))
        by_resources.setdefault(key, (resources, []))[1].append(action)
    statements = [iam.PolicyStatement(actions=names, resources=resources)
                  for resources, names in by_resources.values()]
    return ScopedPermissions(statements=statements, anywhere=tuple(anywhere), scoped=tuple(scoped),
                             left_out=tuple(left_out))


def _resources_for(action: str, *, stack: Stack, stack_name: Any, region: str) -> list[Any] | None:
    """Where `action` applies; None when the template gives it nothing to act on."""
    service = action.partition(":")[0].lower()
    kinds = action_resource_types(action)
    if not kinds:
        return ["*"]
    owned = [kind for kind in kinds if owned_types(stack, service, kind)]
    if owned:
        return _unique([arn for kind in owned for arn in _owned_arns(stack, stack_name, service, kind, region)])
    for template_input in TEMPLATE_INPUTS:
        if template_input.service == service and set(kinds) <= template_input.resource_types:
            named = _unique(template_input.find(stack))
            return named or None
    return ["*"]


def _unique(values: list[Any]) -> list[Any]:
    return iam._unique_sorted(values)


__all__ = ["TEMPLATE_INPUTS", "ScopedPermissions", "action_resource_types", "owned_types", "scope_actions"]
