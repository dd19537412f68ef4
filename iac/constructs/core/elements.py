"""Parameters, Outputs, Conditions and Mappings: the template sections besides Resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iac.constructs.core.construct import Construct
from iac.constructs.core.element import CfnElement
from iac.constructs.core.intrinsics import Fn, Reference
from iac.constructs.core.tokens import Token
from iac.errors import ConstructError

PARAMETER_TYPES_PLAIN = ("String", "Number", "List<Number>", "CommaDelimitedList")
# No registry schema lists template parameter types: these prefixes are the AWS-specific families
# (AWS::EC2::VPC::Id, List<AWS::EC2::Subnet::Id>) and the SSM ones (AWS::SSM::Parameter::Value<String>).
PARAMETER_TYPE_PREFIXES = ("AWS::", "List<AWS::", "AWS::SSM::Parameter::")


def parameter_type_problem(value: str) -> str | None:
    """Why `value` is not a CloudFormation parameter type, or None. (Checked in `Parameter.__init__`, not
    with a props `Check`: this module is imported by `import iac`, which must not load the props machinery.)"""
    if value in PARAMETER_TYPES_PLAIN or (isinstance(value, str) and value.startswith(PARAMETER_TYPE_PREFIXES)):
        return None
    return (f"type {value!r} is not a parameter type: use String, Number, List<Number>, CommaDelimitedList, an "
            "AWS-specific type (AWS::EC2::VPC::Id, List<AWS::EC2::Subnet::Id>, ...) or an SSM parameter type "
            "(AWS::SSM::Parameter::Value<String>)")


class Parameter(CfnElement):
    """A stack parameter: a value given at deploy time. `.value` (or `.ref`) refers to it.

    Args:
        type: the parameter's type: "String" (default), "Number", "List<Number>", "CommaDelimitedList",
            an AWS-specific type such as "AWS::EC2::VPC::Id" or an SSM one such as
            "AWS::SSM::Parameter::Value<String>".
        default: the value used when the deployment gives none.
        description: what the parameter is for (shown by the console and `iac deploy`).
        allowed_values: the only values the parameter may take.
        allowed_pattern: a regular expression a String parameter's value must match.
        constraint_description: what CloudFormation says when a value breaks the constraints.
        min_length: the shortest a String parameter's value may be.
        max_length: the longest a String parameter's value may be.
        min_value: the smallest a Number parameter may be.
        max_value: the largest a Number parameter may be.
        no_echo: True masks the value in the console and API responses (secrets).
    """

    element_kind = "parameter"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        type: str = "String",
        default: Any = None,
        description: str | None = None,
        allowed_values: Sequence[Any] | None = None,
        allowed_pattern: str | None = None,
        constraint_description: str | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        min_value: float | None = None,
        max_value: float | None = None,
        no_echo: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.type = type
        self.default = default
        self.description = description
        self.allowed_values = list(allowed_values) if allowed_values is not None else None
        self.allowed_pattern = allowed_pattern
        self.constraint_description = constraint_description
        self.min_length = min_length
        self.max_length = max_length
        self.min_value = min_value
        self.max_value = max_value
        self.no_echo = no_echo
        self._check_consistent()
        self._ref = Reference(self)

    def _check_consistent(self) -> None:
        problem = parameter_type_problem(self.type)
        if self.allowed_values is not None and self.default is not None and self.default not in self.allowed_values:
            problem = problem or f"default {self.default!r} is not one of allowed_values {self.allowed_values}"
        for low, high in (("min_length", "max_length"), ("min_value", "max_value")):
            lo, hi = getattr(self, low), getattr(self, high)
            if problem is None and lo is not None and hi is not None and lo > hi:
                problem = f"{low} ({lo}) is greater than {high} ({hi})"
        if problem is not None:
            raise ConstructError(f"invalid argument for Parameter {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    @property
    def ref(self) -> Token:
        return self._ref

    @property
    def value(self) -> Token:
        """The parameter's value (same as `ref`)."""
        return self._ref

    def render(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"Type": self.type}
        for key, value in (
            ("Description", self.description),
            ("Default", self.default),
            ("AllowedValues", self.allowed_values),
            ("AllowedPattern", self.allowed_pattern),
            ("ConstraintDescription", self.constraint_description),
            ("MinLength", self.min_length),
            ("MaxLength", self.max_length),
            ("MinValue", self.min_value),
            ("MaxValue", self.max_value),
        ):
            if value is not None:
                entry[key] = value
        if self.no_echo:
            entry["NoEcho"] = True
        return entry


class Output(CfnElement):
    """A stack output; `export_name` makes it importable by other stacks.

    Args:
        value: what the output says: a literal or a deploy-time value (`bucket.bucket_name`, a GetAtt).
        description: what the output is.
        export_name: the name other stacks import the value by (`Fn.import_value`, `.import_value`).
        condition: a `Condition` (or its name): the output exists only when it holds.
    """

    element_kind = "output"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        value: Any,
        description: str | None = None,
        export_name: str | Token | None = None,
        condition: Condition | str | None = None,
    ) -> None:
        super().__init__(scope, id)
        if value is None:
            raise ConstructError(f"invalid argument for Output {id!r}: value is required (an Output must have a "
                                 "value)", path=self.path, location=self.location)
        self.value = value
        self.description = description
        self.export_name = export_name
        self.condition = condition

    @property
    def import_value(self) -> Token:
        """`Fn::ImportValue` of this output's export (it must have an export_name)."""
        return Fn.import_value(self.export_name)

    def render(self) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if self.description is not None:
            entry["Description"] = self.description
        entry["Value"] = self.value
        if self.export_name is not None:
            entry["Export"] = {"Name": self.export_name}
        if self.condition is not None:
            entry["Condition"] = self.condition
        return entry


class Condition(CfnElement):
    """A named condition: `Condition(stack, "IsProd", expression=Fn.equals(env.value, "prod"))`.

    Use it as `condition=` on resources and outputs, in `Fn.if_(cond, a, b)`, or inside
    `Fn.and_/or_/not_`.

    Args:
        expression: the condition function the template evaluates (`Fn.equals`, `Fn.and_`, `Fn.or_`,
            `Fn.not_`, or another Condition).
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
    """A two-level lookup table: `Mapping(stack, "Ami", mapping={"us-east-1": {"Id": "ami-1"}})`.

    Args:
        mapping: top-level key -> second-level key -> value; read it with `find_in_map` (Fn::FindInMap).
    """

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
