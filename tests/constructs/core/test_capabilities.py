"""Change-set capabilities: one table for the pipeline's actions and for `iac deploy`."""

from __future__ import annotations

import pytest

from iac import App, CfnResource, Stack
from iac.constructs.codepipeline import stack_capabilities
from iac.constructs.core.capabilities import required_capabilities
from iac.synth import synthesize


def _stack(*resources: tuple[str, dict], transform: str | None = None) -> Stack:
    stack = Stack(App(), "S")
    for index, (resource_type, properties) in enumerate(resources):
        CfnResource(stack, f"R{index}", type=resource_type, properties=properties)
    if transform:
        stack.add_transform(transform)
    return stack


@pytest.mark.parametrize("stack_args, expected", [
    ((("AWS::SQS::Queue", {}),), ()),
    ((("AWS::IAM::Role", {"AssumeRolePolicyDocument": {}}),), ("CAPABILITY_IAM",)),
    ((("AWS::IAM::Role", {"AssumeRolePolicyDocument": {}, "RoleName": "r"}),),
     ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM")),
    ((("AWS::CloudFormation::Stack", {"TemplateURL": "https://x"}),),
     ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")),
])
def test_pipeline_and_deploy_ask_for_the_same_capabilities(stack_args, expected) -> None:
    stack = _stack(*stack_args)
    template = synthesize(stack.root).template("S")
    from_template = required_capabilities(((r["Type"], r.get("Properties", {})) for r in
                                           template["Resources"].values()), transformed=False)
    assert stack_capabilities(stack) == expected
    assert tuple(from_template) == expected


def test_a_transformed_stack_needs_auto_expand_and_iam() -> None:
    stack = _stack(("AWS::SQS::Queue", {}), transform="AWS::Serverless-2016-10-31")
    assert stack_capabilities(stack) == ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")
