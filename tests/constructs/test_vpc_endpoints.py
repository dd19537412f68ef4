"""ec2 VPC endpoints (gateway and interface, with their security groups and policies) and flow logs to
CloudWatch Logs or S3 (the delivery role's trust and grant, the bucket's delivery statements)."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import ec2, iam, kms, logs, s3
from iac.constructs.ec2 import GatewayVpcEndpointAwsService as Gateway
from iac.constructs.ec2 import InterfaceVpcEndpointAwsService as Interface
from iac.constructs.ec2 import SubnetConfiguration, SubnetType
from iac.synth import synthesize
from iac.synth.lint import lint_template

NO_TRAFFIC = {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "IpProtocol": "icmp",
              "FromPort": 252, "ToPort": 86}
SOURCE_ACCOUNT = {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def service(name: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{name}"]]}


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def ref(resource: Any) -> dict[str, str]:
    return {"Ref": resource.logical_id}


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
        SubnetConfiguration(name="Public", subnet_type=SubnetType.PUBLIC, cidr_mask=24),
        SubnetConfiguration(name="Db", subnet_type=SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
        SubnetConfiguration(name="Cache", subnet_type=SubnetType.PRIVATE_ISOLATED, cidr_mask=24)])


# -- gateway endpoints -----------------------------------------------------------------------------


def test_a_gateway_endpoint_routes_from_every_subnets_route_table(app, vpc):
    endpoint = vpc.add_gateway_endpoint(Gateway.S3)

    assert endpoint.path == "Main/Vpc/S3Endpoint" and endpoint.resource.logical_id == "VpcS3Endpoint4A3DE4B5"
    assert resources(app)[endpoint.resource.logical_id] == {
        "Type": "AWS::EC2::VPCEndpoint",
        "Properties": {"ServiceName": service("s3"), "VpcEndpointType": "Gateway", "VpcId": ref(vpc.resource),
                       "RouteTableIds": [ref(s.route_table) for s in vpc.subnets]}}


def test_a_gateway_endpoint_can_route_from_chosen_subnets_only(app, vpc):
    endpoint = vpc.add_gateway_endpoint(Gateway.DYNAMODB, subnets=[ec2.SubnetSelection(subnet_group_name="Db")])

    properties = resources(app)[endpoint.resource.logical_id]["Properties"]
    assert endpoint.id == "DynamodbEndpoint"
    assert properties["ServiceName"] == service("dynamodb")
    assert properties["RouteTableIds"] == [ref(s.route_table) for s in vpc.subnet_groups["Db"]]


def test_an_endpoint_policy_is_written_only_when_given_statements(app, stack, vpc):
    endpoint = vpc.add_gateway_endpoint(Gateway.S3)
    bucket = s3.Bucket(stack, "Data")
    endpoint.add_to_policy(iam.PolicyStatement(principals=[iam.Principal("*")], actions=["s3:GetObject"],
                                               resources=[bucket.arn_for_objects()]))

    assert resources(app)[endpoint.resource.logical_id]["Properties"]["PolicyDocument"] == {
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket.resource.logical_id, "Arn"]}, "/*"]]}}]}
    with pytest.raises(ConstructError, match="must name who it applies to") as caught:
        endpoint.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    assert caught.value.location.file == __file__


# -- interface endpoints ---------------------------------------------------------------------------


def test_an_interface_endpoint_sits_in_one_subnet_per_zone_behind_its_own_group(app, vpc):
    endpoint = vpc.add_interface_endpoint(Interface.SQS)

    written = resources(app)
    group = endpoint.security_groups[0]
    assert endpoint.resource.logical_id == "VpcSqsEndpointF1A4587A"
    assert group.resource.logical_id == "VpcSqsEndpointSecurityGroup77E600AF"
    assert written[endpoint.resource.logical_id]["Properties"] == {
        "ServiceName": service("sqs"), "VpcEndpointType": "Interface", "VpcId": ref(vpc.resource),
        "SubnetIds": [ref(s.resource) for s in vpc.subnet_groups["Db"]],  # isolated, the first group's per zone
        "SecurityGroupIds": [{"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}],
        "PrivateDnsEnabled": True}
    assert written[group.resource.logical_id]["Properties"] == {
        "GroupDescription": "Main/Vpc/SqsEndpoint (interface endpoint)", "VpcId": ref(vpc.resource),
        "SecurityGroupIngress": [{"CidrIp": "10.0.0.0/16", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                  "Description": "from the VPC to sqs"}],
        "SecurityGroupEgress": [NO_TRAFFIC]}


def test_a_closed_endpoint_lets_in_only_what_its_connections_allow(app, stack, vpc):
    client = ec2.SecurityGroup(stack, "Client", vpc=vpc)
    endpoint = vpc.add_interface_endpoint(Interface.SECRETS_MANAGER, open=False,
                                          subnets=ec2.SubnetSelection(subnet_group_name="Cache"))
    endpoint.connections.allow_default_port_from(client)

    written = resources(app)
    group = endpoint.security_groups[0]
    assert "SecurityGroupIngress" not in written[group.resource.logical_id]["Properties"]
    assert [c.id for c in group.children if c.id != "Resource"] == ["From Client:443"]
    assert [c.id for c in client.children if c.id != "Resource"] == ["To Vpc.SecretsmanagerEndpoint.SecurityGroup:443"]
    assert written[endpoint.resource.logical_id]["Properties"]["SubnetIds"] == [
        ref(s.resource) for s in vpc.subnet_groups["Cache"]]


@pytest.mark.parametrize("endpoint_service, name, private_dns", [
    (Interface.APIGATEWAY, "execute-api", True),
    (Interface.ECR_DOCKER, "ecr.dkr", True),
    (Interface.S3, "s3", False),
    (Interface("ssm"), "ssm", True),
])
def test_interface_services_name_their_endpoint_and_private_dns(app, vpc, endpoint_service, name, private_dns):
    endpoint = vpc.add_interface_endpoint(endpoint_service)

    properties = resources(app)[endpoint.resource.logical_id]["Properties"]
    assert properties["ServiceName"] == service(name)
    assert properties["PrivateDnsEnabled"] is private_dns


def test_another_accounts_endpoint_service_is_named_whole(app, vpc):
    name = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    endpoint = vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointService(name, port=8443), id="Partner")

    properties = resources(app)[endpoint.resource.logical_id]["Properties"]
    assert properties["ServiceName"] == name and properties["PrivateDnsEnabled"] is False
    assert endpoint.connections.default_port == ec2.Port.tcp(8443)


def test_private_dns_needs_the_vpcs_dns(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, enable_dns_hostnames=False)
    with pytest.raises(ConstructError, match="private DNS needs the VPC's DNS support and DNS hostnames") as caught:
        vpc.add_interface_endpoint(Interface.SQS)
    assert caught.value.location.file == __file__
    vpc.add_interface_endpoint(Interface.SQS, private_dns_enabled=False, id="Sqs")


def test_a_service_that_is_not_one_is_refused(stack, vpc):
    with pytest.raises(ConstructError, match="service must be GatewayVpcEndpointService, got str 's3'") as caught:
        ec2.GatewayVpcEndpoint(stack, "S3", vpc=vpc, service="s3")
    assert caught.value.location.file == __file__


# -- flow logs -------------------------------------------------------------------------------------


def test_a_flow_log_to_cloudwatch_logs_gets_a_group_and_a_role_that_may_write_there_only(app, vpc):
    flow_log = vpc.add_flow_log()

    written = resources(app)
    group, role = flow_log.log_group, flow_log.role
    assert [group.resource.logical_id, role.resource.logical_id, flow_log.resource.logical_id] == [
        "VpcFlowLogLogGroup7B5C56B9", "VpcFlowLogIAMRole6A475D41", "VpcFlowLog1218A464"]
    assert written[flow_log.resource.logical_id]["Properties"] == {
        "ResourceId": ref(vpc.resource), "ResourceType": "VPC", "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs", "LogGroupName": ref(group.resource),
        "DeliverLogsPermissionArn": {"Fn::GetAtt": [role.resource.logical_id, "Arn"]},
        "Tags": [{"Key": "Name", "Value": "Main/Vpc/FlowLog"}]}
    assert written[flow_log.resource.logical_id]["DependsOn"] == [role.default_policy.logical_id]
    assert written[role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": SOURCE_ACCOUNT, "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":ec2:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
            ":vpc-flow-log/*"]]}}}}]
    assert written[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "Resource": {"Fn::GetAtt": [group.resource.logical_id, "Arn"]}}]
    assert written[group.resource.logical_id]["DeletionPolicy"] == "Retain"


def test_a_flow_log_to_s3_lets_log_delivery_write_under_its_prefix_only(app, stack, vpc):
    bucket = s3.Bucket(stack, "Logs")
    flow_log = ec2.FlowLog(stack, "Rejects", subnet=vpc.public_subnets[0], traffic_type="REJECT",
                           destination=ec2.FlowLogDestination.to_s3(bucket, key_prefix="flows"),
                           max_aggregation_interval=60)

    written = resources(app)
    bucket_arn = {"Fn::GetAtt": [bucket.resource.logical_id, "Arn"]}
    assert written[flow_log.resource.logical_id]["Properties"] == {
        "ResourceId": ref(vpc.public_subnets[0].resource), "ResourceType": "Subnet", "TrafficType": "REJECT",
        "MaxAggregationInterval": 60, "LogDestinationType": "s3",
        "LogDestination": {"Fn::Join": ["", [bucket_arn, "/flows"]]},
        "Tags": [{"Key": "Name", "Value": "Main/Rejects"}]}
    assert written[flow_log.resource.logical_id]["DependsOn"] == [bucket.policy.logical_id]
    source_arn = {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":logs:",
                                                      {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":*"]]}}
    document = written[bucket.policy.logical_id]["Properties"]["PolicyDocument"]
    statements = {s.get("Sid"): s for s in document["Statement"]}
    assert statements["AWSLogDeliveryWrite"] == {
        "Sid": "AWSLogDeliveryWrite", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": {"Fn::Join": ["", [bucket_arn, "/flows/AWSLogs/", {"Ref": "AWS::AccountId"}, "/*"]]},
        "Condition": {"StringEquals": {**SOURCE_ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control"},
                      "ArnLike": source_arn}}
    assert statements["AWSLogDeliveryCheck"] == {
        "Sid": "AWSLogDeliveryCheck", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": bucket_arn,
        "Condition": {"StringEquals": SOURCE_ACCOUNT, "ArnLike": source_arn}}
    assert set(statements) == {"AWSLogDeliveryWrite", "AWSLogDeliveryCheck", None}  # None: the TLS-only deny


def test_a_flow_log_bucket_of_its_own_is_versioned_and_retained(app, vpc):
    flow_log = vpc.add_flow_log("ToS3", destination=ec2.FlowLogDestination.to_s3())

    bucket = resources(app)[flow_log.bucket.resource.logical_id]
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["DeletionPolicy"] == "Retain"


def test_a_bucket_with_a_key_of_the_stack_lets_log_delivery_use_it(app, stack, vpc):
    key = kms.Key(stack, "Key")
    bucket = s3.Bucket(stack, "Logs", encryption_key=key)
    vpc.add_flow_log("ToS3", destination=ec2.FlowLogDestination.to_s3(bucket))

    statements = resources(app)[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"]
    delivery = [s for s in statements if s.get("Principal") == {"Service": "delivery.logs.amazonaws.com"}]
    assert [s["Action"] for s in delivery] == [["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                                                "kms:GenerateDataKey*", "kms:ReEncrypt*"]]
    assert delivery[0]["Condition"]["StringEquals"] == SOURCE_ACCOUNT


def test_a_flow_log_to_an_existing_bucket_leaves_its_policy_to_its_owner(app, stack, vpc):
    central = s3.Bucket.from_bucket_name(stack, "Central", "org-flow-logs",
                                         encryption_key=kms.Key.from_key_arn(stack, "OrgKey", KEY_ARN))
    flow_log = vpc.add_flow_log("ToS3", destination=ec2.FlowLogDestination.to_s3(central, key_prefix="shop"))

    written = resources(app)
    assert written[flow_log.resource.logical_id]["Properties"]["LogDestination"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":s3:::org-flow-logs/shop"]]}
    assert "DependsOn" not in written[flow_log.resource.logical_id]
    assert not {"AWS::S3::BucketPolicy", "AWS::KMS::Key"} & {entry["Type"] for entry in written.values()}


def test_a_given_log_group_and_role_are_used(app, stack, vpc):
    group = logs.LogGroup(stack, "Flows", retention_days=logs.RetentionDays.ONE_MONTH)
    role = iam.Role(stack, "Delivery", assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"))
    flow_log = vpc.add_flow_log(destination=ec2.FlowLogDestination.to_cloud_watch_logs(group, role))

    assert flow_log.log_group is group and flow_log.role is role
    assert not [c for c in flow_log.children if c.id != "Resource"]
    assert resources(app)[flow_log.resource.logical_id]["Properties"]["LogGroupName"] == ref(group.resource)


@pytest.mark.parametrize("make, message", [
    (lambda stack, vpc: ec2.FlowLog(stack, "Log"), "give vpc= or subnet="),
    (lambda stack, vpc: ec2.FlowLog(stack, "Log", vpc=vpc, max_aggregation_interval=120),
     "120 seconds is not one of 60, 600"),
    (lambda stack, vpc: ec2.FlowLog(stack, "Log", vpc=vpc, traffic_type="SOME"), "traffic_type: 'SOME'"),
    (lambda stack, vpc: ec2.FlowLogDestination.to_s3(key_prefix="/flows/"), "no leading or trailing"),
    (lambda stack, vpc: ec2.FlowLogDestination.to_cloud_watch_logs("group"), "needs a logs.LogGroup"),
])
def test_bad_flow_logs_are_errors_at_the_users_line(stack, vpc, make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack, vpc)
    assert caught.value.location.file == __file__


def test_endpoints_and_flow_logs_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Net")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
        SubnetConfiguration(name="Isolated", subnet_type=SubnetType.PRIVATE_ISOLATED, cidr_mask=24)])
    vpc.add_gateway_endpoint(Gateway.S3)
    vpc.add_gateway_endpoint(Gateway.DYNAMODB)
    vpc.add_interface_endpoint(Interface.SQS)
    vpc.add_interface_endpoint(Interface.SECRETS_MANAGER, open=False)
    vpc.add_flow_log()
    vpc.add_flow_log("ToS3", destination=ec2.FlowLogDestination.to_s3(key_prefix="flows"))

    assert lint_template(synthesize(app).stack("Net").body, "us-east-1") == []
