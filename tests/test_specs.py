"""iac.specs: the one reader of cfn-lint's data, checked against the pinned data read another way.

The expected values come from the schema files opened directly (json, no iac code), from facts AWS
documents, or from cfn-lint's own additional specs, never from numbers copied into this file where the
data can say them.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from iac import specs

ROOT = Path(__file__).resolve().parents[1]


def _raw_provider(region: str) -> dict[str, str]:
    with open(os.path.join(specs.schema_root(), "providers", f"{region}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _raw_document(resource_type: str, region: str = "us-east-1") -> dict[str, Any]:
    file_id = _raw_provider(region)[resource_type]
    with open(os.path.join(specs.schema_root(), "resources", f"{file_id}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _definition(document: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/definitions/"), ref
    return document["definitions"][ref.removeprefix("#/definitions/")]


def _region_only_type() -> tuple[str, str]:
    """A type some region has and us-east-1 has not, found in the provider files themselves."""
    home = _raw_provider("us-east-1")
    for region in specs.known_regions():
        extra = sorted(set(_raw_provider(region)) - set(home))
        if extra:
            return region, extra[0]
    raise AssertionError("the pinned data has no type outside us-east-1: pick another region test")


# -- property names, schema nodes -------------------------------------------------------------------------

def test_property_names_are_the_schema_documents_properties() -> None:
    document = _raw_document("AWS::SQS::Queue")
    assert specs.property_names("AWS::SQS::Queue") == frozenset(document["properties"])


def test_property_names_include_read_only_ones() -> None:
    document = _raw_document("AWS::SQS::Queue")
    read_only = {pointer.split("/")[2] for pointer in document["readOnlyProperties"]}
    assert read_only and read_only <= specs.property_names("AWS::SQS::Queue")


def test_property_schema_of_a_top_level_property_is_its_node() -> None:
    document = _raw_document("AWS::Lambda::Function")
    assert specs.property_schema("AWS::Lambda::Function", "MemorySize") == document["properties"]["MemorySize"]


def test_property_schema_follows_refs_and_list_items_along_a_template_path() -> None:
    document = _raw_document("AWS::CodePipeline::Pipeline")
    stages = document["properties"]["Stages"]
    stage = _definition(document, stages["items"]["$ref"])
    actions = stage["properties"]["Actions"]
    action = _definition(document, actions["items"]["$ref"])

    found = specs.property_schema("AWS::CodePipeline::Pipeline", "Stages", "Actions", "Name")

    assert found == action["properties"]["Name"]


def test_property_schema_of_a_list_of_objects_resolves_to_the_list_node() -> None:
    document = _raw_document("AWS::CodePipeline::Pipeline")
    assert specs.property_schema("AWS::CodePipeline::Pipeline", "Stages") == document["properties"]["Stages"]


def test_property_schema_finds_a_sub_property_declared_in_a_one_of_alternative() -> None:
    document = _raw_document("AWS::Macie::AllowList")
    criteria = _definition(document, document["properties"]["Criteria"]["$ref"])
    assert "properties" not in criteria and "oneOf" in criteria
    words = next(alt for alt in criteria["oneOf"] if "S3WordsList" in alt["properties"])["properties"]["S3WordsList"]

    found = specs.property_schema("AWS::Macie::AllowList", "Criteria", "S3WordsList", "BucketName")

    assert found == _definition(document, words["$ref"])["properties"]["BucketName"]


def test_property_schema_is_none_for_an_unknown_property_or_path() -> None:
    assert specs.property_schema("AWS::SQS::Queue", "NoSuchProperty") is None
    assert specs.property_schema("AWS::SQS::Queue", "DelaySeconds", "Deeper") is None
    assert specs.property_schema("AWS::SQS::Queue") is None


# -- constraints ---------------------------------------------------------------------------------------------

def test_property_enum_of_a_string_property_is_the_schemas_enum_in_order() -> None:
    document = _raw_document("AWS::DynamoDB::Table")
    assert specs.property_enum("AWS::DynamoDB::Table", "BillingMode") == tuple(
        document["properties"]["BillingMode"]["enum"])


def test_property_enum_of_a_list_is_what_each_item_may_be() -> None:
    # Lambda documents the two instruction sets: x86_64 and arm64.
    assert set(specs.property_enum("AWS::Lambda::Function", "Architectures")) == {"x86_64", "arm64"}


def test_property_enum_is_empty_when_the_schema_names_no_values() -> None:
    assert specs.property_enum("AWS::Lambda::Function", "Description") == ()


def test_property_range_reads_minimum_and_maximum() -> None:
    # SQS documents a queue's delivery delay as 0 to 900 seconds (15 minutes).
    assert specs.property_range("AWS::SQS::Queue", "DelaySeconds") == (0, 900)


def test_property_range_leaves_an_unset_bound_none() -> None:
    node = _raw_document("AWS::Lambda::Function")["properties"]["Description"]
    assert "minimum" not in node and "maximum" not in node
    assert specs.property_range("AWS::Lambda::Function", "Description") == (None, None)


def test_property_length_of_a_string_is_its_characters() -> None:
    # Lambda documents a function description as up to 256 characters.
    assert specs.property_length("AWS::Lambda::Function", "Description")[1] == 256


def test_property_length_of_a_list_is_its_items() -> None:
    # A function has exactly one architecture (Lambda: "a string array with one of the valid values").
    assert specs.property_length("AWS::Lambda::Function", "Architectures") == (1, 1)


def test_property_pattern_is_the_schemas_pattern() -> None:
    document = _raw_document("AWS::Lambda::Function")
    pattern = specs.property_pattern("AWS::Lambda::Function", "FunctionName")
    assert pattern == document["properties"]["FunctionName"]["pattern"]


def test_property_pattern_of_a_nested_property() -> None:
    pattern = specs.property_pattern("AWS::CodePipeline::Pipeline", "Stages", "Actions", "Name")
    assert pattern is not None
    assert re.search(pattern, "Deploy-1") and not re.search(pattern, "no spaces")


def test_property_pattern_is_none_when_the_schema_sets_none() -> None:
    assert specs.property_pattern("AWS::SQS::Queue", "DelaySeconds") is None


def test_required_properties_are_the_schemas_required_list() -> None:
    # A Lambda function needs its code and its execution role.
    assert set(specs.required_properties("AWS::Lambda::Function")) == {"Code", "Role"}
    assert specs.required_properties("AWS::SQS::Queue") == tuple(_raw_document("AWS::SQS::Queue").get("required", []))


def test_primary_identifier_is_given_as_paths_below_properties() -> None:
    assert specs.primary_identifier("AWS::S3::Bucket") == ("BucketName",)
    assert specs.primary_identifier("AWS::Lambda::Function") == ("FunctionName",)


def test_primary_identifier_keeps_every_part_of_a_composite_identifier() -> None:
    document = _raw_document("AWS::Lambda::Permission")
    expected = tuple(pointer.removeprefix("/properties/") for pointer in document["primaryIdentifier"])
    assert len(expected) > 1
    assert specs.primary_identifier("AWS::Lambda::Permission") == expected


def test_handler_permissions_list_the_actions_a_handler_calls() -> None:
    create = specs.handler_permissions("AWS::SQS::Queue", "create")
    assert "sqs:CreateQueue" in create
    assert create == tuple(_raw_document("AWS::SQS::Queue")["handlers"]["create"]["permissions"])


def test_handler_permissions_are_empty_for_an_operation_the_schema_lacks() -> None:
    assert specs.handler_permissions("AWS::SQS::Queue", "no-such-operation") == ()


# -- regions and unknown types -------------------------------------------------------------------------------

def test_an_accessor_with_a_region_reads_that_regions_data() -> None:
    region, resource_type = _region_only_type()
    document = _raw_document(resource_type, region)

    assert specs.property_names(resource_type, region=region) == frozenset(document["properties"])
    assert specs.property_names(resource_type) == frozenset()
    assert specs.required_properties(resource_type, region=region) == tuple(document.get("required", []))
    assert specs.required_properties(resource_type) == ()


def test_a_type_a_region_lacks_reads_as_empty_there() -> None:
    home, elsewhere = _raw_provider("us-east-1"), _raw_provider("ap-east-2")
    missing = sorted(set(home) - set(elsewhere))[0]
    name = next(iter(_raw_document(missing)["properties"]))
    assert specs.property_schema(missing, name) is not None
    assert specs.property_schema(missing, name, region="ap-east-2") is None


@pytest.mark.parametrize("read", [
    lambda t: specs.property_names(t),
    lambda t: specs.property_schema(t, "Name"),
    lambda t: specs.property_enum(t, "Name"),
    lambda t: specs.property_range(t, "Name"),
    lambda t: specs.property_length(t, "Name"),
    lambda t: specs.property_pattern(t, "Name"),
    lambda t: specs.required_properties(t),
    lambda t: specs.primary_identifier(t),
    lambda t: specs.handler_permissions(t, "create"),
], ids=["names", "schema", "enum", "range", "length", "pattern", "required", "identifier", "permissions"])
def test_an_unknown_type_reads_as_none_or_empty(read: Any) -> None:
    assert read("AWS::Nothing::Here") in (None, (), frozenset(), (None, None))


def test_an_unknown_region_is_a_usage_error_naming_the_closest() -> None:
    from iac.errors import UsageError
    with pytest.raises(UsageError) as raised:
        specs.property_names("AWS::SQS::Queue", region="us-east-7")
    assert "us-east-7" in str(raised.value)


# -- IAM's service authorization data ----------------------------------------------------------------------------

def _raw_policies() -> dict[str, Any]:
    with open(os.path.join(specs.cfn_lint_data_root(), "AdditionalSpecs", "Policies.json"), encoding="utf-8") as handle:
        return json.load(handle)


def test_iam_actions_are_the_services_actions_in_lower_case() -> None:
    assert specs.iam_actions("s3") == frozenset(name.lower() for name in _raw_policies()["s3"]["Actions"])
    assert "getobject" in specs.iam_actions("S3")


def test_iam_action_resource_types_read_the_actions_entry_in_any_case() -> None:
    expected = tuple(sorted(kind.lower() for kind in _raw_policies()["s3"]["Actions"]["getobject"]["Resources"]))
    assert "object" in expected
    assert specs.iam_action_resource_types("s3:GetObject") == expected
    assert specs.iam_action_resource_types("S3:getobject") == expected


def test_iam_arn_formats_name_where_the_resources_name_goes() -> None:
    formats = specs.iam_arn_formats("s3", "Bucket")
    assert formats == tuple(_raw_policies()["s3"]["Resources"]["bucket"]["ARNFormats"])
    assert all(fmt.startswith("arn:${Partition}:s3:") for fmt in formats)


def test_iam_data_for_unknown_names_is_empty() -> None:
    assert specs.iam_actions("nosuchservice") == frozenset()
    assert specs.iam_action_resource_types("s3:NoSuchAction") == ()
    assert specs.iam_action_resource_types("nosuchservice:Get") == ()
    assert specs.iam_arn_formats("s3", "nosuchtype") == ()


# -- stateful types: cfn-lint's list and iac's corrections ----------------------------------------------------

def _cfn_lint_stateful() -> set[str]:
    path = os.path.join(specs.cfn_lint_data_root(), "AdditionalSpecs", "StatefulResources.json")
    with open(path, encoding="utf-8") as handle:
        return set(json.load(handle)["ResourceTypes"])


def test_stateful_types_are_cfn_lints_list_with_the_corrections_applied() -> None:
    added, removed = specs.stateful_corrections()
    expected = (_cfn_lint_stateful() | {c.subject for c in added}) - {c.subject for c in removed}
    assert specs.stateful_types() == expected


def test_every_stateful_addition_is_still_missing_from_cfn_lints_list() -> None:
    """When this fails, cfn-lint's data caught up: remove the entry from iac/spec_corrections.json."""
    added, _ = specs.stateful_corrections()
    caught_up = sorted(c.subject for c in added if c.subject in _cfn_lint_stateful())
    assert caught_up == [], f"cfn-lint now lists {caught_up} as stateful: drop them from spec_corrections.json 'add'"


