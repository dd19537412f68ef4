"""The schema layer: `validate_template` on plain template dicts (no construct tree, no cfn-lint).

Each test builds the smallest template that shows one behaviour and checks the finding's template
path, message and suggestion, or that a valid construction produces no finding at all.
"""

from __future__ import annotations

from typing import Any

import pytest

from iac.errors import UsageError
from iac.specs import provider_types, resource_schema
from iac.synth.schema_validation import SchemaFinding, validate_template

QUEUE = {"Type": "AWS::SQS::Queue"}
SERVERLESS = "AWS::Serverless-2016-10-31"


def check(resources: dict[str, Any], **sections: Any) -> list[SchemaFinding]:
    return validate_template({"Resources": resources, **sections})


def one(findings: list[SchemaFinding]) -> SchemaFinding:
    assert len(findings) == 1, findings
    return findings[0]


def queue_with(**properties: Any) -> dict[str, Any]:
    """A template's Resources: "Queue" (with `properties`) and a plain "Other" queue to refer to."""
    return {"Queue": {"Type": "AWS::SQS::Queue", "Properties": properties}, "Other": dict(QUEUE)}


def topic_named(display_name: Any) -> dict[str, Any]:
    """Resources: a queue "Queue" and a topic whose DisplayName (a string) is `display_name`."""
    return {"Queue": dict(QUEUE), "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": display_name}}}


PARAMETERS = {
    "Name": {"Type": "String"},
    "Seconds": {"Type": "Number"},
    "Zones": {"Type": "CommaDelimitedList"},
}
MAPPINGS = {"Settings": {"dev": {"Name": "q", "Seconds": 30}}}


def with_context(resources: dict[str, Any]) -> list[SchemaFinding]:
    return check(resources, Parameters=PARAMETERS, Mappings=MAPPINGS)


# -- resource types ----------------------------------------------------------------------------


def test_valid_queue_has_no_findings() -> None:
    assert check(queue_with(VisibilityTimeout=60, QueueName="orders")) == []


def test_unknown_resource_type_suggests_the_closest_type() -> None:
    finding = one(check({"Queue": {"Type": "AWS::SQS::Queu"}}))
    assert finding.path == ("Resources", "Queue", "Type")
    assert "unknown resource type 'AWS::SQS::Queu'" in finding.message
    assert "us-east-1" in finding.message
    assert finding.suggestion == "did you mean AWS::SQS::Queue?"


def test_resource_type_in_wrong_case_suggests_the_right_spelling() -> None:
    finding = one(check({"Queue": {"Type": "aws::sqs::queue"}}))
    assert finding.suggestion == "did you mean AWS::SQS::Queue?"


def test_resource_without_type_is_reported() -> None:
    finding = one(check({"Queue": {"Properties": {}}}))
    assert finding.path == ("Resources", "Queue", "Type")
    assert "no Type" in finding.message


