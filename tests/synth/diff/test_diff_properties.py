"""Property tests (hypothesis): a template never differs from itself, and diff(a, b) mirrors diff(b, a)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from diff_helpers import assert_no_changes, diff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iac.synth.loader import loads
from iac.synth.serialize import to_json, to_yaml


@pytest.fixture(autouse=True, scope="module")
def compare_every_resource():
    """Bypass the byte-identical shortcut (identical_resources), so these tests exercise
    normalization itself: a round trip keeps types, so every resource would take the shortcut."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("iac.synth.diff.stack.identical_resources", lambda old, new: frozenset())
        yield

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

IDS = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")
PARAMETERS = ("Env", "Size")

#: Real types with real property names (create-only ones included, so replacements happen).
TYPES: dict[str, tuple[str, ...]] = {
    "AWS::SQS::Queue": ("QueueName", "VisibilityTimeout", "DelaySeconds", "FifoQueue", "Tags", "RedrivePolicy"),
    "AWS::SNS::Topic": ("TopicName", "DisplayName", "KmsMasterKeyId", "Tags"),
    "AWS::DynamoDB::Table": ("TableName", "KeySchema", "AttributeDefinitions", "BillingMode", "Arn"),
    "AWS::Lambda::Function": ("FunctionName", "MemorySize", "Timeout", "Role", "Environment", "VpcConfig"),
    "AWS::EC2::VPC": ("CidrBlock", "InstanceTenancy", "EnableDnsHostnames", "Tags"),
    "AWS::EC2::Subnet": ("VpcId", "CidrBlock", "AvailabilityZone", "MapPublicIpOnLaunch"),
    "AWS::EC2::SecurityGroup": ("GroupDescription", "VpcId", "SecurityGroupIngress", "SecurityGroupEgress"),
    "AWS::IAM::Role": ("RoleName", "AssumeRolePolicyDocument", "Policies", "ManagedPolicyArns"),
    "AWS::S3::Bucket": ("BucketName", "VersioningConfiguration", "Tags"),
    "AWS::Route53::HealthCheck": ("HealthCheckConfig",),
    "Custom::Thing": ("ServiceToken", "Size", "Items"),
}

TRICKY_TEXT = ("yes", "no", "on", "off", "null", "~", "1e3", "0x1F", "010", "1_000", "2012-10-17", "12:30:00",
               ".5", "+1", "true", "False", "", " lead", "trail ", "a: b", "- x", "#c", "${Alpha}", "${!Lit}",
               "line1\nline2\n", "tab\there", "é ü ✓", "*", "0.0.0.0/0", "arn:aws:s3:::b/*", "'q'", '"dq"')

names = st.sampled_from(IDS)
text = st.one_of(st.sampled_from(TRICKY_TEXT),
                 st.text(alphabet="abcXYZ019 -_:/.*${}!#@'\"\n", max_size=10))
scalars = st.one_of(
    text,
    st.integers(min_value=-(2 ** 40), max_value=2 ** 40),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


def _intrinsics(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, st.one_of(names, st.sampled_from(PARAMETERS + ("AWS::Region",)))),
        st.builds(lambda n, a: {"Fn::GetAtt": [n, a]}, names, st.sampled_from(("Arn", "VpcId", "GroupId"))),
        st.builds(lambda n, a: {"Fn::GetAtt": f"{n}.{a}"}, names, st.sampled_from(("Arn", "CidrBlock"))),
        st.builds(lambda n, a: {"Fn::Sub": f"x-${{{n}}}-${{{a}.Arn}}-${{AWS::Region}}"}, names, names),
        st.builds(lambda items: {"Fn::Join": ["-", items]}, st.lists(children, max_size=3)),
        st.builds(lambda a, b: {"Fn::If": ["IsProd", a, b]}, children, children),
        st.builds(lambda i, items: {"Fn::Select": [i, items]}, st.integers(0, 2), st.lists(children, min_size=1,
                                                                                          max_size=3)),
    )


values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(("Key", "Value", "Name", "Type", "Port", "Items")), children, max_size=3),
        _intrinsics(children),
    ),
    max_leaves=8,
)

statements = st.fixed_dictionaries(
    {"Effect": st.sampled_from(("Allow", "Deny")),
     "Action": st.one_of(st.sampled_from(("s3:GetObject", "sqs:*")),
                         st.lists(st.sampled_from(("s3:GetObject", "s3:PutObject", "kms:Decrypt")), min_size=1,
                                  max_size=3)),
     "Resource": st.one_of(st.just("*"), st.builds(lambda n: {"Fn::GetAtt": [n, "Arn"]}, names))},
)
policy_documents = st.builds(lambda s: {"Version": "2012-10-17", "Statement": s},
                             st.lists(statements, min_size=1, max_size=3))
rules = st.fixed_dictionaries({
    "IpProtocol": st.sampled_from(("tcp", "udp", "-1", -1)),
    "FromPort": st.sampled_from((22, 443, "443")),
    "ToPort": st.sampled_from((22, 443, "443")),
    "CidrIp": st.sampled_from(("0.0.0.0/0", "10.0.0.0/8")),
})
tags = st.lists(st.fixed_dictionaries({"Key": st.sampled_from(("team", "env", "app")), "Value": text}), max_size=3)