def test_every_stateful_removal_is_still_in_cfn_lints_list() -> None:
    """When this fails, cfn-lint dropped the type itself: remove the entry from 'remove'."""
    _, removed = specs.stateful_corrections()
    gone = sorted(c.subject for c in removed if c.subject not in _cfn_lint_stateful())
    assert gone == [], f"cfn-lint no longer lists {gone}: drop them from spec_corrections.json 'remove'"


def test_every_stateful_addition_names_a_real_resource_type() -> None:
    added, _ = specs.stateful_corrections()
    # a registry type, or a type of the Serverless transform (cfn-lint's schemas for them: providers/sam.json)
    unknown = [c.subject for c in added if specs.resource_schema(c.subject) is None
               and specs.resource_schema(c.subject, "sam") is None]
    assert added and unknown == []


def test_every_correction_gives_a_reason_and_an_https_documentation_url() -> None:
    added, removed = specs.stateful_corrections()
    for correction in (*added, *removed, specs.stack_name_rule()):
        assert correction.why.strip(), correction
        assert correction.url.startswith("https://docs.aws.amazon.com/"), correction


def test_is_stateful_follows_the_list() -> None:
    assert specs.is_stateful("AWS::DynamoDB::Table")  # in cfn-lint's list
    assert specs.is_stateful("AWS::ECR::Repository")  # an iac addition
    assert not specs.is_stateful("AWS::Lambda::Function")
    assert not specs.is_stateful("AWS::Nothing::Here")