def test_custom_resources_skip_the_schema() -> None:
    resources = {
        "Echo": {"Type": "Custom::Echo", "Properties": {"ServiceToken": "arn:aws:lambda:x", "Any": {"Thing": [1]}}},
        "Generic": {"Type": "AWS::CloudFormation::CustomResource", "Properties": {"ServiceToken": "x", "N": 1}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Echo", "Whatever"]}}},
    }
    assert check(resources) == []


def test_sam_resources_are_skipped_when_the_serverless_transform_is_present() -> None:
    resources = {"Function": {"Type": "AWS::Serverless::Function",
                              "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "InlineCode": "x"}}}
    assert check(resources, Transform=SERVERLESS) == []
    assert check(resources, Transform=["AWS::LanguageExtensions", SERVERLESS]) == []


def test_sam_resources_without_the_transform_are_unknown_types() -> None:
    finding = one(check({"Function": {"Type": "AWS::Serverless::Function", "Properties": {}}}))
    assert finding.path == ("Resources", "Function", "Type")


def test_template_with_empty_resources_is_reported() -> None:
    finding = one(check({}))
    assert finding.path == ("Resources",)
    assert "no resources" in finding.message


def test_template_without_resources_section_is_reported() -> None:
    finding = one(validate_template({"AWSTemplateFormatVersion": "2010-09-09"}))
    assert finding.path == ("Resources",)


# -- properties --------------------------------------------------------------------------------


def test_unknown_property_suggests_the_schema_name() -> None:
    finding = one(check(queue_with(VisibilityTimout=60)))
    assert finding.path == ("Resources", "Queue", "Properties", "VisibilityTimout")
    assert finding.property_path == "Resources.Queue.Properties.VisibilityTimout"
    assert finding.message == "unknown property 'VisibilityTimout'"
    assert finding.suggestion == "did you mean VisibilityTimeout?"


def test_unknown_nested_property_suggests_from_the_nested_definition() -> None:
    resources = {"Topic": {"Type": "AWS::SNS::Topic",
                           "Properties": {"Subscription": [{"Protocol": "sqs", "Endpoint": "arn", "Endpont": "x"}]}}}
    finding = one(check(resources))
    assert finding.path == ("Resources", "Topic", "Properties", "Subscription", 0, "Endpont")
    assert finding.suggestion == "did you mean Endpoint?"


def test_unknown_property_with_nothing_close_lists_the_known_names() -> None:
    finding = one(check(queue_with(Zzzzzz=1)))
    assert finding.suggestion is None
    assert finding.expected is not None and "VisibilityTimeout" in finding.expected


def test_wrong_type_names_expected_and_given() -> None:
    finding = one(check(queue_with(VisibilityTimeout="sixty")))
    assert finding.path == ("Resources", "Queue", "Properties", "VisibilityTimeout")
    assert finding.expected == "an integer"
    assert finding.given == "'sixty'"


def test_list_where_a_string_is_required_is_a_wrong_type() -> None:
    finding = one(check(queue_with(QueueName=["a", "b"])))
    assert finding.expected == "a string"
    assert "got a list" in finding.message


def test_scalars_that_cloudformation_converts_are_accepted() -> None:
    assert check(queue_with(VisibilityTimeout="60", FifoQueue="true", QueueName="orders.fifo")) == []


def test_missing_required_nested_property_is_reported_at_the_item() -> None:
    resources = {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "sqs"}]}}}
    finding = one(check(resources))
    assert finding.path == ("Resources", "Topic", "Properties", "Subscription", 0)
    assert finding.message == "required property 'Endpoint' is missing"


def test_missing_required_top_level_property_is_reported() -> None:
    finding = one(check({"Sub": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "sqs"}}}))
    assert finding.path == ("Resources", "Sub", "Properties")
    assert "'TopicArn'" in finding.message


def test_resource_without_properties_still_needs_its_required_ones() -> None:
    findings = check({"Sub": {"Type": "AWS::SNS::Subscription"}})
    assert {f.message for f in findings} == {"required property 'TopicArn' is missing",
                                             "required property 'Protocol' is missing"}


def test_bad_enum_value_suggests_the_closest_allowed_value() -> None:
    resources = {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupClass": "STANDART"}}}
    finding = one(check(resources))
    assert finding.path == ("Resources", "Logs", "Properties", "LogGroupClass")
    assert finding.suggestion == "did you mean STANDARD?"
    assert finding.expected is not None and "INFREQUENT_ACCESS" in finding.expected


def test_enum_value_in_wrong_case_suggests_the_exact_value() -> None:
    resources = {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "BillingMode": "pay_per_request",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    }}}
    finding = one(check(resources))
    assert finding.suggestion == "did you mean PAY_PER_REQUEST?"


