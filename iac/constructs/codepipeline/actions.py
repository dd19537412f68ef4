"""Actions, the steps of a stage, and how their arguments are checked; the schema facts they use."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

from iac.constructs import iam
from iac.constructs.codepipeline.artifacts import Artifact
from iac.constructs.core import Construct, Token, is_token
from iac.constructs.core.props import Check, InitSpec, check_prop, init_spec, unknown_argument
from iac.constructs.core.source import SourceLocation, caller_location
from iac.errors import ConstructError

if TYPE_CHECKING:
    from iac.constructs.codepipeline.pipeline import Pipeline, Stage


RESOURCE_TYPE = "AWS::CodePipeline::Pipeline"


# -- facts from the registry schema -----------------------------------------------------------------

def name_problem(value: str | Token) -> str | None:
    """Why `value` cannot name an action, a stage or a pipeline, or None. The schema states the pattern for
    action names; CodePipeline documents the same one for stages and pipelines."""
    from iac.specs import property_pattern  # only when a pipeline is built

    pattern = property_pattern(RESOURCE_TYPE, "Stages", "Actions", "Name")
    if isinstance(value, Token) or is_token(value) or pattern is None or re.search(pattern, value):
        return None
    return f"{value!r} does not match {pattern}, the pattern of names in the {RESOURCE_TYPE} schema"


def categories() -> tuple[str, ...]:
    """The action categories CodePipeline knows (the schema's enum)."""
    from iac.specs import property_enum

    return property_enum(RESOURCE_TYPE, "Stages", "Actions", "ActionTypeId", "Category")


def minimum_stages() -> int:
    """How many stages a pipeline needs (the schema's minItems of Stages)."""
    from iac.specs import property_length

    return property_length(RESOURCE_TYPE, "Stages")[0] or 0


def capabilities() -> tuple[str, ...]:
    """The capabilities a change set may acknowledge (the registry's enum, kept with the StackSet schema)."""
    from iac.specs import property_enum

    return property_enum("AWS::CloudFormation::StackSet", "Capabilities")


# -- checking an action's arguments -------------------------------------------------------------------

_Init = TypeVar("_Init", bound=Callable[..., None])


def checked_arguments(init: _Init) -> _Init:
    """An action class's constructor, checked as a construct's is (iac.constructs.core.props): a misspelt
    argument gets "did you mean", a missing one is named, each value meets its annotation and `Check`s;
    the error is a ConstructError at the user's line. Actions are values, not constructs: no path."""

    @functools.wraps(init)
    def checked(self: Any, *args: Any, **kwargs: Any) -> None:
        owner = next(cls for cls in type(self).__mro__ if "__init__" in cls.__dict__)
        if owner.__dict__["__init__"] is checked:  # the class's own constructor: check once, here
            kwargs = _checked_kwargs(type(self).__name__, init_spec(owner, init), args, kwargs)
        init(self, *args, **kwargs)

    return cast(_Init, checked)


def _checked_kwargs(class_name: str, spec: InitSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    location = caller_location()
    if args:
        raise ConstructError(f"{class_name} takes keyword arguments only, e.g. name=...", location=location)
    unknown = unknown_argument(class_name, kwargs, spec.keyword_names)
    if unknown is not None:
        raise unknown
    missing = [name for name, prop in spec.props.items() if prop.required and name not in kwargs]
    if missing:
        raise ConstructError(f"{class_name} needs the argument{'s' if len(missing) > 1 else ''} "
                             + ", ".join(f"{name}=" for name in missing), location=location,
                             hint=_MISSING_HINTS.get(missing[0]))
    converted = dict(kwargs)
    for name, value in kwargs.items():
        prop = spec.props[name]
        if value is None and prop.default is None:
            continue
        try:
            converted[name] = check_prop(prop, value, spec.cfn_type)
        except (TypeError, ValueError) as error:
            raise ConstructError(f"{class_name}: {error}", location=location, hint=_type_hint(name, value)) from None
    return converted


_AT_PATH = "<artifact>.at_path({file!r}), naming the artifact the file comes from"
_MISSING_HINTS = {
    "template_path": "a change set is made from a template: pass template_path=<artifact>.at_path("
                     "'<Stack>.template.json'), the artifact of the action that built the template",
    "task_definition_template": "CodeDeploy deploys a task definition and an AppSpec: pass task_definition_template="
                                "<artifact>.at_path('taskdef.json') and app_spec_template=<artifact>.at_path("
                                "'appspec.yaml')",
    "app_spec_template": "CodeDeploy deploys a task definition and an AppSpec: pass app_spec_template="
                         "<artifact>.at_path('appspec.yaml')",
}


def _type_hint(name: str, value: Any) -> str | None:
    """How to write what the user meant, for the mistakes a type alone does not explain."""
    if name in ("template_path", "template_configuration", "task_definition_template", "app_spec_template") \
            and isinstance(value, str):
        return "write " + _AT_PATH.format(file=value.split("::")[-1])
    if name == "project":
        return ("a codebuild.PipelineProject takes its source from the pipeline and hands its artifacts back; a "
                "codebuild.Project has a source of its own")
    if name == "environment_variables":
        return ("an action's variables are plain text; secrets belong on the project, as "
                "codebuild.EnvironmentVariable.secrets_manager(...)")
    return None


def non_empty(value: str) -> str | None:
    """A `Check` rule: the text must not be empty."""
    return None if value else "must not be empty"


def between(low: int, high: int, unit: str) -> Check:
    """A `Check` for a limit CodePipeline documents but the schema does not state."""

    def rule(value: int) -> str | None:
        return None if low <= value <= high else f"must be {low}-{high} {unit}, got {value}"

    return Check(rule)


def matching(pattern: str, what: str) -> Check:
    """A `Check` that text (not a reference) matches `pattern`; the message says it is not `what`."""
    compiled = re.compile(pattern)

    def rule(value: str | Token) -> str | None:
        if isinstance(value, Token) or is_token(value) or compiled.match(value):
            return None
        return f"{value!r} is not {what}"

    return Check(rule)


# -- actions --------------------------------------------------------------------------------------------

#: CodePipeline's API: RunOrder is 1-999 (the schema says only "integer").
RUN_ORDER = between(1, 999, "(the order actions run in)")


class Action:
    """One step of a stage. Actions are values: a stage binds them, creating their roles.

    Subclasses name their type (category, owner, provider), their artifacts and configuration, and
    what their role needs. Arguments a subclass refuses raise a ConstructError at the user's line.

    Args:
        name: the action's name, unique in its stage.
        run_order: when the action runs in its stage (1-999; the same number: in parallel).
    """

    category: str
    provider: str
    owner: str = "AWS"
    version: str = "1"

    @checked_arguments
    def __init__(self, *, name: Annotated[str, Check(name_problem)],
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
        self.name = name
        self.run_order = run_order
        self.location: SourceLocation | None = caller_location()

    def _refuse(self, message: str) -> ConstructError:
        """An error about the action's arguments, at the line that created it."""
        return ConstructError(f"{type(self).__name__}: {message}", location=self.location)

    @property
    def inputs(self) -> list[Artifact]:
        return []

    @property
    def outputs(self) -> list[Artifact]:
        return []

    @property
    def timeout_in_minutes(self) -> int | None:
        """The declaration's TimeoutInMinutes (CodePipeline honours it for manual approvals only)."""
        return None

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        """The action's Configuration; grants what it needs to `scope.role()` and others."""
        raise NotImplementedError


class ActionScope(Construct):
    """Where a bound action keeps what it creates (`<pipeline>/<stage>/<action>`): its role, a
    deployment role, a rule that starts the pipeline. Made by `Stage.add_action`.

    Args:
        stage: the stage the action is added to.
        action: the action being bound; its name is the scope's id.
    """

    def __init__(self, stage: Stage, action: Action) -> None:
        super().__init__(stage, action.name)
        self.pipeline: Pipeline = stage.pipeline
        self.action = action
        self._role: iam.Role | None = None

    @property
    def has_role(self) -> bool:
        return self._role is not None

    def role(self) -> iam.Role:
        """The action's own role, made on first use: the pipeline's role alone may assume it."""
        if self._role is None:
            self._role = iam.Role(self, "Role", assumed_by=iam.ArnPrincipal(self.pipeline.role.role_arn))
            self.pipeline.role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole"],
                                                                 resources=[self._role.role_arn]))
            self._role.add_policy_dependent(self.pipeline.resource)
        return self._role

    def error(self, message: str, hint: str | None = None) -> ConstructError:
        """An error about the action, at the line that created it."""
        return ConstructError(message, path=self.path, location=self.action.location or self.location, hint=hint)