# -- the stack-name rule --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "MyStack", "prod-api-2", "A" * 128])
def test_stack_name_pattern_accepts_what_the_create_stack_reference_allows(name: str) -> None:
    assert specs.stack_name_pattern().match(name)


@pytest.mark.parametrize("name", ["", "1stack", "-stack", "my_stack", "my stack", "A" * 129, "stack\n", "éstack"],
                         ids=["empty", "digit-first", "hyphen-first", "underscore", "space", "129-chars",
                              "final-newline", "non-ascii"])
def test_stack_name_pattern_refuses_the_rest(name: str) -> None:
    assert not specs.stack_name_pattern().match(name)


def test_stack_name_rule_cites_the_create_stack_api() -> None:
    rule = specs.stack_name_rule()
    assert rule.url.endswith("/API_CreateStack.html")
    assert "128" in rule.why


# -- packaging ------------------------------------------------------------------------------------------------

def test_the_corrections_file_ships_in_the_wheel() -> None:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        package_data = tomllib.load(handle)["tool"]["setuptools"]["package-data"]
    patterns = [*package_data.get("*", []), *package_data.get("iac", [])]
    assert (ROOT / "iac" / "spec_corrections.json").is_file()
    assert any(fnmatch.fnmatch("spec_corrections.json", pattern) for pattern in patterns)