def test_pattern_mismatch_names_the_pattern() -> None:
    finding = one(check({"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "Bad_Name!"}}}))
    assert finding.path == ("Resources", "Bucket", "Properties", "BucketName")
    assert "pattern" in finding.message
    assert finding.expected is not None and finding.expected.startswith("a string matching ^")


def test_value_above_maximum_is_out_of_range() -> None:
    finding = one(check(queue_with(VisibilityTimeout=43201)))
    assert finding.expected == "at most 43200"
    assert finding.given == "43201"


def test_value_below_minimum_is_out_of_range() -> None:
    finding = one(check(queue_with(DelaySeconds=-1)))
    assert finding.expected == "at least 0"


def test_boundary_values_are_in_range() -> None:
    assert check(queue_with(VisibilityTimeout=0, DelaySeconds=900)) == []


def test_string_longer_than_max_length_is_reported() -> None:
    resources = {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "t" * 257}}}
    finding = one(check(resources))
    assert "longer than 256" in finding.message


def test_read_only_property_cannot_be_set() -> None:
    finding = one(check(queue_with(Arn="arn:aws:sqs:us-east-1:123456789012:q")))
    assert finding.path == ("Resources", "Queue", "Properties", "Arn")
    assert "read-only" in finding.message
    assert finding.suggestion == "read it with Fn::GetAtt Queue.Arn"


# -- intrinsic functions where a value is expected ---------------------------------------------

STRING_AND_INTEGER_PRODUCERS = {
    "Ref": {"Ref": "Name"},
    "Fn::GetAtt": {"Fn::GetAtt": ["Other", "QueueName"]},
    "Fn::Sub": {"Fn::Sub": "${AWS::StackName}-q"},
    "Fn::Join": {"Fn::Join": ["", ["a", {"Ref": "Name"}]]},
    "Fn::ImportValue": {"Fn::ImportValue": "shared-name"},
    "Fn::FindInMap": {"Fn::FindInMap": ["Settings", "dev", "Name"]},
    "Fn::Select": {"Fn::Select": [0, {"Ref": "Zones"}]},
}


@pytest.mark.parametrize("function", sorted(STRING_AND_INTEGER_PRODUCERS))
def test_intrinsic_accepted_where_a_string_is_expected(function: str) -> None:
    assert with_context(queue_with(QueueName=STRING_AND_INTEGER_PRODUCERS[function])) == []


@pytest.mark.parametrize("function", sorted(STRING_AND_INTEGER_PRODUCERS))
def test_intrinsic_accepted_where_an_integer_is_expected(function: str) -> None:
    assert with_context(queue_with(VisibilityTimeout=STRING_AND_INTEGER_PRODUCERS[function])) == []


ASG = {"MinSize": "0", "MaxSize": "1", "LaunchConfigurationName": "lc"}


@pytest.mark.parametrize("value", [{"Fn::GetAZs": ""}, {"Fn::Split": [",", "us-east-1a,us-east-1b"]}],
                         ids=["Fn::GetAZs", "Fn::Split"])
def test_list_producing_intrinsic_accepted_where_a_list_is_expected(value: dict[str, Any]) -> None:
    resources = {"Group": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                           "Properties": {**ASG, "AvailabilityZones": value}}}
    assert check(resources) == []


@pytest.mark.parametrize("value", [{"Fn::GetAZs": ""}, {"Fn::Split": [",", "a,b"]}], ids=["Fn::GetAZs", "Fn::Split"])
def test_list_producing_intrinsic_rejected_where_a_string_is_expected(value: dict[str, Any]) -> None:
    finding = one(check(queue_with(QueueName=value)))
    function = next(iter(value))
    assert finding.path == ("Resources", "Queue", "Properties", "QueueName", function)
    assert finding.message == f"{function} cannot produce a string here"


def test_join_rejected_where_a_list_is_expected() -> None:
    resources = {"Group": {"Type": "AWS::AutoScaling::AutoScalingGroup",
                           "Properties": {**ASG, "AvailabilityZones": {"Fn::Join": [",", ["a", "b"]]}}}}
    finding = one(check(resources))
    assert finding.message == "Fn::Join cannot produce a list here"


def test_join_rejected_where_an_object_is_required() -> None:
    resources = {"Bucket": {"Type": "AWS::S3::Bucket",
                            "Properties": {"VersioningConfiguration": {"Fn::Join": ["", ["Enabled"]]}}}}
    finding = one(check(resources))
    assert finding.path == ("Resources", "Bucket", "Properties", "VersioningConfiguration", "Fn::Join")
    assert finding.expected == "an object"
    assert finding.given == "Fn::Join (gives a string)"


