"""The scenario of issue 6, one test per change, then all of them in one deployment."""

from __future__ import annotations

from diff_helpers import (
    REAL_TEMPLATES,
    change_of,
    changed_ids,
    detail_at,
    diff,
    edited,
    findings_of,
    function,
    getatt,
    props,
    ref,
    resource,
    security_group,
    subnet,
    table,
    template,
    vpc,
)

from iac.synth.loader import load


def _app() -> dict:
    """A small service: a VPC with subnets and a security group, a table, a function using both."""
    return template({
        "Vpc": vpc("10.0.0.0/16"),
        "SubnetA": subnet(ref("Vpc"), "10.0.0.0/24", AvailabilityZone="us-east-1a"),
        "SubnetB": subnet(ref("Vpc"), "10.0.1.0/24", AvailabilityZone="us-east-1b"),
        "WebSg": security_group(getatt("Vpc", "VpcId"), [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}]),
        "Table": table("orders"),
        "Handler": function(128,
                            VpcConfig={"SubnetIds": [ref("SubnetA"), ref("SubnetB")],
                                       "SecurityGroupIds": [getatt("WebSg", "GroupId")]},
                            Environment={"Variables": {"TABLE": {"Fn::Sub": "${Table}"}}}),
        "TablePolicy": resource("AWS::IAM::ManagedPolicy", {"PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}"
                                     ":table/${Table}"}}]}}),
        "AuditLog": resource("AWS::Logs::LogGroup", {"LogGroupName": {"Fn::Sub": "/audit/${Table}"},
                                                     "RetentionInDays": 30}),
    })


def test_renaming_a_dynamodb_table_replaces_it_with_data_at_risk() -> None:
    old = _app()
    new = edited(old, lambda t: props(t, "Table").update(TableName="orders-v2"))
    result = diff(old, new)
    table_change = change_of(result, "Table")
    assert (table_change.action, table_change.replacement) == ("Modify", "True")
    assert table_change.reasons == ["replace: create-only property TableName changed"]
    assert table_change.data_at_risk
    assert "Table" in {f.logical_id for f in findings_of(result, "data-at-risk")}
    assert findings_of(result, "deployability") == []


def test_changing_lambda_memory_size_is_a_modify_without_replacement() -> None:
    old = _app()
    new = edited(old, lambda t: props(t, "Handler").update(MemorySize=1024))
    result = diff(old, new)
    assert changed_ids(result) == {"Handler"}
    change = change_of(result, "Handler")
    assert (change.action, change.replacement, change.policy_action) == ("Modify", "False", None)
    detail = detail_at(change, "/Properties/MemorySize")
    assert (detail.evaluation, detail.target.requires_recreation, detail.before, detail.after) == (
        "Static", "Never", 128, 1024)
    assert result.findings == [] and not result.widens_access


def test_changing_vpc_cidr_replaces_it_and_everything_that_follows() -> None:
    old = _app()
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.1.0.0/16"))
    result = diff(old, new)
    replaced = {c.logical_id: c.replacement for c in result.resources if c.is_replacement}
    # the followers' new values are computed: Conditional, as CloudFormation's change set says
    assert replaced == {"Vpc": "True", "SubnetA": "Conditional", "SubnetB": "Conditional", "WebSg": "Conditional"}
    for subnet_id in ("SubnetA", "SubnetB"):
        detail = detail_at(change_of(result, subnet_id), "/Properties/VpcId")
        assert (detail.evaluation, detail.change_source, detail.causing_entity) == (
            "Dynamic", "ResourceReference", "Vpc")
    sg_detail = detail_at(change_of(result, "WebSg"), "/Properties/VpcId")
    assert (sg_detail.change_source, sg_detail.causing_entity) == ("ResourceAttribute", "Vpc.VpcId")
    handler = change_of(result, "Handler")
    assert handler.replacement == "False"
    assert {d.causing_entity for d in handler.details} == {"SubnetA", "SubnetB", "WebSg.GroupId"}
    assert changed_ids(result) == {"Vpc", "SubnetA", "SubnetB", "WebSg", "Handler"}


