"""Stack: a subtree of constructs that becomes one CloudFormation template."""

from __future__ import annotations

import re
from typing import Any

import attrs

from iac.constructs.core.construct import Construct
from iac.errors import ConstructError

STACK_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
ACCOUNT_RE = re.compile(r"^\d{12}$")


def _check_stack_name(instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not STACK_NAME_RE.match(value)):
        raise ValueError(
            f"stack name {value!r} is invalid: CloudFormation needs a letter first, then letters, "
            "digits or hyphens, 128 characters at most"
        )


def _check_region(instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not REGION_RE.match(value)):
        raise ValueError(f"region {value!r} is not an AWS region name such as 'eu-west-1'")


def _check_account(instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not ACCOUNT_RE.match(value)):
        raise ValueError(f"account {value!r} is not a 12-digit AWS account id")


def _check_tags(instance: Any, attribute: attrs.Attribute, value: dict[str, str]) -> None:
    for key, tag in value.items():
        if not isinstance(key, str) or not isinstance(tag, str):
            raise TypeError(f"tags must map strings to strings, got {key!r}: {tag!r}")


@attrs.define(kw_only=True)
class StackProps:
    description: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(str)))
    stack_name: str | None = attrs.field(default=None, validator=_check_stack_name)
    region: str | None = attrs.field(default=None, validator=_check_region)
    account: str | None = attrs.field(default=None, validator=_check_account)
    tags: dict[str, str] = attrs.field(factory=dict, converter=lambda v: dict(v or {}), validator=_check_tags)
    termination_protection: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))


class Stack(Construct):
    """One CloudFormation stack. Every resource below it goes into its template.

    `region`/`account` fix the environment (region also selects the schemas used for validation);
    without them the template is environment-agnostic and uses pseudo parameters. `tags` are stack
    tags: CloudFormation applies them to every resource that supports tags.
    """

    is_stack = True

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        _check_not_nested(self)
        self.props: StackProps = self._build_props(StackProps, props)
        name = self.props.stack_name or self.artifact_id
        if not STACK_NAME_RE.match(name):
            raise ConstructError(
                f"stack id {id!r} is not a valid CloudFormation stack name",
                path=self.path,
                location=self.location,
                hint="use letters, digits and hyphens starting with a letter, or pass stack_name=",
            )
        self.stack_name: str = name
        self.tags: dict[str, str] = self.props.tags
        self.template_options: dict[str, Any] = {}

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
