"""codebuild: projects with a buildspec written as a dict, their environment, and a role that may touch
only what the project names (its logs, its report groups, its parameters and secrets, its S3 keys)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
import yaml

from iac import App, ConstructError, Duration, Stack
from iac.constructs import codebuild, iam, s3
from iac.specs import property_enum, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template

SPEC = {"phases": {"build": {"commands": ["npm ci", "npm test"]}}}


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


def _resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def _project(app: App, project: codebuild.Project) -> dict[str, Any]:
    return _resources(app)[project.resource.logical_id]


def _statements(app: App, project: codebuild.Project) -> list[dict[str, Any]]:
    return _resources(app)[project.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def _actions(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


# -- buildspec ----------------------------------------------------------------------------------

def test_the_buildspec_dict_is_rendered_as_readable_yaml():
    text = codebuild.render_build_spec({
        "phases": {
            "install": {"commands": ["pip install --upgrade awscli aws-sam-cli"]},
            "build": {"commands": ["sam build",
                                   "sam package --s3-bucket $BUCKET --output-template-file packaged.yaml"]},
        },
        "artifacts": {"type": "zip", "files": ["packaged.yaml"]},
    })

    assert text == (
        "version: '0.2'\n"
        "phases:\n"
        "  install:\n"
        "    commands:\n"
        "      - pip install --upgrade awscli aws-sam-cli\n"
        "  build:\n"
        "    commands:\n"
        "      - sam build\n"
        "      - sam package --s3-bucket $BUCKET --output-template-file packaged.yaml\n"
        "artifacts:\n"
        "  type: zip\n"
        "  files:\n"
        "    - packaged.yaml\n"
    )


def test_multi_line_commands_are_literal_blocks_and_long_lines_are_not_folded():
    long_command = "docker build -t $IMAGE_REPO_NAME:$IMAGE_TAG" + " --build-arg X=1" * 20
    spec = {"phases": {"build": {"commands": ["aws cloudformation package\n  --template-file template.yaml",
                                              long_command]}}}

    text = codebuild.render_build_spec(spec)

    assert "- |-\n        aws cloudformation package\n          --template-file template.yaml\n" in text
    assert f"      - {long_command}\n" in text
    assert yaml.safe_load(text)["phases"]["build"]["commands"][1] == long_command


def test_the_project_carries_the_rendered_buildspec(app, stack):
    project = codebuild.Project(stack, "Build", build_spec=SPEC)

    source = _project(app, project)["Properties"]["Source"]
    assert source["Type"] == "NO_SOURCE"
    assert yaml.safe_load(source["BuildSpec"]) == {"version": "0.2", **SPEC}


def test_each_report_gets_a_report_group_of_its_own(app, stack):
    project = codebuild.PipelineProject(stack, "Test", build_spec={
        **SPEC,
        "reports": {"unit": {"files": ["junit.xml"], "base-directory": "reports"},
                    "coverage": {"files": ["cobertura.xml"], "file-format": "COBERTURAXML"}},
    })

    resources = _resources(app)
    unit, coverage = project.report_groups["unit"], project.report_groups["coverage"]
    assert resources[unit.logical_id]["Properties"] == {
        "Type": "TEST", "ExportConfig": {"ExportConfigType": "NO_EXPORT"}, "DeleteReports": True}
    assert resources[coverage.logical_id]["Properties"]["Type"] == "CODE_COVERAGE"
    # The buildspec names the groups by ARN, so CodeBuild fills these and creates none.
    parts = resources[project.resource.logical_id]["Properties"]["Source"]["BuildSpec"]["Fn::Join"][1]
    assert {"Fn::GetAtt": [unit.logical_id, "Arn"]} in parts
    assert {"Fn::GetAtt": [coverage.logical_id, "Arn"]} in parts


def test_the_role_may_fill_only_its_own_report_groups(app, stack):
    project = codebuild.PipelineProject(stack, "Test", build_spec={
        **SPEC, "reports": {"unit": {"files": ["junit.xml"]}}})

    (reports,) = [s for s in _statements(app, project) if "codebuild:CreateReport" in _actions(s)]
    assert sorted(_actions(reports)) == ["codebuild:BatchPutCodeCoverages", "codebuild:BatchPutTestCases",
                                         "codebuild:CreateReport", "codebuild:UpdateReport"]
    assert reports["Resource"] == {"Fn::GetAtt": [project.report_groups["unit"].logical_id, "Arn"]}


@pytest.mark.parametrize("spec, message", [
    ({"phase": {"build": {"commands": ["make"]}}}, "a buildspec has no 'phase' \\(did you mean 'phases'\\?\\)"),
    ({"phases": {"prebuild": {"commands": ["make"]}}}, "did you mean 'pre_build'"),
    ({"phases": {"build": {"commands": "make"}}}, "phases.build.commands must be a non-empty list of strings"),
    ({"phases": {}}, "phases must be a dict with at least one of"),
    ({**SPEC, "version": "0.3"}, "version must be 0.2"),
    ({**SPEC, "env": {"secrets": {}}}, "env has no 'secrets'"),
    ({**SPEC, "reports": {"unit": {"files": ["a.xml"], "file-format": "XUNIT"}}}, "file-format 'XUNIT'"),
    ({**SPEC, "artifacts": {"file": ["a"]}}, "artifacts must be a dict with 'files'"),
])
def test_buildspec_mistakes_point_at_the_project_line(stack, spec, message):
    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        codebuild.PipelineProject(stack, "Build", build_spec=spec)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_a_buildspec_file_name_is_passed_through(app, stack):
    project = codebuild.PipelineProject(stack, "Build", build_spec="ci/buildspec.yml")

    assert _project(app, project)["Properties"]["Source"] == {"Type": "CODEPIPELINE", "BuildSpec": "ci/buildspec.yml"}


# -- environment ------------------------------------------------------------------------------------

def test_defaults_a_current_standard_image_on_a_small_linux_container(app, stack):
    project = codebuild.Project(stack, "Build", build_spec=SPEC)

    assert _project(app, project)["Properties"]["Environment"] == {
        "Type": "LINUX_CONTAINER", "Image": "aws/codebuild/standard:7.0", "ComputeType": "BUILD_GENERAL1_SMALL"}


def test_privileged_mode_for_docker_builds(app, stack):
    project = codebuild.Project(stack, "Image", build_spec=SPEC, privileged=True, compute_type="BUILD_GENERAL1_LARGE")

    environment = _project(app, project)["Properties"]["Environment"]
    assert (environment["PrivilegedMode"], environment["ComputeType"]) == (True, "BUILD_GENERAL1_LARGE")


@pytest.mark.parametrize("props, message", [
    ({"compute_type": "BUILD_GENERAL1_HUGE"}, "compute_type: 'BUILD_GENERAL1_HUGE' is not a CodeBuild compute type"),
    ({"compute_type": "BUILD_LAMBDA_1GB"}, "needs environment_type LINUX_LAMBDA_CONTAINER"),
    ({"environment_type": "LINUX_LAMBDA_CONTAINER", "build_image": "x"}, "needs a Lambda compute_type"),
    ({"environment_type": "WINDOWS_SERVER_2022_CONTAINER", "privileged": True}, "privileged"),
    ({"environment_type": "MAINFRAME"}, "environment_type must be 'LINUX_CONTAINER' | .*, got str 'MAINFRAME'"),
    ({"timeout_minutes": 3}, "timeout_minutes: 3 is less than the minimum of 5"),
    ({"timeout_minutes": Duration.seconds(90)}, "90 seconds is not a whole number of minutes"),
    ({"log_retention_days": 10}, r"log_retention_days: 10 is not one of .*\(nearest: 7\)"),
    ({"project_name": "-build"}, "project_name: '-build' is not a CodeBuild project name"),
    ({"build_image": ""}, "build_image: must not be empty"),
    ({"environment_variables": {"CODEBUILD_X": "1"}}, "CodeBuild's own"),
    ({"environment_variables": {"COUNT": 3}}, "must be a string"),
    ({"environment_variables": {"TOKEN": codebuild.EnvironmentVariable.parameter_store("")}},
     "PARAMETER_STORE variable needs"),
])
def test_bad_environment_settings_point_at_the_project_line(stack, props, message):
    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        codebuild.Project(stack, "Build", build_spec=SPEC, **props)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_a_misspelt_prop_is_named_with_the_closest_real_one_at_the_users_line(stack):
    with pytest.raises(ConstructError, match="has no argument 'timout_minutes'") as caught:
        line = _next_line()
        codebuild.PipelineProject(stack, "Build", timout_minutes=30)

    assert caught.value.hint == "did you mean timeout_minutes?"
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


@pytest.mark.parametrize("prop, cfn_property", [("timeout_minutes", "TimeoutInMinutes"),
                                                ("queued_timeout_minutes", "QueuedTimeoutInMinutes")])
def test_timeouts_are_limited_by_the_registry_schema(app, stack, prop, cfn_property):
    low, high = property_range("AWS::CodeBuild::Project", cfn_property)
    assert low is not None and high is not None

    longest = codebuild.PipelineProject(stack, "Longest", **{prop: int(high)})
    with pytest.raises(ConstructError, match=f"{prop}: {int(high) + 1} is greater than the maximum of {int(high)}"):
        codebuild.PipelineProject(stack, "TooLong", **{prop: int(high) + 1})
    with pytest.raises(ConstructError, match=f"{prop}: {int(low) - 1} is less than the minimum of {int(low)}"):
        codebuild.PipelineProject(stack, "TooShort", **{prop: int(low) - 1})
    assert _project(app, longest)["Properties"][cfn_property] == int(high)


def test_timeouts_take_a_duration_in_whole_minutes(app, stack):
    project = codebuild.PipelineProject(stack, "Build", timeout_minutes=Duration.hours(2),
                                        queued_timeout_minutes=Duration.minutes(30),
                                        log_retention_days=Duration.days(7))

    properties = _project(app, project)["Properties"]
    assert (properties["TimeoutInMinutes"], properties["QueuedTimeoutInMinutes"]) == (120, 30)
    assert _resources(app)[project.log_group.resource.logical_id]["Properties"]["RetentionInDays"] == 7


def test_the_instance_compute_types_are_the_registry_schemas(stack):
    listed = [value for value in property_enum("AWS::CodeBuild::Fleet", "ComputeType")
              if value.startswith("BUILD_GENERAL1_")]

    assert listed and codebuild.compute_types() == (*listed, *codebuild.LAMBDA_COMPUTE)
    for compute_type in listed:
        codebuild.PipelineProject(stack, compute_type.replace("_", ""), compute_type=compute_type)


def test_environment_variables_of_each_type(app, stack):
    project = codebuild.Project(stack, "Build", build_spec=SPEC, environment_variables={
        "STAGE": "prod",
        "NPM_TOKEN": codebuild.EnvironmentVariable.parameter_store("/ci/npm-token"),
        "DB_PASSWORD": codebuild.EnvironmentVariable.secrets_manager("prod/db:password"),
    })

    assert _project(app, project)["Properties"]["Environment"]["EnvironmentVariables"] == [
        {"Name": "STAGE", "Type": "PLAINTEXT", "Value": "prod"},
        {"Name": "NPM_TOKEN", "Type": "PARAMETER_STORE", "Value": "/ci/npm-token"},
        {"Name": "DB_PASSWORD", "Type": "SECRETS_MANAGER", "Value": "prod/db:password"},
    ]


def test_the_role_may_read_exactly_the_parameters_and_secrets_named(app, stack):
    project = codebuild.Project(stack, "Build", environment_variables={
        "NPM_TOKEN": codebuild.EnvironmentVariable.parameter_store("/ci/npm-token"),
        "DB_PASSWORD": codebuild.EnvironmentVariable.secrets_manager("prod/db:password"),
    }, build_spec={**SPEC, "env": {
        "secrets-manager": {"GH": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf:token"}}})

    statements = {_actions(s)[0]: s["Resource"] for s in _statements(app, project)}
    assert statements["ssm:GetParameters"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ci/npm-token"}
    assert statements["secretsmanager:GetSecretValue"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-??????"},
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf",
    ]


# -- logs, role, sources -------------------------------------------------------------------------------

def test_logs_go_to_a_log_group_of_its_own_and_the_role_may_write_only_there(app, stack):
    project = codebuild.Project(stack, "Build", build_spec=SPEC, log_retention_days=30)

    resources = _resources(app)
    group_id = project.log_group.resource.logical_id
    assert resources[project.resource.logical_id]["Properties"]["LogsConfig"] == {
        "CloudWatchLogs": {"Status": "ENABLED", "GroupName": {"Ref": group_id}}}
    assert resources[group_id]["Properties"]["RetentionInDays"] == 30
    (logs_statement,) = _statements(app, project)
    assert logs_statement["Resource"] == {"Fn::GetAtt": [group_id, "Arn"]}
    assert sorted(_actions(logs_statement)) == ["logs:CreateLogStream", "logs:PutLogEvents"]


def test_the_role_is_codebuilds_and_the_project_waits_for_its_policy(app, stack):
    project = codebuild.Project(stack, "Build", build_spec=SPEC)

    resources = _resources(app)
    trust = resources[project.role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert resources[project.resource.logical_id]["DependsOn"] == [project.role.default_policy.logical_id]


def test_a_pipeline_project_takes_source_and_artifacts_from_the_pipeline(app, stack):
    project = codebuild.PipelineProject(stack, "Build")

    props = _project(app, project)["Properties"]
    assert (props["Source"], props["Artifacts"]) == ({"Type": "CODEPIPELINE"}, {"Type": "CODEPIPELINE"})
    assert isinstance(project.grant_principal, iam.Role)


def test_a_pipeline_project_has_no_source_of_its_own(stack):
    with pytest.raises(ConstructError, match="source"):
        codebuild.PipelineProject(stack, "Build", source=codebuild.Source.github("octo", "app"))


def test_a_project_without_source_needs_a_buildspec(stack):
    with pytest.raises(ConstructError, match="needs its buildspec"):
        codebuild.Project(stack, "Build")


def test_s3_source_and_artifacts_are_read_and_written_at_their_keys_only(app, stack):
    bucket = s3.Bucket(stack, "Builds")
    project = codebuild.Project(stack, "Build", build_spec={**SPEC, "artifacts": {"files": ["**/*"]}},
                                source=codebuild.Source.s3(bucket, "src/app.zip"),
                                artifacts=codebuild.Artifacts.s3(bucket, path="out", name="app.zip"))

    resources = _resources(app)
    props = resources[project.resource.logical_id]["Properties"]
    bucket_ref, bucket_arn = {"Ref": bucket.resource.logical_id}, {"Fn::GetAtt": [bucket.resource.logical_id, "Arn"]}
    assert props["Source"]["Type"] == "S3"
    assert props["Source"]["Location"] == {"Fn::Join": ["", [bucket_ref, "/src/app.zip"]]}
    assert props["Artifacts"] == {"Type": "S3", "Location": bucket_ref, "Path": "out", "Name": "app.zip",
                                  "Packaging": "ZIP"}
    resources_named = [r for s in _statements(app, project) for r in
                       (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert {"Fn::Join": ["", [bucket_arn, "/src/app.zip"]]} in resources_named
    assert {"Fn::Join": ["", [bucket_arn, "/out/app.zip*"]]} in resources_named


def test_codecommit_source_may_only_pull_its_repository(app, stack):
    project = codebuild.Project(stack, "Build", source=codebuild.Source.code_commit("shop", branch="main"))

    props = _project(app, project)["Properties"]
    assert props["SourceVersion"] == "refs/heads/main"
    (pull,) = [s for s in _statements(app, project) if _actions(s) == ["codecommit:GitPull"]]
    assert pull["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:codecommit:${AWS::Region}:${AWS::AccountId}:shop"}


def test_bad_source_arguments_point_at_their_line():
    with pytest.raises(ConstructError, match="Source.github takes the owner") as caught:
        line = _next_line()
        codebuild.Source.github("octo/app", "")

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_projects_pass_cfn_lint_without_findings():
    app = App()
    stack = Stack(app, "Main")
    bucket = s3.Bucket(stack, "Builds")
    codebuild.PipelineProject(stack, "Build", privileged=True, environment_variables={
        "STAGE": "prod", "TOKEN": codebuild.EnvironmentVariable.parameter_store("/ci/token"),
        "DB": codebuild.EnvironmentVariable.secrets_manager("prod/db")}, build_spec={
        **SPEC, "reports": {"unit": {"files": ["junit.xml"]}}, "artifacts": {"files": ["packaged.yaml"]}})
    codebuild.Project(stack, "Nightly", source=codebuild.Source.s3(bucket, "src.zip"),
                      artifacts=codebuild.Artifacts.s3(bucket, path="nightly"), build_spec=SPEC, timeout_minutes=30)
    codebuild.Project(stack, "FromGitHub", source=codebuild.Source.github("octo", "app", branch="main"))

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


def test_an_s3_source_folder_is_read_below_its_prefix(app, stack):
    bucket = s3.Bucket(stack, "Builds")
    project = codebuild.Project(stack, "Build", build_spec=SPEC, source=codebuild.Source.s3(bucket, "src/"))
    bucket_arn = {"Fn::GetAtt": [bucket.resource.logical_id, "Arn"]}
    resources_named = [r for s in _statements(app, project) for r in
                       (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert {"Fn::Join": ["", [bucket_arn, "/src/*"]]} in resources_named
    assert {"Fn::Join": ["", [bucket_arn, "/src/"]]} not in resources_named