def test_condition_function_rejected_in_properties() -> None:
    finding = one(check(queue_with(VisibilityTimeout={"Fn::Equals": ["a", "a"]})))
    assert finding.path == ("Resources", "Queue", "Properties", "VisibilityTimeout", "Fn::Equals")
    assert "only be used in the Conditions section" in finding.message


def test_unknown_intrinsic_function_suggests_the_real_one() -> None:
    finding = one(check(queue_with(QueueName={"Fn::Joinn": ["", ["a"]]})))
    assert "unknown intrinsic function 'Fn::Joinn'" in finding.message
    assert finding.suggestion == "did you mean Fn::Join?"


# -- Fn::If --------------------------------------------------------------------------------------

CONDITIONS = {"IsProd": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}}


def test_fn_if_checks_the_true_branch() -> None:
    finding = one(check(queue_with(VisibilityTimeout={"Fn::If": ["IsProd", "sixty", 30]}), Conditions=CONDITIONS))
    assert finding.path == ("Resources", "Queue", "Properties", "VisibilityTimeout", "Fn::If", 1)
    assert finding.expected == "an integer"


def test_fn_if_checks_the_false_branch() -> None:
    finding = one(check(queue_with(DelaySeconds={"Fn::If": ["IsProd", 5, 99999]}), Conditions=CONDITIONS))
    assert finding.path == ("Resources", "Queue", "Properties", "DelaySeconds", "Fn::If", 2)
    assert finding.expected == "at most 900"


def test_fn_if_with_valid_branches_and_no_value_is_accepted() -> None:
    resources = queue_with(
        VisibilityTimeout={"Fn::If": ["IsProd", 60, {"Ref": "AWS::NoValue"}]},
        QueueName={"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, {"Fn::Sub": "${AWS::StackName}-q"}]},
    )
    assert check(resources, Conditions=CONDITIONS) == []


def test_fn_if_inside_an_object_property_checks_each_branch_as_that_object() -> None:
    resources = {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {
        "Fn::If": ["IsProd", {"Status": "Enabled"}, {"Status": "Enabld"}]}}}}
    finding = one(check(resources, Conditions=CONDITIONS))
    assert finding.path[-3:] == ("Fn::If", 2, "Status")
    assert finding.suggestion == "did you mean Enabled?"


def test_no_value_accepted_for_a_whole_property() -> None:
    assert check(queue_with(VisibilityTimeout={"Ref": "AWS::NoValue"})) == []


def test_fn_if_with_wrong_arity_is_reported() -> None:
    finding = one(check(queue_with(QueueName={"Fn::If": ["IsProd", "a"]}), Conditions=CONDITIONS))
    assert "Fn::If needs [condition, if_true, if_false]" in finding.message


# -- references ----------------------------------------------------------------------------------


def test_ref_to_missing_logical_id_is_reported() -> None:
    finding = one(check(queue_with(QueueName={"Ref": "Missing"})))
    assert finding.path == ("Resources", "Queue", "Properties", "QueueName", "Ref")
    assert finding.message == "Ref names 'Missing', which is not defined in this template"


def test_ref_to_misspelt_parameter_suggests_the_parameter() -> None:
    finding = one(check(queue_with(QueueName={"Ref": "Nam"}), Parameters={"Name": {"Type": "String"}}))
    assert finding.suggestion == "did you mean Name?"


def test_ref_to_parameter_resource_and_pseudo_parameter_is_accepted() -> None:
    resources = queue_with(QueueName={"Fn::Join": ["-", [{"Ref": "Name"}, {"Ref": "Other"},
                                                          {"Ref": "AWS::Region"}]]})
    assert check(resources, Parameters={"Name": {"Type": "String"}}) == []


def test_ref_in_outputs_is_checked() -> None:
    finding = one(check({"Queue": dict(QUEUE)}, Outputs={"Url": {"Value": {"Ref": "Queu"}}}))
    assert finding.path == ("Outputs", "Url", "Value", "Ref")
    assert finding.suggestion == "did you mean Queue?"


def test_getatt_of_missing_resource_is_reported() -> None:
    finding = one(check(topic_named({"Fn::GetAtt": ["Missing", "Arn"]})))
    assert finding.path == ("Resources", "Topic", "Properties", "DisplayName", "Fn::GetAtt")
    assert "Fn::GetAtt names 'Missing'" in finding.message


