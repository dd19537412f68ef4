"""Normalization: edits CloudFormation treats as the same template are not changes."""

from __future__ import annotations

from diff_helpers import (
    assert_no_changes,
    bucket,
    change_of,
    diff,
    function,
    queue,
    ref,
    resource,
    role,
    security_group,
    template,
)


def test_getatt_short_form_equals_list_form() -> None:
    old = template({"Q": queue(), "P": resource("AWS::SSM::Parameter", {"Type": "String", "Name": "/q",
                                                                       "Value": {"Fn::GetAtt": ["Q", "Arn"]}})})
    new = template({"Q": queue(), "P": resource("AWS::SSM::Parameter", {"Type": "String", "Name": "/q",
                                                                       "Value": {"Fn::GetAtt": "Q.Arn"}})})
    assert_no_changes(diff(old, new))


def test_depends_on_order_is_ignored() -> None:
    others = {"A": queue(), "B": queue()}
    old = template({**others, "C": queue() | {"DependsOn": ["A", "B"]}})
    new = template({**others, "C": queue() | {"DependsOn": ["B", "A"]}})
    assert_no_changes(diff(old, new))


def test_depends_on_string_equals_one_element_list() -> None:
    old = template({"A": queue(), "C": queue() | {"DependsOn": "A"}})
    new = template({"A": queue(), "C": queue() | {"DependsOn": ["A"]}})
    assert_no_changes(diff(old, new))


def test_depends_on_duplicate_entry_is_ignored() -> None:
    old = template({"A": queue(), "C": queue() | {"DependsOn": ["A"]}})
    new = template({"A": queue(), "C": queue() | {"DependsOn": ["A", "A"]}})
    assert_no_changes(diff(old, new))


def test_number_as_string_equals_number() -> None:
    assert_no_changes(diff(template({"Fn": function(128)}), template({"Fn": function("128")})))


def test_float_with_integer_value_equals_integer() -> None:
    old = template({"Q": queue(VisibilityTimeout=60.0)})
    assert_no_changes(diff(old, template({"Q": queue(VisibilityTimeout=60)})))


def test_boolean_as_string_equals_boolean() -> None:
    old = template({"B": bucket(VersioningConfiguration={"Status": "Enabled"},
                                ObjectLockEnabled=True)})
    new = template({"B": bucket(VersioningConfiguration={"Status": "Enabled"},
                                ObjectLockEnabled="true")})
    assert_no_changes(diff(old, new))


def test_different_numbers_are_a_change() -> None:
    assert change_of(diff(template({"Fn": function("128")}), template({"Fn": function(129)})), "Fn").details


def test_key_order_is_ignored() -> None:
    old = template({"Fn": function(Environment={"Variables": {"A": "1", "B": "2"}}, Timeout=3)})
    reordered = function(Timeout=3, Environment={"Variables": {"B": "2", "A": "1"}})
    reordered["Properties"] = dict(reversed(list(reordered["Properties"].items())))
    new = template({"Fn": dict(reversed(list(reordered.items())))})
    assert_no_changes(diff(old, new))


def test_resource_order_is_ignored() -> None:
    old = template({"A": queue(), "B": function(), "C": bucket()})
    new = template({"C": bucket(), "A": queue(), "B": function()})
    assert_no_changes(diff(old, new))


def test_iam_statements_reordered_are_equal() -> None:
    first = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    second = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    assert_no_changes(diff(template({"R": role([first, second])}), template({"R": role([second, first])})))


def test_iam_action_and_resource_lists_are_sets() -> None:
    old = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
           "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}
    new = {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObject"],
           "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}
    assert_no_changes(diff(template({"R": role([old])}), template({"R": role([new])})))


def test_iam_single_action_string_equals_one_element_list() -> None:
    old = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
    new = {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["*"]}
    assert_no_changes(diff(template({"R": role([old])}), template({"R": role([new])})))


def test_iam_principal_lists_are_sets() -> None:
    def policy(principal: object) -> dict:
        return resource("AWS::SQS::QueuePolicy", {"Queues": [ref("Q")], "PolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sqs:SendMessage", "Resource": "*"}]}})
    old = template({"Q": queue(), "P": policy({"Service": ["sns.amazonaws.com", "events.amazonaws.com"]})})
    new = template({"Q": queue(), "P": policy({"Service": ["events.amazonaws.com", "sns.amazonaws.com"]})})
    assert_no_changes(diff(old, new))
    single = template({"Q": queue(), "P": policy({"Service": "sns.amazonaws.com"})})
    listed = template({"Q": queue(), "P": policy({"Service": ["sns.amazonaws.com"]})})
    assert_no_changes(diff(single, listed))


