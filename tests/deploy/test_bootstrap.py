"""The bootstrap stack: the bucket the synthesizer names, private, encrypted, versioned, with a
lifecycle for old versions, kept when the stack goes; valid for cfn-lint."""

from __future__ import annotations

from typing import Any

import pytest

from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.deploy.assets import asset_bucket
from iac.deploy.bootstrap import BOOTSTRAP_STACK_NAME, bootstrap_artifact


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return bootstrap_artifact().template


def _bucket(template: dict[str, Any]) -> dict[str, Any]:
    [bucket] = [r for r in template["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
    return bucket


def test_the_bucket_is_named_as_synthesized_templates_name_it(template: dict[str, Any]) -> None:
    assert _bucket(template)["Properties"]["BucketName"] == {"Fn::Sub": ASSET_BUCKET_TEMPLATE}
    assert asset_bucket("123456789012", "eu-west-1") == "iac-assets-123456789012-eu-west-1"
    assert bootstrap_artifact().stack_name == BOOTSTRAP_STACK_NAME == "iac-bootstrap"


def test_the_bucket_is_private_encrypted_versioned_and_kept(template: dict[str, Any]) -> None:
    bucket = _bucket(template)
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    [policy] = [r for r in template["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"]
    [deny] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_old_versions_expire_and_unfinished_uploads_are_cleaned_up() -> None:
    [rule] = _bucket(bootstrap_artifact(noncurrent_days=7).template)["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    assert rule["ExpiredObjectDeleteMarker"] is True
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert "ExpirationInDays" not in rule  # current assets are never expired: deployed stacks use them


def test_the_bootstrap_template_is_clean_for_cfn_lint(cfn_lint: Any) -> None:
    assert cfn_lint(bootstrap_artifact().body) == []


def test_the_bootstrap_stack_needs_no_capability(template: dict[str, Any]) -> None:
    from iac.deploy.change_sets import capabilities

    assert capabilities(template) == []