def _property_value(name: str) -> st.SearchStrategy[Any]:
    if name in ("AssumeRolePolicyDocument",):
        return policy_documents
    if name == "Policies":
        return st.lists(st.fixed_dictionaries({"PolicyName": text, "PolicyDocument": policy_documents}), max_size=2)
    if name in ("SecurityGroupIngress", "SecurityGroupEgress"):
        return st.lists(rules, max_size=3)
    if name == "Tags":
        return tags
    if name == "ManagedPolicyArns":
        return st.lists(st.sampled_from(("arn:aws:iam::aws:policy/ReadOnlyAccess",
                                         "arn:aws:iam::aws:policy/AdministratorAccess")), max_size=2)
    return values


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    resource_type = draw(st.sampled_from(sorted(TYPES)))
    chosen = draw(st.lists(st.sampled_from(TYPES[resource_type]), unique=True, max_size=4))
    entry: dict[str, Any] = {"Type": resource_type}
    if chosen or draw(st.booleans()):
        entry["Properties"] = {name: draw(_property_value(name)) for name in chosen}
    if draw(st.booleans()):
        entry["DeletionPolicy"] = draw(st.sampled_from(("Retain", "Delete", "Snapshot")))
    if draw(st.booleans()):
        entry["UpdateReplacePolicy"] = draw(st.sampled_from(("Retain", "Delete")))
    if draw(st.booleans()):
        entry["DependsOn"] = draw(st.one_of(names, st.lists(names, max_size=3)))
    return entry


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(names, unique=True, min_size=1, max_size=len(IDS)))
    result: dict[str, Any] = {"Resources": {logical_id: draw(resources()) for logical_id in ids}}
    if draw(st.booleans()):
        result["Parameters"] = {p: {"Type": "String", "Default": draw(text)}
                                for p in draw(st.lists(st.sampled_from(PARAMETERS), unique=True))}
    if draw(st.booleans()):
        result["Outputs"] = {f"Out{n}": {"Value": draw(values)} for n in range(draw(st.integers(0, 2)))}
    if draw(st.booleans()):
        result["Description"] = draw(text)
    return result


@st.composite
def template_pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two templates that share most logical ids: each resource is kept, edited, retyped, dropped or added."""
    old = draw(templates())
    new = copy.deepcopy(old)
    for logical_id in IDS:
        fate = draw(st.sampled_from(("keep", "keep", "replace", "drop", "edit")))
        if fate == "replace":
            new["Resources"][logical_id] = draw(resources())
        elif fate == "drop":
            new["Resources"].pop(logical_id, None)
        elif fate == "edit" and logical_id in new["Resources"]:
            entry = new["Resources"][logical_id]
            names_of_type = TYPES.get(entry["Type"], ())
            if names_of_type:
                name = draw(st.sampled_from(names_of_type))
                entry.setdefault("Properties", {})[name] = draw(_property_value(name))
    if draw(st.booleans()):
        new["Description"] = draw(text)
    return old, new


@SETTINGS
@given(templates())
def test_a_template_has_no_changes_against_itself(tpl: dict[str, Any]) -> None:
    assert_no_changes(diff(tpl, tpl))
    assert_no_changes(diff(tpl, copy.deepcopy(tpl), parameters={}))


@SETTINGS
@given(templates())
def test_a_template_has_no_changes_after_a_yaml_json_round_trip(tpl: dict[str, Any]) -> None:
    assert_no_changes(diff(tpl, loads(to_json(loads(to_yaml(tpl))))))


def _adds(result: Any) -> set[tuple[str, str]]:
    return {(c.logical_id, c.resource_type) for c in result.resources if c.action == "Add"}


def _removes(result: Any) -> set[tuple[str, str]]:
    return {(c.logical_id, c.resource_type) for c in result.resources if c.action == "Remove"}


def _static_modifies(result: Any) -> set[str]:
    return {c.logical_id for c in result.resources
            if c.action == "Modify" and any(d.evaluation == "Static" for d in c.details)}


@SETTINGS
@given(template_pairs())
def test_adds_and_removes_are_mirrored(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    forward, backward = diff(old, new), diff(new, old)
    assert _adds(forward) == _removes(backward)
    assert _removes(forward) == _adds(backward)
    assert _static_modifies(forward) == _static_modifies(backward)
    assert forward.has_changes == backward.has_changes


@SETTINGS
@given(template_pairs())
def test_security_and_section_changes_are_mirrored(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    forward, backward = diff(old, new), diff(new, old)
    flip = {"Add": "Remove", "Remove": "Add", "Modify": "Modify"}

    def statements(result: Any, mirror: bool) -> set[tuple[Any, ...]]:
        return {(flip[s.action] if mirror else s.action, s.logical_id, s.location, s.effect, s.actions, s.resources)
                for s in result.statements}

    def rules(result: Any, mirror: bool) -> set[tuple[Any, ...]]:
        return {(flip[r.action] if mirror else r.action, r.logical_id, r.group, r.direction, r.protocol, r.ports,
                 r.peer) for r in result.rules}

    def sections(result: Any, mirror: bool) -> set[tuple[Any, ...]]:
        return {(flip[v.action] if mirror else v.action, v.section, v.name) for v in result.values}

    assert statements(forward, False) == statements(backward, True)
    assert rules(forward, False) == rules(backward, True)
    assert sections(forward, False) == sections(backward, True)


@SETTINGS
@given(template_pairs())
def test_every_change_is_well_formed(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    result = diff(old, new)
    for change in result.resources:
        if change.action == "Modify":
            assert change.details, change
            assert change.replacement in ("True", "False", "Conditional")
            assert change.is_replacement == bool(change.reasons)
            for detail in change.details:
                assert detail.evaluation in ("Static", "Dynamic")
                assert detail.target.requires_recreation in ("Never", "Conditionally", "Always")
                assert (detail.evaluation == "Dynamic") == (detail.causing_entity is not None)
        else:
            assert change.replacement is None
            assert change.action in ("Add", "Remove")
    counts = result.counts()
    assert sum(counts.values()) == len(result.resources)
