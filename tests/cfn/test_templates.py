"""What the generated classes write: CloudFormation's names, Ref and Fn::GetAtt, the resource options, and
the same template whether a nested value is a typed class or a plain dict."""

from __future__ import annotations

import pytest

from iac import CfnResource
from iac.cfn import ec2, lambda_, rds, sqs
from iac.errors import ConstructError


def test_the_issue_example_writes_cloudformation_names_and_references(stack, template_of, app):
    dlq = sqs.Queue(stack, "Dead")
    queue = sqs.Queue(stack, "Jobs", visibility_timeout=60,
                      redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 3})
    CfnResource(stack, "Echo", type="Custom::Echo", properties={
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:echo",
        "Url": queue.attr_queue_url, "Name": queue.ref, "Arn": queue.get_att("Arn")})
    resources = template_of(app)["Resources"]
    assert resources[queue.logical_id] == {"Type": "AWS::SQS::Queue", "Properties": {
        "VisibilityTimeout": 60,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq.logical_id, "Arn"]}, "maxReceiveCount": 3}}}
    assert resources[dlq.logical_id] == {"Type": "AWS::SQS::Queue"}
    assert resources["Echo"]["Properties"]["Url"] == {"Fn::GetAtt": [queue.logical_id, "QueueUrl"]}
    assert resources["Echo"]["Properties"]["Name"] == {"Ref": queue.logical_id}
    assert resources["Echo"]["Properties"]["Arn"] == {"Fn::GetAtt": [queue.logical_id, "Arn"]}


def test_a_nested_attribute_is_a_dotted_get_att(stack, template_of, app):
    database = rds.DBInstance(stack, "Db", db_instance_class="db.t3.micro", engine="postgres",
                              allocated_storage="20", master_username="admin",
                              manage_master_user_password=True)
    CfnResource(stack, "Echo", type="Custom::Echo", properties={
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:echo",
        "Host": database.attr_endpoint_address, "Port": database.attr_endpoint_port})
    template = template_of(app)
    assert template["Resources"][database.logical_id]["Properties"]["DBInstanceClass"] == "db.t3.micro"
    assert template["Resources"]["Echo"]["Properties"]["Host"] == {
        "Fn::GetAtt": [database.logical_id, "Endpoint.Address"]}
    assert template["Resources"]["Echo"]["Properties"]["Port"] == {
        "Fn::GetAtt": [database.logical_id, "Endpoint.Port"]}


def test_a_typed_nested_class_and_a_plain_dict_write_the_same_template(app, template_of):
    from iac import Stack

    typed, plain = Stack(app, "Typed"), Stack(app, "Plain")
    ec2.Instance(typed, "Host", image_id="ami-12345678", block_device_mappings=[
        ec2.Instance.BlockDeviceMapping(DeviceName="/dev/xvda", Ebs=ec2.Instance.Ebs(VolumeSize=8, Encrypted=True))])
    ec2.Instance(plain, "Host", image_id="ami-12345678", block_device_mappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}}])
    assert template_of(app, "Typed") == template_of(app, "Plain")
    assert template_of(app, "Typed")["Resources"]["Host"]["Properties"]["BlockDeviceMappings"] == [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}}]


def test_a_generated_class_writes_what_cfn_resource_writes(app, template_of):
    from iac import Stack

    generated, raw = Stack(app, "Generated"), Stack(app, "Raw")
    sqs.Queue(generated, "Queue", fifo_queue=True, queue_name="jobs.fifo", tags=[{"Key": "team", "Value": "a"}])
    CfnResource(raw, "Queue", type="AWS::SQS::Queue",
                properties={"FifoQueue": True, "QueueName": "jobs.fifo", "Tags": [{"Key": "team", "Value": "a"}]})
    assert template_of(app, "Generated") == template_of(app, "Raw")


def test_the_resource_options_and_overrides_work_unchanged(stack, template_of, app):
    first = sqs.Queue(stack, "First")
    queue = sqs.Queue(stack, "Second", depends_on=first, deletion_policy="Retain",
                      update_replace_policy="Snapshot", metadata={"note": "kept"}, message_retention_period=None)
    queue.add_property_override("DelaySeconds", 5)
    assert isinstance(queue, CfnResource) and queue.resource_type == "AWS::SQS::Queue"
    assert template_of(app)["Resources"][queue.logical_id] == {
        "Type": "AWS::SQS::Queue", "DependsOn": ["First"], "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Snapshot", "Metadata": {"note": "kept"}, "Properties": {"DelaySeconds": 5}}


def test_a_property_spelt_like_an_option_keeps_both(stack, template_of, app):
    from iac.cfn import batch

    environment = batch.ComputeEnvironment(stack, "Env", type="MANAGED",
                                           update_policy_={"TerminateJobsOnUpdate": True},
                                           update_policy={"AutoScalingRollingUpdate": {}})
    entry = template_of(app)["Resources"][environment.logical_id]
    assert entry["Properties"] == {"Type": "MANAGED", "UpdatePolicy": {"TerminateJobsOnUpdate": True}}
    assert entry["UpdatePolicy"] == {"AutoScalingRollingUpdate": {}}


def test_a_misspelt_argument_says_did_you_mean_at_the_users_line(stack):
    with pytest.raises(ConstructError) as caught:
        sqs.Queue(stack, "Jobs", visibilty_timeout=60)
    message = str(caught.value)
    assert "Queue 'Jobs' has no argument 'visibilty_timeout'" in message
    assert caught.value.hint == "did you mean visibility_timeout?"
    assert "test_templates.py:" in message


def test_a_wrong_value_is_found_by_the_schema_layer_at_the_users_line(app):
    from iac import Stack
    from iac.errors import ValidationError

    stack = Stack(app, "Bad")
    lambda_.Function(stack, "Fn", code={"ZipFile": "print(1)"}, role="arn:aws:iam::123456789012:role/x",
                     runtime="python3.13", handler="index.handler", architectures=["arm65"])  # type: ignore[list-item]
    with pytest.raises(ValidationError) as caught:
        app.synth()
    message = str(caught.value)
    assert "'arm65' is not an allowed value" in message
    assert "construct Bad/Fn, at " in message and "test_templates.py:" in message
