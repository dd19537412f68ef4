"""What a derived deployment role knows of the names CloudFormation makes up, read through iac.specs."""

from __future__ import annotations

import re

from iac import specs
from iac.constructs.deployment_permissions import _generated_name


def test_a_settable_primary_identifier_is_a_generated_name_with_the_schemas_limit_and_case() -> None:
    name, limit, lower_only = _generated_name("AWS::S3::Bucket", "us-east-1")

    assert name == "BucketName"
    assert limit == specs.property_length("AWS::S3::Bucket", "BucketName")[1]
    assert lower_only  # S3 documents bucket names as lower case only


def test_the_limit_and_case_come_from_a_referenced_definition() -> None:
    document = specs.resource_schema("AWS::ECR::PullThroughCacheRule").document
    node = document["properties"]["EcrRepositoryPrefix"]
    assert "$ref" in node and "maxLength" not in node  # the facts are in the definition it names
    definition = document["definitions"][node["$ref"].removeprefix("#/definitions/")]

    name, limit, lower_only = _generated_name("AWS::ECR::PullThroughCacheRule", "us-east-1")

    assert (name, limit) == ("EcrRepositoryPrefix", definition["maxLength"])
    assert lower_only == (re.search(definition["pattern"], "ABC") is None)


def test_a_read_only_primary_identifier_is_no_generated_name() -> None:
    assert specs.primary_identifier("AWS::SQS::Queue") == ("QueueUrl",)
    assert _generated_name("AWS::SQS::Queue", "us-east-1") is None


def test_a_primary_identifier_inside_another_property_is_no_generated_name() -> None:
    # StorageLens is identified by its configuration's Id, which the template gives; CloudFormation makes none up.
    assert specs.primary_identifier("AWS::S3::StorageLens") == ("StorageLensConfiguration/Id",)
    assert _generated_name("AWS::S3::StorageLens", "us-east-1") is None


def test_a_type_the_region_lacks_has_no_generated_name() -> None:
    home = specs.provider_types("us-east-1")
    resource_type, region = next((t, r) for r in specs.known_regions() if "-" in r for t in sorted(home)
                                 if t not in specs.provider_types(r) and _generated_name(t, "us-east-1"))
    assert _generated_name(resource_type, region) is None
