"""CodeBuild actions: a build or test that runs a codebuild.PipelineProject."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from iac.constructs import codebuild, iam
from iac.constructs.codepipeline.actions import RUN_ORDER, Action, ActionScope, checked_arguments, name_problem
from iac.constructs.codepipeline.artifacts import Artifact
from iac.constructs.core import Token
from iac.constructs.core.props import Check

CODEBUILD_ACTIONS = ("codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild")


# -- builds and tests -----------------------------------------------------------------------------------

class CodeBuildAction(Action):
    """Run a `codebuild.PipelineProject` on `input` (plus `extra_inputs`), producing `outputs`.

    The action's role may start and watch this project's builds only; the project's role may read
    the artifact bucket when the action has inputs and write it when it has outputs.

    Args:
        project: the codebuild.PipelineProject to run.
        input: the artifact the build works on (its primary source).
        name: the action's name ("Build").
        extra_inputs: more artifacts, in the build's secondary source directories.
        outputs: the artifacts the build hands back (its buildspec needs an 'artifacts' section).
        test: a Test action (same project kind, shown as a test in the console) instead of a Build.
        environment_variables: name -> text for this action's builds (secrets belong on the project).
        run_order: when the action runs in its stage.
    """

    provider = "CodeBuild"

    @checked_arguments
    def __init__(self, *, project: codebuild.PipelineProject, input: Artifact,
                 name: Annotated[str, Check(name_problem)] = "Build", extra_inputs: Sequence[Artifact] = (),
                 outputs: Sequence[Artifact] = (), test: bool = False,
                 environment_variables: Mapping[str, str | Token] | None = None,
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        self.project = project
        self.input = input
        self.extra_inputs = tuple(extra_inputs)
        self._outputs = tuple(outputs)
        self.test = test
        self.category = "Test" if test else "Build"
        self.environment_variables = dict(environment_variables or {})
        spec = project.build_spec
        if self._outputs and isinstance(spec, dict) and "artifacts" not in spec:
            raise self._refuse(f"the action declares outputs, but the buildspec of project {project.path} has no "
                               "'artifacts' section, so the build would hand nothing back")

    @property
    def inputs(self) -> list[Artifact]:
        return [self.input, *self.extra_inputs]

    @property
    def outputs(self) -> list[Artifact]:
        return list(self._outputs)

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        scope.role().add_to_policy(iam.PolicyStatement(actions=list(CODEBUILD_ACTIONS),
                                                       resources=[self.project.project_arn]))
        bucket = scope.pipeline.artifact_bucket
        bucket.grant_read(self.project)
        if self._outputs:
            bucket.grant_write(self.project)
        configuration: dict[str, Any] = {"ProjectName": self.project.project_name}
        if self.extra_inputs:
            configuration["PrimarySource"] = self.input.name
        if self.environment_variables:
            configuration["EnvironmentVariables"] = json.dumps([
                {"name": name, "value": str(value), "type": "PLAINTEXT"}
                for name, value in self.environment_variables.items()])
        return configuration
