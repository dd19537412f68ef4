"""awslambda.Function in a VPC: VpcConfig with the chosen subnets and groups, the ENI permissions
(AWSLambdaVPCAccessExecutionRole), a group of its own that lets HTTPS out, and `fn.connections`."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import awslambda, ec2
from iac.constructs.ec2 import SubnetConfiguration, SubnetType
from iac.synth import synthesize
from iac.synth.lint import lint_template

CODE = awslambda.Code.from_inline("exports.handler = async () => ({statusCode: 200});")
VPC_ACCESS = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}
BASIC = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def function(stack: Stack, id: str = "Fn", **options: Any) -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=CODE, **options)


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


def test_a_function_in_a_vpc_runs_in_its_private_subnets_with_a_group_of_its_own(app, stack, vpc):
    fn = function(stack, vpc=vpc)

    written = resources(app)
    [group] = fn.connections.security_groups
    assert group.path == "Main/Fn/SecurityGroup" and group.resource.logical_id == "FnSecurityGroupB675AC26"
    assert written[fn.resource.logical_id]["Properties"]["VpcConfig"] == {
        "SubnetIds": [{"Ref": s.resource.logical_id} for s in vpc.private_subnets],
        "SecurityGroupIds": [{"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}]}
    assert written[group.resource.logical_id]["Properties"] == {
        "GroupDescription": "Main/Fn (Lambda function)", "VpcId": {"Ref": vpc.resource.logical_id},
        "SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                 "Description": "HTTPS out: AWS APIs"}]}
    role = written[fn.role.resource.logical_id]["Properties"]
    assert role["ManagedPolicyArns"] == [BASIC, VPC_ACCESS]


def test_the_function_waits_for_its_subnets_way_out(app, stack, vpc):
    fn = function(stack, vpc=vpc)

    expected = [r.logical_id for s in vpc.private_subnets for r in s.internet_connectivity]
    assert set(expected) <= set(resources(app)[fn.resource.logical_id]["DependsOn"])


def test_a_function_in_isolated_subnets_waits_for_nothing(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
        SubnetConfiguration(name="Isolated", subnet_type=SubnetType.PRIVATE_ISOLATED, cidr_mask=24)])
    fn = function(stack, vpc=vpc)

    written = resources(app)[fn.resource.logical_id]
    assert written["Properties"]["VpcConfig"]["SubnetIds"] == [{"Ref": s.resource.logical_id}
                                                                for s in vpc.isolated_subnets]
    assert "DependsOn" not in written


def test_given_groups_and_subnets_are_used_and_connections_write_both_sides(app, stack, vpc):
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    fn = function(stack, vpc=vpc, security_groups=[group],
                  vpc_subnets=ec2.SubnetSelection(subnets=vpc.private_subnets[:1]))
    fn.connections.allow_to(db, ec2.Port.tcp(5432))

    written = resources(app)
    assert written[fn.resource.logical_id]["Properties"]["VpcConfig"] == {
        "SubnetIds": [{"Ref": vpc.private_subnets[0].resource.logical_id}],
        "SecurityGroupIds": [{"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}]}
    assert fn.find_child("SecurityGroup") is None
    assert [c.id for c in group.children if c.id != "Resource"] == ["To Db:5432"]
    assert [c.id for c in db.children if c.id != "Resource"] == ["From Group:5432"]


def test_a_given_role_gets_the_eni_permissions_too(app, stack, vpc):
    from iac.constructs import iam

    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    function(stack, vpc=vpc, role=role)

    assert resources(app)[role.resource.logical_id]["Properties"]["ManagedPolicyArns"] == [VPC_ACCESS]


def test_a_function_outside_a_vpc_has_no_vpc_config_and_no_connections(app, stack):
    fn = function(stack)

    assert "VpcConfig" not in resources(app)[fn.resource.logical_id]["Properties"]
    with pytest.raises(ConstructError, match="Main/Fn has no security groups: it is not in a VPC") as caught:
        fn.connections  # noqa: B018
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("options, message", [
    ({"vpc_subnets": ec2.SubnetSelection(subnet_type=SubnetType.PUBLIC)}, "would run in public subnets"),
    ({"vpc": None, "vpc_subnets": ec2.SubnetSelection(subnet_type=SubnetType.PUBLIC)},
     "vpc_subnets and security_groups need vpc="),
])
def test_impossible_placements_are_errors_at_the_users_line(stack, vpc, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        function(stack, **{"vpc": vpc, **options})
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Fn"


def test_public_subnets_when_asked_for(app, stack, vpc):
    fn = function(stack, vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=SubnetType.PUBLIC),
                  allow_public_subnet=True)

    assert resources(app)[fn.resource.logical_id]["Properties"]["VpcConfig"]["SubnetIds"] == [
        {"Ref": s.resource.logical_id} for s in vpc.public_subnets]


def test_a_function_in_a_vpc_passes_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    fn = function(stack, vpc=vpc)
    fn.connections.allow_to(db, ec2.Port.tcp(5432))

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []
