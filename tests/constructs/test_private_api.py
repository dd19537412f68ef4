"""Issue 15's done-when case: a private API in an isolated VPC (no internet gateway, no NAT gateway,
endpoints only), written with iac's constructs alone (no CfnResource), synthesizes with `iac synth
--strict` (schemas, iac's checks and cfn-lint; a warning fails it)."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from iac import ConstructError
from iac.constructs import apigateway, awslambda, ec2, iam
from iac.synth import synthesize

PRIVATE_API_APP = textwrap.dedent('''
    from iac import App, Stack, suppress
    from iac.constructs import apigateway, awslambda, dynamodb, ec2

    app = App()
    stack = Stack(app, "PrivateApi")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
        ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)])
    vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.DYNAMODB)          # the function's table
    api_endpoint = vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY)  # its callers

    table = dynamodb.Table(stack, "Items", partition_key=dynamodb.Attribute("pk", dynamodb.AttributeType.STRING))
    get_item = awslambda.Function(
        stack, "GetItem", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
        code=awslambda.Code.from_inline("exports.handler = async () => ({statusCode: 200, body: '{}'});"),
        environment={"TABLE_NAME": table.table_name}, vpc=vpc)
    table.grant_read(get_item)

    api = apigateway.RestApi(stack, "Api", endpoint_type="PRIVATE", vpc_endpoints=[api_endpoint])
    suppress(api.add_route("GET", "/items/{id}", get_item), "IAC-APIGW-001",
             reason="a private API: its resource policy lets calls in through the VPC's endpoint only")

    app.synth()
''')


def _template(out: Path) -> dict[str, Any]:
    return json.loads((out / "PrivateApi.template.json").read_text(encoding="utf-8"))


def test_a_private_api_in_an_isolated_vpc_synthesizes_strictly_with_the_cli(write_app, run_iac, tmp_path):
    write_app(PRIVATE_API_APP)

    result = run_iac("synth", "--strict", "--app", "app.py", "--out", "out")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()
    resources = _template(tmp_path / "out")["Resources"]
    types = Counter(r["Type"] for r in resources.values())
    assert not {"AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::NatGateway",
                "AWS::EC2::EIP", "AWS::EC2::Route"} & set(types)
    assert "AWS::CloudFormation::CustomResource" not in types
    assert types["AWS::EC2::VPCEndpoint"] == 2 and types["AWS::EC2::Subnet"] == 2


def test_the_pieces_are_wired_to_each_other(write_app, run_iac, tmp_path):
    write_app(PRIVATE_API_APP)
    assert run_iac("synth", "--app", "app.py", "--out", "out").returncode == 0

    resources = _template(tmp_path / "out")["Resources"]
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, resource in resources.items():
        by_type.setdefault(resource["Type"], []).append((key, resource.get("Properties", {})))
    [(api_id, api)] = by_type["AWS::ApiGateway::RestApi"]
    endpoints = {props["VpcEndpointType"]: (key, props) for key, props in by_type["AWS::EC2::VPCEndpoint"]}
    interface_id, interface = endpoints["Interface"]
    assert api["EndpointConfiguration"] == {"Types": ["PRIVATE"], "VpcEndpointIds": [{"Ref": interface_id}]}
    assert api["Policy"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": {"Ref": interface_id}}}}]
    assert interface["PrivateDnsEnabled"] is True
    _, gateway = endpoints["Gateway"]
    subnets = [key for key, _ in by_type["AWS::EC2::Subnet"]]
    [(_, function)] = by_type["AWS::Lambda::Function"]
    assert function["VpcConfig"]["SubnetIds"] == [{"Ref": key} for key in subnets]
    assert len(gateway["RouteTableIds"]) == 2



def test_vpc_endpoints_are_for_a_private_api_only(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    endpoint = vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.APIGATEWAY)
    with pytest.raises(ConstructError, match="vpc_endpoints are for a PRIVATE API, not a REGIONAL one") as caught:
        apigateway.RestApi(stack, "Api", vpc_endpoints=[endpoint])
    assert caught.value.location.file == __file__


def test_a_given_resource_policy_is_written_as_given(app, stack):
    policy = iam.PolicyDocument([iam.PolicyStatement(principals=[iam.AccountRootPrincipal()],
                                                     actions=["execute-api:Invoke"], resources=["execute-api:/*"])])
    api = apigateway.RestApi(stack, "Api", endpoint_type="PRIVATE", policy=policy)
    api.add_route("GET", "/", awslambda.Function(stack, "Fn", handler="index.handler",
                                                 runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                                                 code=awslambda.Code.from_inline("exports.handler = 1;")))

    written = synthesize(app).template("Main")["Resources"][api.resource.logical_id]["Properties"]
    assert written["Policy"]["Statement"] == [{
        "Effect": "Allow", "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::",
                                                                   {"Ref": "AWS::AccountId"}, ":root"]]}},
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]
    assert written["EndpointConfiguration"] == {"Types": ["PRIVATE"]}