def test_getatt_of_unknown_attribute_suggests_the_closest() -> None:
    finding = one(check(topic_named({"Fn::GetAtt": ["Queue", "Ar"]})))
    assert finding.message == "AWS::SQS::Queue has no attribute 'Ar' (resource Queue)"
    assert finding.suggestion == "did you mean Arn?"


def test_getatt_in_dotted_string_form_is_checked() -> None:
    finding = one(check(topic_named({"Fn::GetAtt": "Queue.Ar"})))
    assert finding.suggestion == "did you mean Arn?"


@pytest.mark.parametrize("attribute", ["Arn", "QueueName", "QueueUrl"])
def test_getatt_of_queue_attribute_is_accepted(attribute: str) -> None:
    assert check(topic_named({"Fn::GetAtt": ["Queue", attribute]})) == []


def test_getatt_of_nested_stack_output_is_accepted() -> None:
    resources = {
        "Nested": {"Type": "AWS::CloudFormation::Stack",
                   "Properties": {"TemplateURL": "https://s3.amazonaws.com/bucket/nested.json"}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Nested", "Outputs.Name"]}}},
    }
    assert check(resources) == []


def test_sub_with_missing_name_is_reported() -> None:
    finding = one(check(topic_named({"Fn::Sub": "${Missing}-alerts"})))
    assert finding.path == ("Resources", "Topic", "Properties", "DisplayName", "Fn::Sub")
    assert "'Missing'" in finding.message


def test_sub_with_bad_attribute_is_reported() -> None:
    finding = one(check(topic_named({"Fn::Sub": "${Queue.BadAttr}-alerts"})))
    assert "no attribute 'BadAttr'" in finding.message


def test_sub_with_valid_names_literals_and_local_variables_is_accepted() -> None:
    value = {"Fn::Sub": ["${Queue}-${Queue.Arn}-${AWS::Region}-${Local}-${!Literal}", {"Local": "x"}]}
    assert check(topic_named(value)) == []


def test_depends_on_missing_resource_is_reported() -> None:
    finding = one(check({"Queue": {**QUEUE, "DependsOn": ["Other", "Missing"]}, "Other": dict(QUEUE)}))
    assert finding.path == ("Resources", "Queue", "DependsOn", 1)
    assert "DependsOn names 'Missing'" in finding.message


def test_depends_on_as_a_single_string_is_checked() -> None:
    finding = one(check({"Queue": {**QUEUE, "DependsOn": "Othr"}, "Other": dict(QUEUE)}))
    assert finding.suggestion == "did you mean Other?"


def test_undefined_condition_in_fn_if_is_reported() -> None:
    finding = one(check(queue_with(QueueName={"Fn::If": ["IsProdd", "a", "b"]}), Conditions=CONDITIONS))
    assert finding.path == ("Resources", "Queue", "Properties", "QueueName", "Fn::If", 0)
    assert finding.suggestion == "did you mean IsProd?"


def test_undefined_resource_condition_is_reported() -> None:
    finding = one(check({"Queue": {**QUEUE, "Condition": "Missing"}}))
    assert finding.path == ("Resources", "Queue", "Condition")
    assert "Condition names 'Missing'" in finding.message


def test_undefined_output_condition_is_reported() -> None:
    finding = one(check({"Queue": dict(QUEUE)}, Outputs={"Url": {"Value": {"Ref": "Queue"}, "Condition": "Nope"}}))
    assert finding.path == ("Outputs", "Url", "Condition")


def test_defined_conditions_are_accepted() -> None:
    resources = {"Queue": {**QUEUE, "Condition": "IsProd",
                           "Properties": {"QueueName": {"Fn::If": ["IsProd", "a", "b"]}}}}
    assert check(resources, Conditions=CONDITIONS) == []


def test_several_problems_are_all_reported() -> None:
    findings = check({"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimout": 1, "DelaySeconds": "x"}},
                      "Bad": {"Type": "AWS::SQS::Queu"}})
    assert {f.path[-1] for f in findings} == {"VisibilityTimout", "DelaySeconds", "Type"}