def test_extension_enum_intersects_the_branches_whose_condition_holds_per_region():
    versions = specs.extension_enum("aws_rds_dbinstance", "engine_version", "EngineVersion", {"Engine": "postgres"})
    virginia = specs.extension_enum("aws_rds_dbinstance", "dbinstanceclass_enum", "DBInstanceClass",
                                    {"Engine": "postgres"}, region="us-east-1")
    cape_town = specs.extension_enum("aws_rds_dbinstance", "dbinstanceclass_enum", "DBInstanceClass",
                                     {"Engine": "postgres"}, region="af-south-1")

    assert versions is not None and "17.9" in versions and "5.7" not in versions
    assert virginia is not None and cape_town is not None and set(cape_town) < set(virginia)
    assert specs.extension_enum("aws_rds_dbinstance", "engine_version", "EngineVersion", {"Engine": "nosuch"}) is None


def test_extension_refuses_what_a_branch_forbids():
    deprecated = {"Engine": "aurora-postgresql", "EngineVersion": "16.4"}

    assert specs.extension_refuses("aws_rds_dbcluster", "engine_version_deprecated", deprecated)
    assert not specs.extension_refuses("aws_rds_dbcluster", "engine_version_deprecated",
                                       {**deprecated, "EngineVersion": "16.9"})
