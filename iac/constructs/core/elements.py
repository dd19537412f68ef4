"""Parameters, Outputs, Conditions and Mappings: the template sections besides Resources."""

from __future__ import annotations

from typing import Any

import attrs

from iac.constructs.core.construct import Construct
from iac.constructs.core.element import CfnElement
from iac.constructs.core.intrinsics import Fn, Reference
from iac.constructs.core.tokens import Token
from iac.errors import ConstructError

PARAMETER_TYPES_PLAIN = ("String", "Number", "List<Number>", "CommaDelimitedList")


def _check_parameter_type(instance: Any, attribute: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"type must be a string, got {type(value).__name__}")
    known_prefixes = ("AWS::", "List<AWS::", "AWS::SSM::Parameter::")
    if value not in PARAMETER_TYPES_PLAIN and not value.startswith(known_prefixes):
        raise ValueError(
            f"type {value!r} is not a parameter type: use String, Number, List<Number>, "
            "CommaDelimitedList, an AWS-specific type (AWS::EC2::VPC::Id, List<AWS::EC2::Subnet::Id>, ...) "
            "or an SSM parameter type (AWS::SSM::Parameter::Value<String>)"
        )


def _optional(kind: type | tuple[type, ...]) -> Any:
    return attrs.validators.optional(attrs.validators.instance_of(kind))


@attrs.define(kw_only=True)
class ParameterProps:
    type: str = attrs.field(default="String", validator=_check_parameter_type)
    default: Any = None
    description: str | None = attrs.field(default=None, validator=_optional(str))
    allowed_values: list[Any] | None = attrs.field(default=None, validator=_optional((list, tuple)))
    allowed_pattern: str | None = attrs.field(default=None, validator=_optional(str))
    constraint_description: str | None = attrs.field(default=None, validator=_optional(str))
    min_length: int | None = attrs.field(default=None, validator=_optional(int))
    max_length: int | None = attrs.field(default=None, validator=_optional(int))
    min_value: int | float | None = attrs.field(default=None, validator=_optional((int, float)))
    max_value: int | float | None = attrs.field(default=None, validator=_optional((int, float)))
    no_echo: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))

    def __attrs_post_init__(self) -> None:
        if self.allowed_values is not None and self.default is not None and self.default not in self.allowed_values:
            raise ValueError(f"default {self.default!r} is not one of allowed_values {list(self.allowed_values)}")
        for low, high in (("min_length", "max_length"), ("min_value", "max_value")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} ({lo}) is greater than {high} ({hi})")


class Parameter(CfnElement):
    """A stack parameter: a value given at deploy time. `.value` (or `.ref`) refers to it."""

    element_kind = "parameter"

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: ParameterProps = self._build_props(ParameterProps, props)
        self._ref = Reference(self)

    @property
    def ref(self) -> Token:
        return self._ref

    @property
    def value(self) -> Token:
        """The parameter's value (same as `ref`)."""
        return self._ref

    def render(self) -> dict[str, Any]:
        p = self.props
        entry: dict[str, Any] = {"Type": p.type}
        for key, value in (
            ("Description", p.description),
            ("Default", p.default),
            ("AllowedValues", list(p.allowed_values) if p.allowed_values is not None else None),
            ("AllowedPattern", p.allowed_pattern),
            ("ConstraintDescription", p.constraint_description),
            ("MinLength", p.min_length),
            ("MaxLength", p.max_length),
            ("MinValue", p.min_value),
            ("MaxValue", p.max_value),
        ):
            if value is not None:
                entry[key] = value
        if p.no_echo:
            entry["NoEcho"] = True
        return entry


@attrs.define(kw_only=True)
class OutputProps:
    value: Any = attrs.field()
    description: str | None = attrs.field(default=None, validator=_optional(str))
    export_name: Any = None
    condition: Any = None

    @value.validator
    def _value_given(self, attribute: attrs.Attribute, value: Any) -> None:
        if value is None:
            raise ValueError("value is required (an Output must have a value)")


class Output(CfnElement):
    """A stack output; `export_name` makes it importable by other stacks."""

    element_kind = "output"

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: OutputProps = self._build_props(OutputProps, props)

    @property
    def import_value(self) -> Token:
        """`Fn::ImportValue` of this output's export (it must have an export_name)."""
        return Fn.import_value(self.props.export_name)

    def render(self) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if self.props.description is not None:
            entry["Description"] = self.props.description
        entry["Value"] = self.props.value
        if self.props.export_name is not None:
            entry["Export"] = {"Name": self.props.export_name}
        if self.props.condition is not None:
            entry["Condition"] = self.props.condition
        return entry


class Condition(CfnElement):
    """A named condition: `Condition(stack, "IsProd", expression=Fn.equals(env.value, "prod"))`.

    Use it as `condition=` on resources and outputs, in `Fn.if_(cond, a, b)`, or inside
    `Fn.and_/or_/not_`.
    """

    element_kind = "condition"

    def __init__(self, scope: Construct, id: str, *, expression: Token) -> None:
        super().__init__(scope, id)
        if not isinstance(expression, Token):
            raise ConstructError(
                f"Condition {id!r} needs an expression such as Fn.equals(a, b), got {expression!r}",
                path=self.path,
                location=self.location,
            )
        self.expression = expression

    def render(self) -> Any:
        return self.expression


class Mapping(CfnElement):
    """A two-level lookup table: `Mapping(stack, "Ami", mapping={"us-east-1": {"Id": "ami-1"}})`."""

    element_kind = "mapping"

    def __init__(self, scope: Construct, id: str, *, mapping: dict[str, dict[str, Any]]) -> None:
        super().__init__(scope, id)
        if not isinstance(mapping, dict) or not all(isinstance(v, dict) for v in mapping.values()):
            raise ConstructError(
                f"Mapping {id!r} needs a dict of dicts ({{top_key: {{second_key: value}}}})",
                path=self.path,
                location=self.location,
            )
        self.mapping = mapping

    def find_in_map(self, top_level_key: Any, second_level_key: Any, *, default: Any = None) -> Token:
        return Fn.find_in_map(self, top_level_key, second_level_key, default=default)

    def render(self) -> dict[str, Any]:
        return self.mapping
