"""Stack: a subtree of constructs that becomes one CloudFormation template."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from iac.constructs.core.construct import Construct
from iac.errors import ConstructError

# No schema says what a region or an account id looks like; synthesis then checks that the region is one
# cfn-lint has schemas for.
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
ACCOUNT_RE = re.compile(r"^\d{12}$")


@attrs.frozen(kw_only=True)
class StackProps:
    """The options a Stack was created with (read by synthesis: `stack.props.termination_protection`)."""

    description: str | None = None
    stack_name: str | None = None
    region: str | None = None
    account: str | None = None
    tags: dict[str, str] = attrs.field(factory=dict)
    termination_protection: bool = False


class Stack(Construct):
    """One CloudFormation stack. Every resource below it goes into its template.

    `region`/`account` fix the environment (region also selects the schemas used for validation);
    without them the template is environment-agnostic and uses pseudo parameters. `tags` are stack
    tags: CloudFormation applies them to every resource that supports tags.

    Args:
        description: the template's Description.
        stack_name: the CloudFormation stack name; by default the stack's path with "/" replaced by "-"
            (a letter first, then letters, digits and hyphens, 128 characters at most).
        region: the AWS region the stack deploys to, e.g. "eu-west-1"; it also selects the registry
            schemas the stack's resources are checked against.
        account: the 12-digit AWS account id the stack deploys to.
        tags: stack tags, {key: value}; CloudFormation applies them to every resource that supports tags
            (more can be added with `add_tag`).
        termination_protection: True makes CloudFormation refuse to delete the stack until it is turned off.
    """

    is_stack = True

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        description: str | None = None,
        stack_name: str | None = None,
        region: str | None = None,
        account: str | None = None,
        tags: Mapping[str, str] | None = None,
        termination_protection: bool = False,
    ) -> None:
        super().__init__(scope, id)
        _check_not_nested(self)
        self.props: StackProps = StackProps(description=description, stack_name=stack_name, region=region,
                                            account=account, tags=dict(tags or {}),
                                            termination_protection=termination_protection)
        self._check_environment()
        self.stack_name: str = self._checked_name()
        self.tags: dict[str, str] = self.props.tags
        self.template_options: dict[str, Any] = {}

    def _checked_name(self) -> str:
        """The stack name, checked against CloudFormation's rule (iac.specs: no schema states it)."""
        from iac.specs import stack_name_pattern, stack_name_rule

        rule = stack_name_rule()
        given = self.props.stack_name
        if given is not None and not stack_name_pattern().match(given):
            raise ConstructError(f"invalid argument for Stack {self.id!r}: stack name {given!r} is invalid: "
                                 f"{rule.why}", path=self.path, location=self.location, hint=f"see {rule.url}")
        name = given or self.artifact_id
        if not stack_name_pattern().match(name):
            raise ConstructError(
                f"stack id {self.id!r} is not a valid CloudFormation stack name",
                path=self.path,
                location=self.location,
                hint=f"{rule.why}; or pass stack_name=",
            )
        return name

    def _check_environment(self) -> None:
        problem = None
        if self.props.region is not None and not REGION_RE.match(self.props.region):
            problem = f"region {self.props.region!r} is not an AWS region name such as 'eu-west-1'"
        elif self.props.account is not None and not ACCOUNT_RE.match(self.props.account):
            problem = f"account {self.props.account!r} is not a 12-digit AWS account id"
        if problem is not None:
            raise ConstructError(f"invalid argument for Stack {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    @property
    def artifact_id(self) -> str:
        """The stack's name in the assembly: its path with "/" replaced by "-"."""
        return self.path.replace("/", "-")

    @property
    def description(self) -> str | None:
        return self.props.description

    @property
    def region(self) -> str | None:
        return self.props.region

    @property
    def account(self) -> str | None:
        return self.props.account

    def add_tag(self, key: str, value: str) -> None:
        self.tags[key] = value

    def add_transform(self, transform: str) -> None:
        """Add a template-level transform such as "AWS::Serverless-2016-10-31"."""
        transforms: list[str] = self.template_options.setdefault("Transform", [])
        if transform not in transforms:
            transforms.append(transform)

    def add_template_metadata(self, key: str, value: Any) -> None:
        self.template_options.setdefault("Metadata", {})[key] = value


def _check_not_nested(stack: Stack) -> None:
    node = stack.scope
    while node is not None:
        if getattr(node, "is_stack", False):
            raise ConstructError(
                f"stack {stack.id!r} is inside stack {node.path!r}; nested stacks are not supported",
                path=stack.path,
                location=stack.location,
                hint="create every Stack with the App (or a plain construct under it) as its scope",
            )
        node = node.scope
