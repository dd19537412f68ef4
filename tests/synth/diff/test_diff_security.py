"""Security changes: IAM statement and security-group rule tables, and when access widens."""

from __future__ import annotations

from diff_helpers import bucket, diff, edited, getatt, props, queue, ref, resource, role, security_group, template

READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}
WRITE = {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::data/*"}
NO_DELETE = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}


def test_allow_statement_added_widens_access() -> None:
    result = diff(template({"R": role([READ])}), template({"R": role([READ, WRITE])}))
    [change] = result.statements
    assert change.action == "Add"
    assert change.effect == "Allow"
    assert change.actions == ("s3:DeleteObject", "s3:PutObject")
    assert change.resources == ("arn:aws:s3:::data/*",)
    assert change.logical_id == "R" and change.resource_type == "AWS::IAM::Role"
    assert change.location == "Policies.0.PolicyDocument"
    assert change.widens is True
    assert result.widens_access


def test_deny_statement_removed_widens_access() -> None:
    result = diff(template({"R": role([READ, NO_DELETE])}), template({"R": role([READ])}))
    [change] = result.statements
    assert (change.action, change.effect, change.widens) == ("Remove", "Deny", True)
    assert result.widens_access


def test_allow_statement_removed_does_not_widen() -> None:
    result = diff(template({"R": role([READ, WRITE])}), template({"R": role([READ])}))
    [change] = result.statements
    assert (change.action, change.effect, change.widens) == ("Remove", "Allow", False)
    assert not result.widens_access


def test_deny_statement_added_does_not_widen() -> None:
    result = diff(template({"R": role([READ])}), template({"R": role([READ, NO_DELETE])}))
    [change] = result.statements
    assert (change.action, change.effect, change.widens) == ("Add", "Deny", False)
    assert not result.widens_access


def test_edited_statement_is_a_remove_and_an_add() -> None:
    wider = READ | {"Action": ["s3:GetObject", "s3:ListBucket"]}
    result = diff(template({"R": role([READ])}), template({"R": role([wider])}))
    assert sorted((s.action, s.actions) for s in result.statements) == [
        ("Add", ("s3:GetObject", "s3:ListBucket")), ("Remove", ("s3:GetObject",))]
    assert result.widens_access


def test_trust_policy_principal_and_condition_are_in_the_table() -> None:
    old = template({"R": role()})
    trust = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "abc"}}}
    new = edited(old, lambda t: props(t, "R")["AssumeRolePolicyDocument"]["Statement"].append(trust))
    [change] = diff(old, new).statements
    assert change.location == "AssumeRolePolicyDocument"
    assert "arn:aws:iam::999999999999:root" in change.principal
    assert "sts:ExternalId" in change.condition and "abc" in change.condition
    assert change.widens


def test_intrinsic_resource_is_rendered_compactly() -> None:
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": getatt("Q", "Arn")}
    result = diff(template({"Q": queue(), "R": role([])}), template({"Q": queue(), "R": role([statement])}))
    [change] = result.statements
    assert change.resources == ("!GetAtt Q.Arn",)


def test_managed_policy_attached_widens_access() -> None:
    old = template({"R": role(ManagedPolicyArns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])})
    new = template({"R": role(ManagedPolicyArns=["arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                 "arn:aws:iam::aws:policy/AdministratorAccess"])})
    result = diff(old, new)
    [change] = result.statements
    assert change.action == "Add" and change.widens
    assert change.location == "ManagedPolicyArns"
    assert change.resources == ("arn:aws:iam::aws:policy/AdministratorAccess",)


def test_managed_policy_detached_does_not_widen() -> None:
    old = template({"R": role(ManagedPolicyArns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])})
    new = template({"R": role(ManagedPolicyArns=[])})
    [change] = diff(old, new).statements
    assert change.action == "Remove" and not change.widens


def _bucket_policy(principal: object, condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
                 "Resource": {"Fn::Sub": "${Site.Arn}/*"}}
    if condition:
        statement["Condition"] = condition
    return resource("AWS::S3::BucketPolicy", {"Bucket": ref("Site"), "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [statement]}})


def test_bucket_policy_loosened_to_any_principal_widens_access() -> None:
    old = template({"Site": bucket(), "Policy": _bucket_policy({"Service": "cloudfront.amazonaws.com"})})
    new = template({"Site": bucket(), "Policy": _bucket_policy("*")})
    result = diff(old, new)
    added = [s for s in result.statements if s.action == "Add"]
    assert [(s.logical_id, s.resource_type, s.principal, s.widens) for s in added] == [
        ("Policy", "AWS::S3::BucketPolicy", "*", True)]
    assert added[0].resources == ("!Sub ${Site.Arn}/*",)
    assert result.widens_access


def test_bucket_policy_condition_dropped_widens_access() -> None:
    condition = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    old = template({"Site": bucket(), "Policy": _bucket_policy({"Service": "logging.s3.amazonaws.com"}, condition)})
    new = template({"Site": bucket(), "Policy": _bucket_policy({"Service": "logging.s3.amazonaws.com"})})
    result = diff(old, new)
    assert {(s.action, bool(s.condition)) for s in result.statements} == {("Add", False), ("Remove", True)}
    assert result.widens_access


def test_queue_policy_loosened_widens_access() -> None:
    def policy(actions: object) -> dict:
        return resource("AWS::SQS::QueuePolicy", {"Queues": [ref("Q")], "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": actions,
             "Resource": getatt("Q", "Arn")}]}})
    result = diff(template({"Q": queue(), "P": policy("sqs:SendMessage")}),
                  template({"Q": queue(), "P": policy("sqs:*")}))
    added = [s for s in result.statements if s.action == "Add"]
    assert [(s.actions, s.principal, s.widens) for s in added] == [(("sqs:*",), '{"Service":["sns.amazonaws.com"]}',
                                                                    True)]


def _permission(principal: str, **extra: object) -> dict:
    return resource("AWS::Lambda::Permission", {"FunctionName": getatt("Fn", "Arn"), "Action": "lambda:InvokeFunction",
                                                "Principal": principal, **extra})


def test_lambda_permission_added_is_a_statement_that_widens_access() -> None:
    result = diff(template({}), template({"Perm": _permission("*")}))
    [change] = result.statements
    assert (change.action, change.logical_id, change.resource_type) == ("Add", "Perm", "AWS::Lambda::Permission")
    assert (change.effect, change.actions, change.resources, change.principal) == (
        "Allow", ("lambda:InvokeFunction",), ("!GetAtt Fn.Arn",), "*")
    assert change.widens and result.widens_access


def test_lambda_permission_loosened_by_dropping_its_source_arn_widens_access() -> None:
    scoped = _permission("s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads")
    result = diff(template({"Perm": scoped}), template({"Perm": _permission("s3.amazonaws.com")}))
    assert {(s.action, "uploads" in s.condition, s.widens) for s in result.statements} == {
        ("Add", False, True), ("Remove", True, False)}


def test_lambda_permission_removed_does_not_widen() -> None:
    result = diff(template({"Perm": _permission("events.amazonaws.com")}), template({}))
    assert [(s.action, s.widens) for s in result.statements] == [("Remove", False)]


def test_ingress_rule_from_anywhere_added_widens_access() -> None:
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
    result = diff(template({"Sg": security_group("vpc-1", [https])}), template({"Sg": security_group("vpc-1",
                                                                                                    [https, ssh])}))
    [rule] = result.rules
    assert (rule.action, rule.logical_id, rule.group, rule.direction) == ("Add", "Sg", "Sg", "ingress")
    assert (rule.protocol, rule.ports, rule.peer, rule.widens) == ("tcp", "22", "0.0.0.0/0", True)
    assert result.widens_access


def test_ingress_rule_removed_does_not_widen() -> None:
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}
    result = diff(template({"Sg": security_group("vpc-1", [https])}), template({"Sg": security_group("vpc-1", [])}))
    [rule] = result.rules
    assert (rule.action, rule.widens) == ("Remove", False)
    assert not result.widens_access


def test_egress_rule_with_all_protocols_and_a_port_range() -> None:
    everything = {"IpProtocol": "-1", "CidrIpv6": "::/0"}
    ephemeral = {"IpProtocol": "udp", "FromPort": 1024, "ToPort": 65535, "DestinationSecurityGroupId": "sg-1"}
    result = diff(template({"Sg": security_group("vpc-1")}),
                  template({"Sg": security_group("vpc-1", SecurityGroupEgress=[everything, ephemeral])}))
    rules = {(r.direction, r.protocol, r.ports, r.peer) for r in result.rules}
    assert rules == {("egress", "all", "all", "::/0"), ("egress", "udp", "1024-65535", "sg-1")}
    assert all(r.widens for r in result.rules)


def test_standalone_ingress_resource_added_widens_access() -> None:
    ingress = resource("AWS::EC2::SecurityGroupIngress", {
        "GroupId": getatt("Sg", "GroupId"), "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
        "SourceSecurityGroupId": getatt("App", "GroupId")})
    base = {"Sg": security_group("vpc-1"), "App": security_group("vpc-1")}
    result = diff(template(base), template({**base, "DbIn": ingress}))
    [rule] = result.rules
    assert (rule.action, rule.logical_id, rule.group, rule.direction) == (
        "Add", "DbIn", "!GetAtt Sg.GroupId", "ingress")
    assert (rule.protocol, rule.ports, rule.peer, rule.widens) == ("tcp", "5432", "!GetAtt App.GroupId", True)
    assert [c.action for c in result.resources] == ["Add"]


def test_standalone_egress_resource_removed_does_not_widen() -> None:
    egress = resource("AWS::EC2::SecurityGroupEgress", {"GroupId": ref("Sg"), "IpProtocol": "tcp", "FromPort": 443,
                                                        "ToPort": 443, "CidrIp": "0.0.0.0/0"})
    result = diff(template({"Sg": security_group("vpc-1"), "Out": egress}), template({"Sg": security_group("vpc-1")}))
    [rule] = result.rules
    assert (rule.action, rule.direction, rule.group, rule.widens) == ("Remove", "egress", "!Ref Sg", False)


def test_no_security_tables_for_unrelated_changes() -> None:
    old = template({"R": role([READ]), "Sg": security_group("vpc-1", [{"IpProtocol": "tcp", "FromPort": 1,
                                                                       "ToPort": 1, "CidrIp": "10.0.0.0/8"}])})
    new = edited(old, lambda t: props(t, "R").update(MaxSessionDuration=7200))
    result = diff(old, new)
    assert result.statements == [] and result.rules == [] and not result.widens_access
