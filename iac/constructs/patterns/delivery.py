"""DeliveryPipeline: release a stack of this app through staging and production, as the seed does.

    api = Stack(app, "ServerlessApi")            # ... the stack to deliver, defined in this app
    DeliveryPipeline(Stack(app, "Delivery"), "Pipeline", stack=api,
                     source=codepipeline.GitHubSource(repository="octo/api", connection_arn=arn))

The stages (the seed's slides 27-33 and 56-58): Source -> Build -> Test -> Staging -> Approval ->
Production.

- Build runs `iac synth --strict` on the app in CodeBuild, publishes the file assets the templates
  name (function code) to the asset bucket `iac bootstrap` made, and hands the whole cloud assembly
  on as the artifact `Assembly`: the templates deployed are the ones this build validated.
- Test runs the app's tests on the same source (`python -m pytest` by default, its JUnit report
  shown in CodeBuild).
- Staging and Production each prepare a change set of `<Stack>.template.json` from the assembly,
  then execute it; Approval waits for a person in between, who can review the production change
  set's effect on staging first. Each environment is a stack of its own name (`Staging-<name>` and
  `<name>` by default: neither name begins with the other, so the roles scoped to one cannot touch
  the other's identities).
- CloudFormation deploys each environment with a role derived from the stack's resource types (see
  `codepipeline.CreateReplaceChangeSet`), scoped to that environment's resources; every role of the
  delivered stack gets the pipeline's permissions boundary, so a push to the source cannot make a
  role that escapes it. Capabilities follow from the stack too.
- The build's shell gets every value iac puts into a command quoted (the app path is refused if
  it holds a line break); install and test commands are the user's shell, as written.
- The source starts the pipeline when it changes; `schedule=` (e.g. "cron(0 3 * * ? *)") adds a
  nightly release.

The parts: `.pipeline`, `.build_project`, `.test_project`, `.assembly` (the build's artifact),
`.source_output`, `.staging` / `.production` (the change-set actions). Stability contract:
`<id>/Pipeline` (with its stages Source, Build, Test, Staging, Approval, Production), `<id>/Build`,
`<id>/Test`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import Annotated, Any

from iac.constructs import codebuild, codepipeline, iam
from iac.constructs.core import Aws, Construct, Fn, Stack, Token
from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.constructs.core.props import Check
from iac.errors import ConstructError

ASSEMBLY_DIR = "iac.out"
ASSET_UPLOAD_ACTIONS = ("s3:AbortMultipartUpload", "s3:PutObject")


def _commands(value: Sequence[str]) -> str | None:
    if not value or not all(value):
        return f"must be a non-empty list of shell commands, got {list(value)!r}"
    return None


def _app_path(value: str) -> str | None:
    """The app file goes into the build's shell command and into `iac synth --app`: quoting keeps it one
    argument, but a line break would still end the buildspec's command and a leading '-' would read as an
    option, so both are refused here, where the user wrote them."""
    if not value:
        return "must be the app file (or module:attribute), relative to the repository root, got ''"
    if "\x00" in value:
        return f"{value!r} holds a NUL character; give the app file's path"
    if "\n" in value or "\r" in value:
        return f"{value!r} must be one line: a line break would end the build's shell command"
    if value.startswith("/"):
        return (f"{value!r} must be relative to the repository root (the build checks the source out in a folder "
                "of its own)")
    if value.startswith("-"):
        return f"{value!r} must not begin with '-' (iac would read it as an option)"
    return None


def _python_version(value: str) -> str | None:
    """CodeBuild's runtime-versions name Python 3 releases as "3.<minor>"."""
    return None if re.fullmatch(r"3\.\d+", value) else f"{value!r} is not a Python 3 version such as '3.12'"


def _shell_command(*words: str) -> str:
    """A command line in which every word reaches the program as exactly one argument, whatever it holds:
    the buildspec's commands run in a shell, and the words come from the user's props."""
    return " ".join(shlex.quote(word) for word in words)