def test_single_statement_object_equals_one_element_statement_list() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    old = template({"P": resource("AWS::IAM::ManagedPolicy", {"PolicyDocument": {
        "Version": "2012-10-17", "Statement": statement}})})
    new = template({"P": resource("AWS::IAM::ManagedPolicy", {"PolicyDocument": {
        "Version": "2012-10-17", "Statement": [statement]}})})
    assert_no_changes(diff(old, new))


def test_tag_list_order_is_ignored() -> None:
    old = template({"Q": queue(Tags=[{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "prod"}])})
    new = template({"Q": queue(Tags=[{"Value": "prod", "Key": "env"}, {"Key": "team", "Value": "a"}])})
    assert_no_changes(diff(old, new))


def test_security_group_rule_order_and_number_types_are_ignored() -> None:
    rule_a = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
    rule_b = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8"}
    rule_a_text = {"CidrIp": "0.0.0.0/0", "ToPort": "443", "FromPort": "443", "IpProtocol": "tcp"}
    old = template({"Sg": security_group("vpc-1", [rule_a, rule_b])})
    new = template({"Sg": security_group("vpc-1", [rule_a_text, rule_b])})
    assert_no_changes(diff(old, new))


def test_security_group_rule_order_is_ignored() -> None:
    """The schema marks SecurityGroupIngress insertionOrder: false."""
    rule_a = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
    rule_b = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "10.0.0.0/8"}
    old = template({"Sg": security_group("vpc-1", [rule_a, rule_b])})
    new = template({"Sg": security_group("vpc-1", [rule_b, rule_a])})
    assert_no_changes(diff(old, new))


def test_unordered_list_nested_below_a_ref_definition_is_ignored() -> None:
    def task(environment: list) -> dict:
        return resource("AWS::ECS::TaskDefinition", {"Family": "web", "ContainerDefinitions": [
            {"Name": "web", "Image": "nginx", "Environment": environment}]})
    a, b = {"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}
    assert_no_changes(diff(template({"Task": task([a, b])}), template({"Task": task([b, a])})))


def test_ordered_list_order_is_a_change() -> None:
    layers = ["arn:aws:lambda:us-east-1:1:layer:a:1", "arn:aws:lambda:us-east-1:1:layer:b:1"]
    old = template({"Fn": function(Layers=layers)})
    new = template({"Fn": function(Layers=list(reversed(layers)))})
    change = change_of(diff(old, new), "Fn")
    assert [d.target.name for d in change.details] == ["Layers"]


def test_getatt_forms_on_a_standalone_ingress_rule_are_not_a_rule_change() -> None:
    """Fixed: security._rules took the group from the raw GroupId, so !GetAtt Sg.GroupId and
    ["Sg", "GroupId"] made a Remove + Add rule pair flagged as widening access."""
    def ingress(group: object) -> dict:
        return resource("AWS::EC2::SecurityGroupIngress", {"GroupId": group, "IpProtocol": "tcp", "FromPort": 443,
                                                           "ToPort": 443, "CidrIp": "10.0.0.0/8"})
    old = template({"Sg": security_group("vpc-1"), "In": ingress({"Fn::GetAtt": ["Sg", "GroupId"]})})
    new = template({"Sg": security_group("vpc-1"), "In": ingress({"Fn::GetAtt": "Sg.GroupId"})})
    assert_no_changes(diff(old, new))


def test_empty_properties_equal_missing_properties() -> None:
    old = template({"T": resource("AWS::SNS::Topic", {})})
    assert_no_changes(diff(old, template({"T": resource("AWS::SNS::Topic")})))
