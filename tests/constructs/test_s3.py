"""s3: Bucket output, its protective defaults (private, encrypted, TLS only, retained), the bucket
policy, least-privilege grants and the errors for inputs S3 would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Parameter, Stack
from iac.constructs import iam, kms, s3
from iac.specs import property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
READ = ["s3:GetBucket*", "s3:GetObject*", "s3:List*"]
WRITE = ["s3:Abort*", "s3:DeleteObject*", "s3:PutObject", "s3:PutObjectLegalHold", "s3:PutObjectRetention",
         "s3:PutObjectTagging", "s3:PutObjectVersionTagging"]
ALL_BLOCKED = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
               "RestrictPublicBuckets": True}


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def entry(app: App, bucket: s3.Bucket) -> dict[str, Any]:
    return resources(app)[bucket.resource.logical_id]


def policy_statements(app: App, bucket: s3.Bucket) -> list[dict[str, Any]]:
    return resources(app)[bucket.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def role_statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def arn(bucket: s3.Bucket) -> dict[str, Any]:
    return {"Fn::GetAtt": [bucket.resource.logical_id, "Arn"]}


def objects(bucket: s3.Bucket, pattern: str = "*") -> dict[str, Any]:
    return {"Fn::Join": ["", [arn(bucket), f"/{pattern}"]]}


def deny_insecure_transport(bucket: s3.Bucket) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [arn(bucket), objects(bucket)],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


# -- output and defaults ------------------------------------------------------------------------


def test_a_bucket_is_private_encrypted_and_retained(app, stack):
    bucket = s3.Bucket(stack, "Bucket")

    assert entry(app, bucket) == {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}],
            },
            "PublicAccessBlockConfiguration": ALL_BLOCKED,
        },
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }


def test_a_bucket_denies_requests_without_tls_by_default(app, stack):
    bucket = s3.Bucket(stack, "Bucket")

    policy = resources(app)[bucket.policy.logical_id]
    assert policy["Type"] == "AWS::S3::BucketPolicy"
    assert policy["Properties"]["Bucket"] == {"Ref": bucket.resource.logical_id}
    assert policy_statements(app, bucket) == [deny_insecure_transport(bucket)]


def test_without_enforce_ssl_there_is_no_bucket_policy(app, stack):
    bucket = s3.Bucket(stack, "Bucket", enforce_ssl=False)

    assert bucket.policy is None
    assert [r["Type"] for r in resources(app).values()] == ["AWS::S3::Bucket"]


def test_public_access_block_can_be_turned_off(app, stack):
    bucket = s3.Bucket(stack, "Bucket", block_public_access=False)

    assert "PublicAccessBlockConfiguration" not in entry(app, bucket)["Properties"]


def test_kms_encryption_names_the_key(app, stack):
    bucket = s3.Bucket(stack, "Bucket", encryption="KMS", kms_key_arn=KEY_ARN)

    assert entry(app, bucket)["Properties"]["BucketEncryption"] == {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}}]}


def test_name_versioning_lifecycle_and_eventbridge_are_written(app, stack):
    rules = [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": 30}]
    bucket = s3.Bucket(stack, "Bucket", bucket_name="my-artifacts", versioned=True, lifecycle_rules=rules,
                       event_bridge_enabled=True)

    properties = entry(app, bucket)["Properties"]
    assert properties["BucketName"] == "my-artifacts"
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["LifecycleConfiguration"] == {"Rules": rules}
    assert properties["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}


def test_removal_policy_destroy_lets_cloudformation_delete_the_bucket(app, stack):
    bucket = s3.Bucket(stack, "Bucket", removal_policy="destroy")

    assert (entry(app, bucket)["DeletionPolicy"], entry(app, bucket)["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_bucket_name_arn_and_object_arns_are_references(stack, resolve):
    bucket = s3.Bucket(stack, "Bucket")

    assert resolve(bucket.bucket_name) == {"Ref": bucket.resource.logical_id}
    assert resolve(bucket.bucket_arn) == arn(bucket)
    assert resolve(bucket.arn_for_objects()) == objects(bucket)
    assert resolve(bucket.arn_for_objects("logs/*")) == objects(bucket, "logs/*")


# -- resource policy ------------------------------------------------------------------------


def test_statements_added_to_the_resource_policy_join_the_tls_statement(app, stack):
    bucket = s3.Bucket(stack, "Bucket")
    reader = iam.PolicyStatement(actions=["s3:GetObject"], resources=[bucket.arn_for_objects("public/*")],
                                 principals=[iam.ArnPrincipal("arn:aws:iam::123456789012:role/reader")])

    bucket.add_to_resource_policy(reader)

    assert sorted(policy_statements(app, bucket), key=str) == sorted([
        deny_insecure_transport(bucket),
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
         "Action": "s3:GetObject", "Resource": objects(bucket, "public/*")},
    ], key=str)


def test_the_resource_policy_is_created_on_first_use(app, stack):
    bucket = s3.Bucket(stack, "Bucket", enforce_ssl=False)

    bucket.add_to_resource_policy(iam.PolicyStatement(
        actions=["s3:GetObject"], resources=[bucket.arn_for_objects()], principals=[iam.AccountRootPrincipal()]))

    assert len(policy_statements(app, bucket)) == 1


def test_a_resource_policy_statement_must_name_principals(stack):
    bucket = s3.Bucket(stack, "Bucket")

    with pytest.raises(ConstructError, match="must name who it applies to"):
        bucket.add_to_resource_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))


# -- grants ----------------------------------------------------------------------------------


def test_grant_read_allows_reading_the_bucket_and_its_objects(app, stack, role):
    bucket = s3.Bucket(stack, "Bucket")

    grant = bucket.grant_read(role)

    assert grant.role is role
    assert role_statements(app, role) == [{"Effect": "Allow", "Action": READ,
                                           "Resource": [arn(bucket), objects(bucket)]}]


def test_grant_write_allows_writing_objects_only(app, stack, role):
    bucket = s3.Bucket(stack, "Bucket")

    bucket.grant_write(role)

    assert role_statements(app, role) == [{"Effect": "Allow", "Action": WRITE, "Resource": objects(bucket)}]


def test_grant_read_write_allows_both_sets_and_nothing_else(app, stack, role):
    bucket = s3.Bucket(stack, "Bucket")

    bucket.grant_read_write(role)

    assert role_statements(app, role) == [{"Effect": "Allow", "Action": sorted(READ + WRITE),
                                           "Resource": [arn(bucket), objects(bucket)]}]


def test_grants_can_be_narrowed_to_a_key_prefix(app, stack, role):
    bucket = s3.Bucket(stack, "Bucket")

    bucket.grant_write(role, "uploads/*")

    assert role_statements(app, role)[0]["Resource"] == objects(bucket, "uploads/*")


def test_a_kms_bucket_grants_the_key_too(app, stack, role):
    bucket = s3.Bucket(stack, "Bucket", encryption="KMS", kms_key_arn=KEY_ARN)

    bucket.grant_read(role)

    assert {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN} in role_statements(app, role)


def test_an_encryption_key_means_sse_kms_with_that_key(app, stack):
    key = kms.Key(stack, "Key")
    bucket = s3.Bucket(stack, "Bucket", encryption_key=key)

    assert entry(app, bucket)["Properties"]["BucketEncryption"] == {"ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                           "KMSMasterKeyID": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}}}]}
    assert bucket.encryption_key is key and bucket.props.encryption == s3.BucketEncryption.KMS


def test_a_bucket_with_an_encryption_key_grants_the_key_too(app, stack, role):
    key = kms.Key(stack, "Key")
    bucket = s3.Bucket(stack, "Bucket", encryption_key=key)

    bucket.grant_read(role)

    assert role_statements(app, role) == [
        {"Effect": "Allow", "Action": ["s3:GetBucket*", "s3:GetObject*", "s3:List*"],
         "Resource": [arn(bucket), objects(bucket)]},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}},
    ]


def test_an_imported_encryption_key_is_named_by_its_arn(app, stack, role):
    bucket = s3.Bucket(stack, "Bucket", encryption_key=kms.Key.from_key_arn(stack, "Shared", KEY_ARN))

    bucket.grant_write(role)

    assert entry(app, bucket)["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}
    assert {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
            "Resource": KEY_ARN} in role_statements(app, role)


def test_an_encryption_key_and_a_key_arn_are_not_both_given(stack):
    with pytest.raises(ConstructError, match="give encryption_key or kms_key_arn, not both") as caught:
        s3.Bucket(stack, "Bucket", encryption_key=kms.Key(stack, "Key"), kms_key_arn=KEY_ARN)

    assert caught.value.path == "Main/Bucket"


def test_granting_to_something_without_a_role_names_it(stack):
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")

    with pytest.raises(ConstructError, match="cannot grant access from Main/Bucket to Main/Queue: it has no IAM role"):
        s3.Bucket(stack, "Bucket").grant_write(queue)


# -- bad inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    ({"bucket_name": "My_Bucket"}, r"bucket_name: 'My_Bucket' does not match .* \(AWS::S3::Bucket BucketName, per its"),
    ({"bucket_name": "ab"}, "bucket_name: 'ab' is not a valid S3 bucket name: S3 bucket names are at least 3"),
    ({"bucket_name": "192.168.1.1"}, "not a valid S3 bucket name: it must not be formatted as an IP address"),
    ({"bucket_name": "my..bucket"}, "not a valid S3 bucket name: it must not have two adjacent periods"),
    ({"bucket_name": "xn--bucket"}, "not a valid S3 bucket name: the prefix 'xn--' and the suffix '-s3alias'"),
    ({"bucket_name": 42}, r"bucket_name must be str \| Token \| None, got int 42"),
    ({"encryption": "SSE"}, r"encryption must be 'S3_MANAGED' \| 'KMS', got str 'SSE'"),
    ({"encryption": "KMS"}, "encryption KMS needs kms_key_arn"),
    ({"kms_key_arn": KEY_ARN}, "kms_key_arn is only used with encryption KMS"),
    ({"encryption": "KMS", "kms_key_arn": "alias/mine"}, r"kms_key_arn: must be a KMS key ARN \(arn:aws:kms:"),
    ({"encryption_key": KEY_ARN}, r"encryption_key must be KeyBase \| None, got str"),
    ({"versioned": "yes"}, "versioned must be bool, got str 'yes'"),
    ({"lifecycle_rules": {"Status": "Enabled"}},
     r"lifecycle_rules must be Sequence\[Mapping\[str, Any\]\] \| None, got dict"),
    ({"lifecycle_rules": [{"Status": "On"}]},
     r"lifecycle_rules: 'On' is not one of .* at \[0\]\['Status'\] "
     r"\(AWS::S3::Bucket LifecycleConfiguration.Rules, per its schema\)"),
    ({"removal_policy": "snapshot"}, "AWS::S3::Bucket does not support the Snapshot policy"),
    ({"public": True}, "Bucket 'Bucket' has no argument 'public'"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        s3.Bucket(stack, "Bucket", **options)

    assert caught.value.path == "Main/Bucket"
    assert caught.value.location is not None and caught.value.location.file == __file__


def test_a_misspelt_option_gets_a_did_you_mean(stack):
    with pytest.raises(ConstructError, match="Bucket 'Bucket' has no argument 'versionned'") as caught:
        s3.Bucket(stack, "Bucket", versionned=True)

    assert caught.value.hint == "did you mean versioned?"
    assert caught.value.location.file == __file__


def test_the_bucket_name_limit_is_the_schemas(app, stack):
    longest = property_length("AWS::S3::Bucket", "BucketName")[1]
    assert isinstance(longest, int)

    fits = s3.Bucket(stack, "Fits", bucket_name="b" * longest)
    with pytest.raises(ConstructError, match=r"bucket_name: 'b+' is too long \(AWS::S3::Bucket BucketName"):
        s3.Bucket(stack, "TooLong", bucket_name="b" * (longest + 1))
    assert entry(app, fits)["Properties"]["BucketName"] == "b" * longest


def test_lifecycle_rules_are_judged_as_cloudformation_converts_scalars(app, stack):
    rules = [{"Status": "Enabled", "ExpirationInDays": "30", "Prefix": "logs/"}]

    bucket = s3.Bucket(stack, "Bucket", lifecycle_rules=rules)

    assert entry(app, bucket)["Properties"]["LifecycleConfiguration"] == {"Rules": rules}
    with pytest.raises(ConstructError, match=r"'Prefx' was unexpected\) at \[0\] \(AWS::S3::Bucket LifecycleConf"):
        s3.Bucket(stack, "Typo", lifecycle_rules=[{"Status": "Enabled", "Prefx": "logs/"}])
    with pytest.raises(ConstructError, match=r"'thirty' is not of type 'integer' at \[0\]\['ExpirationInDays'\]"):
        s3.Bucket(stack, "Words", lifecycle_rules=[{"Status": "Enabled", "ExpirationInDays": "thirty"}])


def test_deploy_time_names_and_keys_are_left_for_cloudformation_to_check(app, stack):
    name = Parameter(stack, "Name")
    key = Parameter(stack, "Key")
    bucket = s3.Bucket(stack, "Bucket", bucket_name=name.value, encryption=s3.BucketEncryption.KMS,
                       kms_key_arn=key.value)

    properties = entry(app, bucket)["Properties"]
    assert properties["BucketName"] == {"Ref": "Name"}
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Ref": "Key"}


def test_an_object_pattern_must_be_a_non_empty_string(stack):
    with pytest.raises(ConstructError, match="arn_for_objects needs a key pattern"):
        s3.Bucket(stack, "Bucket").arn_for_objects("")


# -- cfn-lint --------------------------------------------------------------------------------


def test_buckets_with_every_option_and_grants_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    bucket = s3.Bucket(stack, "Bucket", bucket_name="my-artifacts", versioned=True, event_bridge_enabled=True,
                       lifecycle_rules=[{"Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}])
    bucket.add_to_resource_policy(iam.PolicyStatement(
        actions=["s3:GetObject"], resources=[bucket.arn_for_objects("public/*")],
        principals=[iam.AccountRootPrincipal()]))
    encrypted = s3.Bucket(stack, "Encrypted", encryption="KMS", kms_key_arn=KEY_ARN, removal_policy="destroy")
    with_key = s3.Bucket(stack, "WithKey", encryption_key=kms.Key(stack, "Key"))
    bucket.grant_read(role)
    encrypted.grant_read_write(role)
    with_key.grant_write(role)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
