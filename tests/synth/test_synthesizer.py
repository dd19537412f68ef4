"""Synthesis end to end, in process: the issue's example, validation and the path metadata."""

from __future__ import annotations

import json
import os

import pytest

from iac import App, Aws, CfnResource, Construct, Output, Stack, ValidationError


def build_issue_example() -> App:
    """The example of issue 2, exactly as a user writes it."""
    app = App()
    net = Stack(app, "Network", description="shared network")
    q = CfnResource(net, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimeout": 60})
    t = CfnResource(net, "Topic", type="AWS::SNS::Topic",
                    properties={"DisplayName": f"alerts-{Aws.REGION}-{q.get_att('QueueName')}"})
    Output(net, "QueueUrl", value=q.ref)
    svc = Stack(app, "Service")
    CfnResource(svc, "Sub", type="AWS::SNS::Subscription",
                properties={"TopicArn": t.ref, "Protocol": "sqs", "Endpoint": q.get_att("Arn")})
    return app


@pytest.fixture(scope="module")
def issue_dir(tmp_path_factory):
    """Where the issue example was synthesized (once for this module: it runs cfn-lint)."""
    return tmp_path_factory.mktemp("issue")


@pytest.fixture(scope="module")
def issue_assembly(issue_dir):
    previous = os.getcwd()
    os.chdir(issue_dir)
    try:
        return build_issue_example().synth()
    finally:
        os.chdir(previous)


def test_the_issue_example_synthesizes_to_two_templates(issue_assembly, issue_dir):
    assert [artifact.name for artifact in issue_assembly.stacks] == ["Network", "Service"]
    assert issue_assembly.directory == str(issue_dir / "iac.out")
    assert sorted(p.name for p in (issue_dir / "iac.out").glob("*.template.json")) == [
        "Network.template.json", "Service.template.json",
    ]


def test_the_issue_example_network_template(issue_assembly):
    template = issue_assembly.template("Network")

    assert template["Description"] == "shared network"
    assert template["Resources"]["Queue"]["Properties"] == {"VisibilityTimeout": 60}
    assert template["Resources"]["Topic"]["Properties"]["DisplayName"] == {
        "Fn::Join": ["", ["alerts-", {"Ref": "AWS::Region"}, "-", {"Fn::GetAtt": ["Queue", "QueueName"]}]]
    }
    assert template["Outputs"]["QueueUrl"] == {"Value": {"Ref": "Queue"}}
    assert template["Outputs"]["ExportsOutputRefTopic"]["Export"] == {"Name": "Network:ExportsOutputRefTopic"}
    assert template["Outputs"]["ExportsOutputFnGetAttQueueArn"]["Export"] == {
        "Name": "Network:ExportsOutputFnGetAttQueueArn"
    }


def test_the_issue_example_service_template_imports_from_network(issue_assembly):
    subscription = issue_assembly.template("Service")["Resources"]["Sub"]

    assert subscription["Properties"] == {
        "TopicArn": {"Fn::ImportValue": "Network:ExportsOutputRefTopic"},
        "Protocol": "sqs",
        "Endpoint": {"Fn::ImportValue": "Network:ExportsOutputFnGetAttQueueArn"},
    }
    assert issue_assembly.stack("Service").dependencies == ("Network",)


def test_cfn_lint_reports_nothing_on_either_issue_template(issue_assembly, issue_dir, cfn_lint):
    for name in ("Network", "Service"):
        text = (issue_dir / "iac.out" / f"{name}.template.json").read_text()

        assert cfn_lint(text) == [], name


def test_cfn_lint_in_every_region_with_all_rules_finds_no_error_or_warning_in_the_issue_templates(issue_assembly):
    from cfnlint.api import lint_all

    for artifact in issue_assembly.stacks:
        findings = [m for m in lint_all(artifact.body) if m.rule.id[0] in "EW"]

        assert findings == [], artifact.name


def test_every_resource_records_its_construct_path_in_metadata(issue_assembly):
    network = issue_assembly.template("Network")["Resources"]

    assert network["Queue"]["Metadata"] == {"iac:path": "Network/Queue"}
    assert issue_assembly.template("Service")["Resources"]["Sub"]["Metadata"] == {"iac:path": "Service/Sub"}


def test_path_metadata_can_be_turned_off(assembly_of):
    app = App(path_metadata=False)
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")

    assert assembly_of(app).template("Main")["Resources"]["Queue"] == {"Type": "AWS::SQS::Queue"}


def test_path_metadata_joins_the_users_own_metadata(assembly_of):
    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue", metadata={"Owner": "core"})

    assert assembly_of(app).template("Main")["Resources"]["Queue"]["Metadata"] == {
        "Owner": "core", "iac:path": "Main/Queue",
    }


def test_the_template_written_matches_the_template_returned(issue_assembly, issue_dir):
    for artifact in issue_assembly.stacks:
        on_disk = json.loads((issue_dir / "iac.out" / artifact.template_file).read_text())

        assert on_disk == artifact.template


class _NeedsAQueue(Construct):
    """A user construct that can only judge itself once the tree is complete."""

    def __init__(self, scope, id):
        super().__init__(scope, id)
        self.queues = []

    def validate(self):
        return [] if self.queues else ["needs at least one queue", "and a name"]


def test_construct_validate_problems_are_reported_together_with_path_and_line(stack, app, assembly_of):
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    needy = _NeedsAQueue(stack, "Needy")

    with pytest.raises(ValidationError) as caught:
        assembly_of(app)

    problems = caught.value.problems
    assert [p.message for p in problems] == ["needs at least one queue", "and a name"]
    assert all(p.path == "Main/Needy" and p.location == needy.location for p in problems)


def test_properties_that_all_resolve_to_unset_leave_no_empty_block():
    from iac import App, CfnResource, Lazy, Stack
    from iac.synth import synthesize

    app = App(path_metadata=False)
    stack = Stack(app, "S")
    CfnResource(stack, "Group", type="AWS::Logs::LogGroup", properties={"RetentionInDays": Lazy(lambda: None)})
    assert synthesize(app).template("S")["Resources"]["Group"] == {"Type": "AWS::Logs::LogGroup"}
