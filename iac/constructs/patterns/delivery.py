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

import shlex
from typing import Any

import attrs

from iac.constructs import codebuild, codepipeline, iam
from iac.constructs.core import Aws, Construct, Fn, Stack
from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.errors import ConstructError

ASSEMBLY_DIR = "iac.out"
ASSET_UPLOAD_ACTIONS = ("s3:AbortMultipartUpload", "s3:PutObject")


def _check_stack(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, Stack):
        raise TypeError(f"stack must be the iac Stack to deliver (a Stack of this app), got {type(value).__name__}")


def _check_source(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, codepipeline.SourceAction):
        raise TypeError(f"unknown source type {type(value).__name__}: the source must be codepipeline.GitHubSource, "
                        "CodeCommitSource, S3Source or EcrSource")


def _commands(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
        raise TypeError(f"{attribute.name} must be a non-empty list of shell commands, got {value!r}")


def _app_path(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """The app file goes into the build's shell command and into `iac synth --app`: quoting keeps it one
    argument, but a line break would still end the buildspec's command and a leading '-' would read as an
    option, so both are refused here, where the user wrote them."""
    if not isinstance(value, str) or not value:
        raise TypeError(f"app must be the app file (or module:attribute), relative to the repository root, got "
                        f"{value!r}")
    if "\x00" in value:
        raise ValueError(f"app {value!r} holds a NUL character; give the app file's path")
    if "\n" in value or "\r" in value:
        raise ValueError(f"app {value!r} must be one line: a line break would end the build's shell command")
    if value.startswith("/"):
        raise ValueError(f"app {value!r} must be relative to the repository root (the build checks the source "
                         "out in a folder of its own)")
    if value.startswith("-"):
        raise ValueError(f"app {value!r} must not begin with '-' (iac would read it as an option)")


def _optional_stack_name(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    codepipeline._check_stack_name(instance, attribute, value)


@attrs.define(kw_only=True)
class DeliveryPipelineProps:
    stack: Stack = attrs.field(validator=_check_stack)
    source: codepipeline.SourceAction = attrs.field(validator=_check_source)
    app: str = attrs.field(default="app.py", validator=_app_path)
    install_commands: list[str] = attrs.field(factory=lambda: ["pip install -r requirements.txt"],
                                              converter=list, validator=_commands)
    test_commands: list[str] = attrs.field(factory=lambda: ["python -m pytest -q --junitxml=reports/junit.xml"],
                                           converter=list, validator=_commands)
    junit_report: str | None = attrs.field(default="reports/junit.xml", validator=attrs.validators.optional(
        attrs.validators.instance_of(str)))
    python_version: str = attrs.field(default="3.12", validator=attrs.validators.matches_re(r"^3\.\d+$"))
    staging_stack_name: str | None = attrs.field(default=None, validator=_optional_stack_name)
    production_stack_name: str | None = attrs.field(default=None, validator=_optional_stack_name)
    approval_topic_arn: Any = None
    schedule: str | None = None
    pipeline_name: str | None = None

    @property
    def staging_name(self) -> str:
        return self.staging_stack_name or f"Staging-{self.stack.stack_name}"

    @property
    def production_name(self) -> str:
        return self.production_stack_name or self.stack.stack_name

    def __attrs_post_init__(self) -> None:
        if self.staging_name == self.production_name:
            raise ValueError(f"staging and production would both be stack {self.staging_name!r}; give them "
                             "different names")
        for one, other in ((self.staging_name, self.production_name), (self.production_name, self.staging_name)):
            if one.startswith(other + "-"):
                # each stage's deploy role manages IAM names "<its stack>-*": a prefix would reach the other
                raise ValueError(f"stack {one!r} starts with {other!r}-, so {other!r}'s deployment role could "
                                 f"change {one!r}'s IAM roles; pick names that do not prefix each other")


def _shell_command(*words: str) -> str:
    """A command line in which every word reaches the program as exactly one argument, whatever it holds:
    the buildspec's commands run in a shell, and the words come from the user's props."""
    return " ".join(shlex.quote(word) for word in words)


class DeliveryPipeline(Construct):
    """Source -> Build -> Test -> Staging -> Approval -> Production for a stack of this app (see the
    module docstring for what each stage does).

    Props: stack (the iac Stack to deliver; required), source (a codepipeline source action;
    required), app (the app file, relative to the repository root: "app.py"), install_commands
    (["pip install -r requirements.txt"]: the requirements must include iac), test_commands
    (pytest, writing a JUnit report), junit_report ("reports/junit.xml"; None for no report),
    python_version ("3.12"), staging_stack_name ("Staging-<stack name>"), production_stack_name
    (the stack's name), approval_topic_arn (an SNS topic told that a release waits), schedule (an
    EventBridge expression that also starts the pipeline), pipeline_name.
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: DeliveryPipelineProps = self._build_props(DeliveryPipelineProps, props)
        self.target = self._target_stack()
        self.source_output = self.props.source.output
        self.assembly = codepipeline.Artifact("Assembly")
        self.build_project = self._build_project()
        self.test_project = self._test_project()
        self.pipeline = codepipeline.Pipeline(self, "Pipeline", schedule=self.props.schedule,
                                              pipeline_name=self.props.pipeline_name)
        self.pipeline.add_stage("Source", [self.props.source])
        self.pipeline.add_stage("Build", [codepipeline.CodeBuildAction(
            name="Synth", project=self.build_project, input=self.source_output, outputs=[self.assembly])])
        self.pipeline.add_stage("Test", [codepipeline.CodeBuildAction(
            name="UnitTests", project=self.test_project, input=self.source_output, test=True)])
        self.staging = self._deploy_stage("Staging", self.props.staging_name)
        self.pipeline.add_stage("Approval", [codepipeline.ManualApproval(
            comment=f"Staging ({self.props.staging_name}) is updated; approve to release to "
                    f"{self.props.production_name}.", notification_topic_arn=self.props.approval_topic_arn)])
        self.production = self._deploy_stage("Production", self.props.production_name)

    def _target_stack(self) -> Stack:
        """The stack must be another stack of this app: its template comes out of this app's synth."""
        target = self.props.stack
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
        return {"runtime-versions": {"python": self.props.python_version}, "commands": self.props.install_commands}

    def _build_project(self) -> codebuild.PipelineProject:
        """`iac synth --strict`, then the file assets to the asset bucket; the assembly is the output."""
        has_assets = any(getattr(node, "is_asset", False) for node in self.target.walk())
        # ASSEMBLY_DIR is this module's constant of plain letters; the file names are the assembly's own
        publish = [f'for f in {ASSEMBLY_DIR}/asset.*.zip; do [ -e "$f" ] || continue; '
                   f'aws s3 cp "$f" "s3://$ASSET_BUCKET/${{f#{ASSEMBLY_DIR}/asset.}}"; done'] if has_assets else []
        project = codebuild.PipelineProject(
            self, "Build", description=f"synthesize {self.props.app} and publish its assets",
            environment_variables={"ASSET_BUCKET": Fn.sub(ASSET_BUCKET_TEMPLATE)} if has_assets else None,
            build_spec={
                "phases": {
                    "install": self._install_phase(),
                    "build": {"commands": [
                        _shell_command("iac", "synth", "--app", self.props.app, "--out", ASSEMBLY_DIR, "--format",
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
                                           "build": {"commands": self.props.test_commands}}}
        if self.props.junit_report:
            spec["reports"] = {"tests": {"files": [self.props.junit_report], "file-format": "JUNITXML"}}
        return codebuild.PipelineProject(self, "Test", description=f"test {self.props.app}", build_spec=spec)

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
