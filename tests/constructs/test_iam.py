"""IAM: principals, statements merged deterministically, managed policies, roles and grants."""

from __future__ import annotations

import pytest

from iac import App, CfnResource, Construct, ConstructError, Duration, Stack
from iac.constructs import iam
from iac.specs import property_range
from iac.synth import synthesize


def _template(app: App, name: str = "S") -> dict:
    return synthesize(app).template(name)


def _role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def test_role_trust_policy_names_the_principal() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    role = _role(stack)
    trust = _template(app)["Resources"][role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]
    assert trust == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def test_aws_managed_policy_arn_follows_the_partition() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")])
    arns = _template(app)["Resources"][role.resource.logical_id]["Properties"]["ManagedPolicyArns"]
    assert arns == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}]


def test_a_role_without_statements_has_no_policy_resource() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    _role(stack)
    types = [r["Type"] for r in _template(app)["Resources"].values()]
    assert types == ["AWS::IAM::Role"]


def test_statements_on_the_same_resource_are_merged_and_deduplicated() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    role = _role(stack)
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.get_att("Arn")]))
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:GetQueueUrl", "sqs:SendMessage"],
                                           resources=[queue.get_att("Arn")]))
    document = _template(app)["Resources"][role.default_policy.logical_id]["Properties"]["PolicyDocument"]
    assert document["Statement"] == [{"Effect": "Allow", "Action": ["sqs:GetQueueUrl", "sqs:SendMessage"],
                                      "Resource": {"Fn::GetAtt": ["Queue", "Arn"]}}]


def test_statements_with_the_same_actions_join_their_resources() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    first = CfnResource(stack, "First", type="AWS::SQS::Queue")
    second = CfnResource(stack, "Second", type="AWS::SQS::Queue")
    role = _role(stack)
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[second.get_att("Arn")]))
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[first.get_att("Arn")]))
    statement = _template(app)["Resources"][role.default_policy.logical_id]["Properties"]["PolicyDocument"][
        "Statement"]
    assert statement == [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": [
        {"Fn::GetAtt": ["First", "Arn"]}, {"Fn::GetAtt": ["Second", "Arn"]}]}]


def test_policy_text_does_not_depend_on_the_order_statements_were_added() -> None:
    def build(order: list[int]) -> dict:
        app = App(path_metadata=False)
        stack = Stack(app, "S")
        queues = [CfnResource(stack, f"Q{i}", type="AWS::SQS::Queue") for i in range(3)]
        role = _role(stack)
        actions = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]
        for index in order:
            role.add_to_policy(iam.PolicyStatement(actions=[actions[index]], resources=[queues[index].ref]))
        return _template(app)

    assert build([0, 1, 2]) == build([2, 0, 1])


def test_the_function_waits_for_the_policy_of_its_role() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    role = _role(stack)
    target = CfnResource(stack, "Target", type="AWS::SQS::Queue")
    user = CfnResource(stack, "User", type="AWS::SQS::Queue")
    role.add_policy_dependent(user)
    role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[target.get_att("Arn")]))
    assert _template(app)["Resources"]["User"]["DependsOn"] == [role.default_policy.logical_id]


def test_grant_to_something_without_a_role_is_a_clear_error() -> None:
    app = App()
    stack = Stack(app, "S")
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    with pytest.raises(ConstructError, match="has no IAM role"):
        iam.grant(queue, actions=["sqs:SendMessage"], resources=[queue.get_att("Arn")], scope=queue)


def test_grant_records_the_statement_and_role() -> None:
    app = App()
    stack = Stack(app, "S")
    role = _role(stack)
    granted = iam.grant(role, actions=["s3:GetObject"], resources=["arn:aws:s3:::b/*"], scope=role)
    assert granted.role is role
    assert granted.statement.actions == ["s3:GetObject"]


