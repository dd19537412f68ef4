"""kms: Key output and its defaults (symmetric, rotating, a key policy for the account only, retained), the
alias, the grants' exact actions, and the props checked against the AWS::KMS::Key/Alias schemas."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Duration, Stack
from iac.constructs import iam, kms
from iac.specs import is_stateful, property_enum, property_length, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

ACCOUNT_ROOT = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
ACCOUNT_ROOT_STATEMENT = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "kms:*", "Resource": "*"}


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def policy_statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    assert role.default_policy is not None
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_key_is_symmetric_rotating_retained_and_lets_only_the_account_manage_it(app, stack):
    key = kms.Key(stack, "Key")

    assert resources(app) == {"Key961B73FD": {
        "Type": "AWS::KMS::Key",
        "Properties": {
            "EnableKeyRotation": True,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": [ACCOUNT_ROOT_STATEMENT]},
        },
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }}
    assert key.resource.logical_id == "Key961B73FD"


def test_keys_are_retained_because_the_registry_lists_them_as_stateful():
    assert is_stateful(kms.RESOURCE_TYPE)


def test_alias_description_windows_and_removal_are_written(app, stack):
    key = kms.Key(stack, "Key", alias="alias/app/data", description="orders data",
                  rotation_period=Duration.days(180), pending_window=Duration.days(7), removal_policy="destroy")

    written = resources(app)
    assert written[key.resource.logical_id]["Properties"] == {
        "Description": "orders data",
        "EnableKeyRotation": True,
        "RotationPeriodInDays": 180,
        "PendingWindowInDays": 7,
        "KeyPolicy": {"Version": "2012-10-17", "Statement": [ACCOUNT_ROOT_STATEMENT]},
    }
    assert (written[key.resource.logical_id]["DeletionPolicy"],
            written[key.resource.logical_id]["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert key.alias is not None
    assert written[key.alias.resource.logical_id] == {
        "Type": "AWS::KMS::Alias",
        "Properties": {"AliasName": "alias/app/data", "TargetKeyId": {"Ref": key.resource.logical_id}},
    }
    assert key.alias.resource.logical_id == "KeyAlias910D852D"


def test_an_asymmetric_key_is_not_rotated(app, stack):
    key = kms.Key(stack, "Signing", key_spec="RSA_2048", key_usage="SIGN_VERIFY")

    properties = resources(app)[key.resource.logical_id]["Properties"]
    assert (properties["KeySpec"], properties["KeyUsage"], properties["EnableKeyRotation"]) == (
        "RSA_2048", "SIGN_VERIFY", False)


def test_arn_and_id_are_getatt_and_ref(stack, resolve):
    key = kms.Key(stack, "Key")

    assert resolve(key.key_arn) == {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}
    assert resolve(key.key_id) == {"Ref": key.resource.logical_id}


@pytest.mark.parametrize(("method", "actions"), [
    ("grant_encrypt", ["kms:Encrypt", "kms:GenerateDataKey*"]),
    ("grant_decrypt", "kms:Decrypt"),
    ("grant_encrypt_decrypt", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]),
])
def test_grants_give_exactly_their_actions_on_the_key(app, stack, role, method, actions):
    key = kms.Key(stack, "Key")

    grant = getattr(key, method)(role)

    assert grant.role is role
    assert policy_statements(app, role) == [
        {"Effect": "Allow", "Action": actions, "Resource": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}}]


def test_grant_actions_are_real_kms_actions():
    from iac.specs import iam_actions

    known = {action.lower() for action in iam_actions("kms")}
    for action in kms.ENCRYPT_DECRYPT_ACTIONS:
        name = action.split(":", 1)[1].lower()
        assert name in known or any(k.startswith(name.rstrip("*")) for k in known), action


def test_a_grant_does_not_touch_the_key_policy(app, stack, role):
    key = kms.Key(stack, "Key")
    key.grant_encrypt_decrypt(role)

    assert resources(app)[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"] == [ACCOUNT_ROOT_STATEMENT]


def test_a_service_statement_joins_the_key_policy(app, stack):
    key = kms.Key(stack, "Key")
    key.add_to_resource_policy(iam.PolicyStatement(
        principals=[iam.ServicePrincipal("events.amazonaws.com")], actions=["kms:Decrypt"], resources=["*"]))

    assert resources(app)[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"] == [
        ACCOUNT_ROOT_STATEMENT,
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"},
    ]


def test_a_key_policy_statement_without_principals_is_refused_at_the_callers_line(stack):
    key = kms.Key(stack, "Key")

    with pytest.raises(ConstructError, match="must name who it applies to") as caught:
        key.add_to_resource_policy(iam.PolicyStatement(actions=["kms:Decrypt"], resources=["*"]))

    assert caught.value.path == "Main/Key"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_kms.py")


def test_a_misspelt_argument_is_refused_with_did_you_mean(stack):
    with pytest.raises(ConstructError, match="has no argument 'enable_key_rotaton'") as caught:
        kms.Key(stack, "Key", enable_key_rotaton=False)

    assert caught.value.hint == "did you mean enable_key_rotation?"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_kms.py")


def test_the_windows_follow_the_schemas_ranges(stack):
    low, high = property_range(kms.RESOURCE_TYPE, "PendingWindowInDays")
    assert low is not None and high is not None
    kms.Key(stack, "Shortest", pending_window=Duration.days(low))
    kms.Key(stack, "Longest", pending_window=Duration.days(high))

    with pytest.raises(ConstructError, match=rf"pending_window: {int(high) + 1} is greater than the maximum"):
        kms.Key(stack, "TooLong", pending_window=Duration.days(high + 1))
    with pytest.raises(ConstructError, match=rf"rotation_period: {int(low)} is less than the minimum"):
        low_rotation, _ = property_range(kms.RESOURCE_TYPE, "RotationPeriodInDays")
        assert low_rotation is not None and low_rotation > low
        kms.Key(stack, "Fast", rotation_period=Duration.days(low))


def test_the_alias_follows_the_schemas_pattern_and_length(stack):
    _, longest = property_length(kms.ALIAS_TYPE, "AliasName")
    assert longest is not None
    kms.Key(stack, "Long", alias="alias/" + "a" * (longest - len("alias/")))

    with pytest.raises(ConstructError, match="alias: 'app/data' does not match"):
        kms.Key(stack, "NoPrefix", alias="app/data")
    with pytest.raises(ConstructError, match="is too long"):
        kms.Key(stack, "TooLong", alias="alias/" + "a" * (longest - len("alias/") + 1))


@pytest.mark.parametrize(("options", "message"), [
    ({"alias": "alias/aws/s3"}, "reserved for AWS managed keys"),
    ({"key_spec": "SYMETRIC_DEFAULT"}, r"'SYMETRIC_DEFAULT' is not one of .*\(did you mean 'SYMMETRIC_DEFAULT'\?\)"),
    ({"key_usage": "ENCRYPT"}, r"key_usage: 'ENCRYPT' is not one of"),
    ({"pending_window": Duration.hours(36)}, "36 hours is not a whole number of days"),
    ({"removal_policy": "snapshot"}, "AWS::KMS::Key does not support the Snapshot policy"),
    ({"key_spec": "HMAC_256", "key_usage": "GENERATE_VERIFY_MAC", "enable_key_rotation": True},
     "KMS rotates only SYMMETRIC_DEFAULT keys, not HMAC_256"),
    ({"enable_key_rotation": False, "rotation_period": Duration.days(90)},
     "rotation_period is only used with key rotation on"),
    ({"description": "x" * 9000}, "description: .* is too long"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        kms.Key(stack, "Key", **options)

    assert caught.value.path == "Main/Key"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_kms.py")


def test_key_spec_values_are_the_schemas():
    assert kms.SYMMETRIC_DEFAULT in property_enum(kms.RESOURCE_TYPE, "KeySpec")
    assert kms.ENCRYPT_DECRYPT in property_enum(kms.RESOURCE_TYPE, "KeyUsage")


def test_a_grant_to_something_without_a_role_names_it(stack, echo):
    queue = echo(stack, "Queue")

    with pytest.raises(ConstructError, match="cannot grant access from Main/Key to Main/Queue: it has no IAM role"):
        kms.Key(stack, "Key").grant_decrypt(queue)


def test_keys_aliases_and_grants_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    kms.Key(stack, "Key", alias="alias/app/data", description="data", pending_window=7).grant_encrypt_decrypt(role)
    kms.Key(stack, "Signing", key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY", removal_policy="destroy")
    kms.Key(stack, "Mac", key_spec="HMAC_256", key_usage="GENERATE_VERIFY_MAC", enabled=False)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


IMPORTED_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_an_imported_key_is_granted_by_its_arn_and_adds_nothing(app, stack, role):
    key = kms.Key.from_key_arn(stack, "Shared", IMPORTED_ARN)

    key.grant_decrypt(role)

    assert key.key_arn == IMPORTED_ARN
    assert [node for node in key.walk() if isinstance(node, CfnResource)] == []
    assert policy_statements(app, role) == [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": IMPORTED_ARN}]


@pytest.mark.parametrize("arn", ["alias/shared", "arn:aws:kms:us-east-1:123456789012:alias/shared",
                                 "arn:aws:s3:::bucket"])
def test_an_imported_key_needs_a_key_arn(stack, arn):
    with pytest.raises(ConstructError, match="is not a KMS key ARN") as caught:
        kms.Key.from_key_arn(stack, "Shared", arn)

    assert caught.value.path == "Main/Shared"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_kms.py")


def test_a_grant_with_other_than_kms_actions_is_refused(stack, role):
    with pytest.raises(ConstructError, match="a key grant takes kms: actions") as caught:
        kms.Key(stack, "Key").grant(role, ["s3:GetObject"])

    assert caught.value.location is not None and caught.value.location.file.endswith("test_kms.py")