def test_changing_vpc_cidr_in_a_real_network_template_replaces_the_whole_network() -> None:
    old = load(REAL_TEMPLATES / "vpc-nat.yaml")
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.99.0.0/16"))
    result = diff(old, new)
    by_id = {c.logical_id: c.replacement for c in result.resources}
    subnets = ["PublicSubnetA", "PublicSubnetB", "PrivateSubnetA", "PrivateSubnetB"]
    followers = ["GatewayAttachment", "PublicRouteTable", "PrivateRouteTableA", "PrivateRouteTableB",
                 "PublicDefaultRoute", "PrivateDefaultRouteA", "NatGatewayA", "NoIngressSecurityGroup",
                 "PublicSubnetARouteTableAssociation", "PrivateSubnetBRouteTableAssociation"]
    assert by_id["Vpc"] == "True"
    assert all(by_id[name] == "Conditional" for name in [*subnets, *followers]), by_id
    assert all(d.certain for name in [*subnets, *followers] for d in change_of(result, name).details)
    assert "InternetGateway" not in by_id and "NatEipA" not in by_id
    # a subnet follows the VPC twice: its VpcId (Ref) and its CidrBlock (!GetAtt Vpc.CidrBlock in !Cidr)
    causes = {(d.target.name, d.causing_entity) for d in change_of(result, "PrivateSubnetA").details}
    assert causes == {("VpcId", "Vpc"), ("CidrBlock", "Vpc.CidrBlock")}


def test_adding_ingress_from_anywhere_widens_access() -> None:
    old = _app()
    new = edited(old, lambda t: props(t, "WebSg")["SecurityGroupIngress"].append(
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}))
    result = diff(old, new)
    assert result.widens_access
    [rule] = result.rules
    assert (rule.action, rule.group, rule.direction, rule.protocol, rule.ports, rule.peer) == (
        "Add", "WebSg", "ingress", "tcp", "22", "0.0.0.0/0")
    change = change_of(result, "WebSg")
    assert (change.action, change.replacement) == ("Modify", "False")


def test_table_name_through_fn_sub_in_an_updatable_property_is_a_dynamic_modify() -> None:
    old = _app()
    new = edited(old, lambda t: props(t, "Table").update(TableName="orders-v2"))
    result = diff(old, new)
    handler = change_of(result, "Handler")
    assert (handler.action, handler.replacement) == ("Modify", "False")
    detail = detail_at(handler, "/Properties/Environment/Variables/TABLE")
    assert (detail.evaluation, detail.change_source, detail.causing_entity) == ("Dynamic", "ResourceReference",
                                                                              "Table")
    policy = change_of(result, "TablePolicy")
    assert policy.replacement == "False"
    assert detail_at(policy, "/Properties/PolicyDocument/Statement/0/Resource").evaluation == "Dynamic"


def test_table_name_through_fn_sub_in_a_create_only_property_replaces_the_referrer() -> None:
    old = _app()
    new = edited(old, lambda t: props(t, "Table").update(TableName="orders-v2"))
    result = diff(old, new)
    log = change_of(result, "AuditLog")
    assert (log.action, log.replacement) == ("Modify", "Conditional")  # Always + Dynamic, as CloudFormation says
    detail = detail_at(log, "/Properties/LogGroupName")
    assert (detail.evaluation, detail.target.requires_recreation, detail.causing_entity) == (
        "Dynamic", "Always", "Table")
    assert log.reasons == ["may replace: create-only property LogGroupName follows the replacement of Table"]
    assert log.data_at_risk  # a log group is stateful and has no UpdateReplacePolicy


def test_the_whole_scenario_in_one_deployment() -> None:
    old = _app()

    def edit(t: dict) -> None:
        props(t, "Table").update(TableName="orders-v2")
        props(t, "Handler").update(MemorySize=1024)
        props(t, "Vpc").update(CidrBlock="10.1.0.0/16")
        props(t, "WebSg")["SecurityGroupIngress"].append({"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                                          "CidrIp": "0.0.0.0/0"})

    result = diff(old, edited(old, edit))
    verdicts = {c.logical_id: (c.action, c.replacement) for c in result.resources}
    assert verdicts == {
        "Vpc": ("Modify", "True"), "SubnetA": ("Modify", "Conditional"), "SubnetB": ("Modify", "Conditional"),
        "WebSg": ("Modify", "Conditional"), "Table": ("Modify", "True"), "AuditLog": ("Modify", "Conditional"),
        "Handler": ("Modify", "False"), "TablePolicy": ("Modify", "False"),
    }
    assert result.counts() == {"add": 0, "change": 2, "replace": 6, "remove": 0}
    assert result.widens_access
    assert {f.logical_id for f in findings_of(result, "data-at-risk")} == {"Table", "AuditLog"}