def test_an_action_without_a_service_prefix_is_rejected() -> None:
    with pytest.raises(ValueError, match="not an IAM action"):
        iam.PolicyStatement(actions=["GetObject"], resources=["*"])


def test_assumed_by_must_be_a_principal() -> None:
    app = App()
    stack = Stack(app, "S")
    with pytest.raises(ConstructError, match="assumed_by must be Principal, got str 'lambda.amazonaws.com'"):
        iam.Role(stack, "Role", assumed_by="lambda.amazonaws.com")


def test_account_principal_is_the_account_root_arn() -> None:
    assert iam.AccountPrincipal("123456789012").fragment()["AWS"].endswith(":iam::123456789012:root")


@pytest.mark.parametrize(("props", "message"), [
    ({"managed_policies": ["ReadOnlyAccess"]},
     r"managed_policies must be Sequence\[ManagedPolicy\], got list \['ReadOnlyAccess'\]; item 0 is str"),
    ({"inline_policies": {"p": [iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])]}},
     r"inline_policies must be Mapping\[str, PolicyDocument\] \| None, .*; the value of 'p' is list"),
])
def test_role_policies_of_the_wrong_kind_are_refused_at_construction(props: dict, message: str) -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match=message) as caught:
        iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), **props)
    assert caught.value.location.file == __file__


def _role_properties(app: App, role: iam.Role) -> dict:
    return _template(app)["Resources"][role.resource.logical_id]["Properties"]


def test_role_options_are_written() -> None:
    app = App(path_metadata=False)
    role = iam.Role(Stack(app, "S"), "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    role_name="worker", description="runs jobs", path="/service-roles/",
                    max_session_duration=7200,
                    managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess")],
                    inline_policies={"Jobs": iam.PolicyDocument([iam.PolicyStatement(actions=["sqs:SendMessage"],
                                                                                     resources=["*"])])})

    properties = _role_properties(app, role)

    assert (properties["RoleName"], properties["Description"], properties["Path"]) == (
        "worker", "runs jobs", "/service-roles/")
    assert properties["MaxSessionDuration"] == 7200
    assert len(properties["ManagedPolicyArns"]) == 1
    assert [policy["PolicyName"] for policy in properties["Policies"]] == ["Jobs"]


def test_a_max_session_duration_may_be_a_duration() -> None:
    app = App(path_metadata=False)
    role = iam.Role(Stack(app, "S"), "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    max_session_duration=Duration.hours(4))

    assert _role_properties(app, role)["MaxSessionDuration"] == 4 * 3600


def test_the_session_duration_limits_are_the_schemas() -> None:
    low, high = property_range("AWS::IAM::Role", "MaxSessionDuration")
    assert isinstance(low, int) and isinstance(high, int)
    stack = Stack(App(), "S")
    principal = iam.ServicePrincipal("lambda.amazonaws.com")

    iam.Role(stack, "Shortest", assumed_by=principal, max_session_duration=low)
    iam.Role(stack, "Longest", assumed_by=principal, max_session_duration=Duration.seconds(high))
    with pytest.raises(ConstructError, match=f"max_session_duration: {high + 1} is greater than the maximum of {high}"):
        iam.Role(stack, "TooLong", assumed_by=principal, max_session_duration=high + 1)
    with pytest.raises(ConstructError, match=f"max_session_duration: {low - 1} is less than the minimum of {low}"):
        iam.Role(stack, "TooShort", assumed_by=principal, max_session_duration=Duration.seconds(low - 1))
    with pytest.raises(ConstructError, match="1500 milliseconds is not a whole number of seconds"):
        iam.Role(stack, "Fraction", assumed_by=principal, max_session_duration=Duration.millis(1500))


@pytest.mark.parametrize(("props", "message"), [
    ({"role_name": "has space"}, r"role_name: 'has space' does not match .* \(AWS::IAM::Role RoleName, per its schema"),
    ({"role_name": "r" * 65}, r"role_name: .* is too long \(AWS::IAM::Role RoleName"),
    ({"path": "service-roles"}, r"path: 'service-roles' does not match .* \(AWS::IAM::Role Path"),
    ({"max_session_duration": "1h"}, r"max_session_duration must be int \| Duration \| None, got str '1h'"),
])
def test_role_values_the_schema_refuses_are_refused_at_the_users_line(props: dict, message: str) -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match=message) as caught:
        iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), **props)
    assert caught.value.path == "S/Role"
    assert caught.value.location.file == __file__