# -- valid CloudFormation the schema layer must accept ------------------------------------------


def test_dynamic_reference_accepted_in_an_unconstrained_string() -> None:
    assert check({"Topic": {"Type": "AWS::SNS::Topic",
                            "Properties": {"DisplayName": "{{resolve:ssm:/app/topic-name}}"}}}) == []


def test_dynamic_reference_accepted_where_an_integer_is_expected() -> None:
    assert check(queue_with(VisibilityTimeout="{{resolve:ssm:/app/visibility-timeout}}")) == []


def test_dynamic_reference_accepted_where_a_pattern_applies() -> None:
    resources = {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
        "DBInstanceClass": "db.t3.micro", "Engine": "postgres", "AllocatedStorage": "20",
        "MasterUsername": "{{resolve:secretsmanager:app-db:SecretString:username}}",
        "MasterUserPassword": "{{resolve:secretsmanager:app-db:SecretString:password}}",
    }}}
    assert check(resources) == []


def test_reference_to_sam_generated_resource_accepted_with_the_transform() -> None:
    resources = {"Function": {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "InlineCode": "x",
        "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}}}}
    outputs = {"Url": {"Value": {"Fn::Sub": "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com"}},
               "Role": {"Value": {"Fn::GetAtt": ["FunctionRole", "Arn"]}}}
    assert check(resources, Transform=SERVERLESS, Outputs=outputs) == []


# -- regions and caching -------------------------------------------------------------------------


def test_unknown_region_raises_usage_error_with_suggestion() -> None:
    with pytest.raises(UsageError) as raised:
        validate_template({"Resources": {"Queue": dict(QUEUE)}}, region="eu-wset-1")
    assert "unknown region 'eu-wset-1'" in raised.value.message
    assert raised.value.hint == "did you mean 'eu-west-1'?"


def test_region_selects_the_schemas() -> None:
    assert validate_template({"Resources": {"Queue": dict(QUEUE)}}, region="eu-west-1") == []
    finding = one(validate_template({"Resources": {"Queue": {"Type": "AWS::SQS::Queu"}}}, region="eu-west-1"))
    assert "in eu-west-1" in finding.message


def test_resource_schema_is_loaded_once() -> None:
    first = resource_schema("AWS::SQS::Queue")
    assert first is not None
    assert resource_schema("AWS::SQS::Queue") is first


def test_provider_map_is_cached_per_region() -> None:
    assert provider_types("us-east-1") is provider_types("us-east-1")


def test_resource_schema_knows_attributes_and_read_only_roots() -> None:
    schema = resource_schema("AWS::SQS::Queue")
    assert schema is not None
    assert schema.type_name == "AWS::SQS::Queue"
    assert "Arn" in schema.attributes and "Arn" in schema.read_only_roots


def test_resource_schema_of_unknown_type_is_none() -> None:
    assert resource_schema("AWS::SQS::Queu") is None


@pytest.mark.parametrize("target", [{"Ref": "Other"}, ["Other"], 7])
def test_a_depends_on_entry_that_is_not_a_name_is_a_finding_not_a_crash(target: Any) -> None:
    finding = one(check({"Queue": {**QUEUE, "DependsOn": [target]}, "Other": dict(QUEUE)}))
    assert finding.path == ("Resources", "Queue", "DependsOn", 0)
    assert "must be a name" in finding.message and finding.rule == "E3001"


def test_a_condition_that_is_not_a_name_is_a_finding_not_a_crash() -> None:
    conditions = {"Yes": {"Fn::Equals": ["a", "a"]}}
    finding = one(check({"Queue": {**QUEUE, "Condition": {"Fn::Equals": ["a", "b"]}}}, Conditions=conditions))
    assert finding.path == ("Resources", "Queue", "Condition") and finding.rule == "E3001"
    iffy = queue_with(DelaySeconds={"Fn::If": [["Yes"], 1, 2]})
    finding = one(check(iffy, Conditions=conditions))
    assert "must be a name" in finding.message and finding.rule == "E1028"