class DeliveryPipeline(Construct):
    """Source -> Build -> Test -> Staging -> Approval -> Production for a stack of this app (see the
    module docstring for what each stage does).

    Args:
        stack: the iac Stack to deliver, another stack of this app.
        source: the pipeline's source action: a codepipeline.GitHubSource, CodeCommitSource,
            S3Source or EcrSource.
        app: the app file (or module:attribute), relative to the repository root: "app.py".
        install_commands: the build's install phase; the requirements must include iac.
        test_commands: the Test stage's commands (pytest, writing a JUnit report, by default).
        junit_report: the JUnit report the tests write, shown in CodeBuild; None for no report.
        python_version: the Python the builds run ("3.12").
        staging_stack_name: the staging stack's name ("Staging-<stack name>").
        production_stack_name: the production stack's name (the stack's own name).
        approval_topic_arn: an SNS topic told that a release waits for approval.
        schedule: an EventBridge expression that also starts the pipeline, e.g. "cron(0 3 * * ? *)".
        pipeline_name: the pipeline's name; CloudFormation generates one when omitted.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stack: Stack,
        source: codepipeline.SourceAction,
        app: Annotated[str, Check(_app_path)] = "app.py",
        install_commands: Annotated[Sequence[str], Check(_commands)] = ("pip install -r requirements.txt",),
        test_commands: Annotated[Sequence[str], Check(_commands)] = (
            "python -m pytest -q --junitxml=reports/junit.xml",),
        junit_report: str | None = "reports/junit.xml",
        python_version: Annotated[str, Check(_python_version)] = "3.12",
        staging_stack_name: Annotated[str | None, Check(codepipeline.stack_name_problem)] = None,
        production_stack_name: Annotated[str | None, Check(codepipeline.stack_name_problem)] = None,
        approval_topic_arn: str | Token | None = None,
        schedule: str | None = None,
        pipeline_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.app = app
        self.install_commands = list(install_commands)
        self.test_commands = list(test_commands)
        self.junit_report = junit_report
        self.python_version = python_version
        self.target = self._target_stack(stack)
        self.staging_name: str = staging_stack_name or f"Staging-{stack.stack_name}"
        self.production_name: str = production_stack_name or stack.stack_name
        self._check_stack_names()
        self.source_output = source.output
        self.assembly = codepipeline.Artifact("Assembly")
        self.build_project = self._build_project()
        self.test_project = self._test_project()
        self.pipeline = codepipeline.Pipeline(self, "Pipeline", schedule=schedule, pipeline_name=pipeline_name)
        self.pipeline.add_stage("Source", [source])
        self.pipeline.add_stage("Build", [codepipeline.CodeBuildAction(
            name="Synth", project=self.build_project, input=self.source_output, outputs=[self.assembly])])
        self.pipeline.add_stage("Test", [codepipeline.CodeBuildAction(
            name="UnitTests", project=self.test_project, input=self.source_output, test=True)])
        self.staging = self._deploy_stage("Staging", self.staging_name)
        self.pipeline.add_stage("Approval", [codepipeline.ManualApproval(
            comment=f"Staging ({self.staging_name}) is updated; approve to release to {self.production_name}.",
            notification_topic_arn=approval_topic_arn)])
        self.production = self._deploy_stage("Production", self.production_name)

    def _check_stack_names(self) -> None:
        if self.staging_name == self.production_name:
            raise self._error(f"staging and production would both be stack {self.staging_name!r}; give them "
                              "different names")
        for one, other in ((self.staging_name, self.production_name), (self.production_name, self.staging_name)):
            if one.startswith(other + "-"):
                # each stage's deploy role manages IAM names "<its stack>-*": a prefix would reach the other
                raise self._error(f"stack {one!r} starts with {other!r}-, so {other!r}'s deployment role could "
                                  f"change {one!r}'s IAM roles; pick names that do not prefix each other")

    def _target_stack(self, target: Stack) -> Stack:
        """The stack must be another stack of this app: its template comes out of this app's synth."""
        if target.root is not self.root:
            raise self._error(f"stack {target.path} belongs to another app; DeliveryPipeline delivers a stack "
                              "that the same app synthesizes")
        if target is self.stack:
            raise self._error(f"stack {target.path} holds this pipeline; deliver another stack of the app",
                              hint="put the pipeline in a stack of its own, e.g. Stack(app, 'Delivery')")
        return target

    @property
    def template_file(self) -> str:
        """The target's template in the cloud assembly the build writes."""
        return f"{self.target.artifact_id}.template.json"

    def _install_phase(self) -> dict[str, Any]:
        return {"runtime-versions": {"python": self.python_version}, "commands": self.install_commands}

    def _build_project(self) -> codebuild.PipelineProject:
        """`iac synth --strict`, then the file assets to the asset bucket; the assembly is the output."""
        has_assets = any(getattr(node, "is_asset", False) for node in self.target.walk())
        # ASSEMBLY_DIR is this module's constant of plain letters; the file names are the assembly's own
        publish = [f'for f in {ASSEMBLY_DIR}/asset.*.zip; do [ -e "$f" ] || continue; '
                   f'aws s3 cp "$f" "s3://$ASSET_BUCKET/${{f#{ASSEMBLY_DIR}/asset.}}"; done'] if has_assets else []
        project = codebuild.PipelineProject(
            self, "Build", description=f"synthesize {self.app} and publish its assets",
            environment_variables={"ASSET_BUCKET": Fn.sub(ASSET_BUCKET_TEMPLATE)} if has_assets else None,
            build_spec={
                "phases": {
                    "install": self._install_phase(),
                    "build": {"commands": [
                        _shell_command("iac", "synth", "--app", self.app, "--out", ASSEMBLY_DIR, "--format",
                                       "json", "--strict"), *publish]},
                },
                "artifacts": {"base-directory": ASSEMBLY_DIR, "files": ["**/*"]},
            })
        if has_assets:
            # bucket names are global: a bucket of this name in another account must not receive the code
            objects = Fn.sub(f"arn:{Aws.PARTITION}:s3:::{ASSET_BUCKET_TEMPLATE}/*")
            project.role.add_to_policy(iam.PolicyStatement(
                actions=list(ASSET_UPLOAD_ACTIONS), resources=[objects],
                conditions={"StringEquals": {"aws:ResourceAccount": Aws.ACCOUNT_ID}}))
        return project

    def _test_project(self) -> codebuild.PipelineProject:
        spec: dict[str, Any] = {"phases": {"install": self._install_phase(),
                                           "build": {"commands": self.test_commands}}}
        if self.junit_report:
            spec["reports"] = {"tests": {"files": [self.junit_report], "file-format": "JUNITXML"}}
        return codebuild.PipelineProject(self, "Test", description=f"test {self.app}", build_spec=spec)

    def _deploy_stage(self, stage: str, stack_name: str) -> codepipeline.CreateReplaceChangeSet:
        """Prepare a change set of the target's template under `stack_name`, then execute it."""
        prepare = codepipeline.CreateReplaceChangeSet(stack=self.target, stack_name=stack_name,
                                                      template_path=self.assembly.at_path(self.template_file))
        self.pipeline.add_stage(stage, [prepare, codepipeline.ExecuteChangeSet(stack_name=stack_name)])
        return prepare

    @property
    def deployment_roles(self) -> list[iam.Role]:
        """The roles CloudFormation deploys staging and production with (add statements for what the
        schemas do not tell, e.g. a KMS key the stack's resources use)."""
        roles = []
        for stage in ("Staging", "Production"):
            scope = self.pipeline.find_child(stage).find_child("PrepareChanges")  # type: ignore[union-attr]
            roles.append(scope.find_child("DeploymentRole").role)  # type: ignore[union-attr]
        return roles

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        return ConstructError(message, path=self.path, location=self.location, hint=hint)


__all__ = ["DeliveryPipeline"]