def test_a_misspelt_role_option_gets_a_did_you_mean() -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match="Role 'Role' has no argument 'rolename'") as caught:
        iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), rolename="x")
    assert caught.value.hint == "did you mean role_name?"
    assert caught.value.location.file == __file__


def test_a_role_needs_assumed_by() -> None:
    with pytest.raises(ConstructError, match="Role 'Role' needs the argument assumed_by="):
        iam.Role(Stack(App(), "S"), "Role")


# -- permissions boundaries -------------------------------------------------------------------

BOUNDARY_ARN = "arn:aws:iam::123456789012:policy/iac-boundary/Team"


def _boundary_of(app: App, role: iam.Role, stack: str = "S") -> object:
    return _template(app, stack)["Resources"][role.resource.logical_id]["Properties"].get("PermissionsBoundary")


def test_a_role_has_no_boundary_unless_one_is_given() -> None:
    app = App(path_metadata=False)
    role = _role(Stack(app, "S"))
    assert "PermissionsBoundary" not in _template(app)["Resources"][role.resource.logical_id]["Properties"]
    assert role.permissions_boundary is None


def test_a_role_takes_the_boundary_it_is_given() -> None:
    app = App(path_metadata=False)
    role = iam.Role(Stack(app, "S"), "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    permissions_boundary=iam.ManagedPolicy.from_managed_policy_arn(BOUNDARY_ARN))
    assert _boundary_of(app, role) == BOUNDARY_ARN


def test_every_role_in_a_scope_picks_up_the_scopes_boundary_even_roles_made_before_it() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    other = Stack(app, "Other")
    earlier = _role(stack)
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.from_managed_policy_arn(BOUNDARY_ARN))
    nested = iam.Role(Construct(stack, "Group"), "Role", assumed_by=iam.ServicePrincipal("sqs.amazonaws.com"))
    outside = _role(other)

    assert _boundary_of(app, earlier) == _boundary_of(app, nested) == BOUNDARY_ARN
    assert _boundary_of(app, outside, "Other") is None
    assert iam.PermissionsBoundary.of(stack).policy.managed_policy_arn == BOUNDARY_ARN


def test_a_boundary_given_to_the_role_itself_wins_over_its_scopes() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.from_managed_policy_arn(BOUNDARY_ARN))
    own = "arn:aws:iam::123456789012:policy/own"
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    permissions_boundary=iam.ManagedPolicy.from_managed_policy_arn(own))
    assert _boundary_of(app, role) == own


def test_a_boundary_that_is_no_managed_policy_is_refused() -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match="permissions_boundary"):
        iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                 permissions_boundary=BOUNDARY_ARN)
    with pytest.raises(TypeError, match="iam.ManagedPolicy"):
        iam.PermissionsBoundary.of(stack).apply(BOUNDARY_ARN)


def test_a_role_names_the_services_it_trusts() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    assert _role(stack).trusted_services == ["lambda.amazonaws.com"]
    assert iam.Role(stack, "Other", assumed_by=iam.AccountRootPrincipal()).trusted_services == []


def test_the_bootstrap_boundary_names_the_policy_iac_bootstrap_makes(app, stack, template_of):
    from iac.deploy.bootstrap import BOUNDARY_ARN_TEMPLATE

    iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
    iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    (role,) = [r for r in template_of(app)["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert role["Properties"]["PermissionsBoundary"] == {"Fn::Sub": BOUNDARY_ARN_TEMPLATE}
