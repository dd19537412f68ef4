"""`Fn.get_stack_output`: CloudFormation's Fn::GetStackOutput (another stack's output, no export needed)."""

from __future__ import annotations

import json

from iac import App, Aws, Fn, Output, Parameter, Stack
from iac.cfn import sns
from iac.synth import synthesize


def test_the_required_names_only(resolve):
    assert resolve(Fn.get_stack_output("network", "VpcId")) == {
        "Fn::GetStackOutput": {"StackName": "network", "OutputName": "VpcId"}
    }


def test_region_and_role_arn_when_given(resolve):
    token = Fn.get_stack_output(
        Fn.sub(f"network-{Aws.REGION}"),
        "VpcId",
        region="eu-west-1",
        role_arn="arn:aws:iam::123456789012:role/read-outputs",
    )
    assert resolve(token) == {
        "Fn::GetStackOutput": {
            "StackName": {"Fn::Sub": "network-${AWS::Region}"},
            "OutputName": "VpcId",
            "Region": "eu-west-1",
            "RoleArn": "arn:aws:iam::123456789012:role/read-outputs",
        }
    }


def test_a_parameter_or_pseudo_parameter_is_a_reference_inside_it(stack, resolve):
    producer = Parameter(stack, "Producer")
    assert resolve(Fn.get_stack_output(producer.ref, "TopicName", region=Aws.REGION)) == {
        "Fn::GetStackOutput": {
            "StackName": {"Ref": "Producer"},
            "OutputName": "TopicName",
            "Region": {"Ref": "AWS::Region"},
        }
    }


def test_it_nests_in_other_functions_and_in_f_strings(resolve):
    output = Fn.get_stack_output("producer", "TopicName")
    assert resolve(Fn.join("-", ["prefix", output])) == {
        "Fn::Join": ["-", ["prefix", {"Fn::GetStackOutput": {"StackName": "producer", "OutputName": "TopicName"}}]]
    }
    assert resolve(Fn.sub(f"prefix-{output}")) == {
        "Fn::Sub": [
            "prefix-${Token1}",
            {"Token1": {"Fn::GetStackOutput": {"StackName": "producer", "OutputName": "TopicName"}}},
        ]
    }


def test_a_stack_using_it_is_clean_for_cfn_lint(cfn_lint):
    app = App(path_metadata=False)
    stack = Stack(app, "Consumer")
    topic = sns.Topic(stack, "Alerts", display_name=Fn.get_stack_output("producer", "TopicName", region="us-west-2"))
    Output(stack, "Producer", value=Fn.get_stack_output(Aws.STACK_NAME, "Name"))
    template = synthesize(app).template("Consumer")
    assert template["Resources"][topic.logical_id]["Properties"]["DisplayName"] == {
        "Fn::GetStackOutput": {"StackName": "producer", "OutputName": "TopicName", "Region": "us-west-2"}
    }
    assert cfn_lint(json.dumps(template)) == []
