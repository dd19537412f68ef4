"""Every CloudFormation intrinsic function and pseudo parameter, as tokens.

`Fn.join(",", [a, b])` is a Token; so is `Aws.REGION`. They can be nested, put in properties, or
used inside f-strings. Arguments may be constructs (a resource, parameter, condition or mapping):
they are turned into references when the template is written, so cross-stack use works everywhere.
"""

from __future__ import annotations

import weakref
from typing import Any

from iac.constructs.core.tokens import ResolveContext, Token, split_markers, stable_key

#: Functions that need the AWS::LanguageExtensions transform; synthesis adds it when they appear.
LANGUAGE_EXTENSION_FUNCTIONS = ("Fn::Length", "Fn::ToJsonString")


class Intrinsic(Token):
    """`{name: value}` with `value` resolved recursively (it may hold tokens and constructs)."""

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value

    def resolve(self, context: ResolveContext) -> Any:
        return {self.name: context.resolve(self.value)}

    def stable_key(self) -> str:
        return f"{self.name}({stable_key(self.value)})"

    def __repr__(self) -> str:
        return f"<{self.name} {self.value!r}>"


class PseudoParameter(Token):
    """A value CloudFormation provides in every stack, such as AWS::Region."""

    def __init__(self, name: str) -> None:
        self.name = name

    def resolve(self, context: ResolveContext) -> Any:
        return {"Ref": self.name}

    def __repr__(self) -> str:
        return f"<Ref {self.name}>"


class LogicalNameRef(Token):
    """`Ref` to a logical id given as a plain string (escape hatch for hand-written names)."""

    def __init__(self, logical_id: str) -> None:
        self.logical_id = logical_id

    def resolve(self, context: ResolveContext) -> Any:
        return {"Ref": self.logical_id}

    def __repr__(self) -> str:
        return f"<Ref {self.logical_id}>"


class _Pointer(Token):
    """A token that points at a construct, weakly.

    Tokens that have been turned into string markers stay in a process-wide registry; if they held
    their construct strongly, every App ever built would stay in memory. The construct is always
    reachable through its App's tree while anyone can still synthesize it, so a weak reference is
    enough.
    """

    def __init__(self, target: Any) -> None:
        self._target = weakref.ref(target)

    @property
    def target(self) -> Any:
        target = self._target()
        if target is None:  # pragma: no cover - only if a token outlives its App and is resolved
            raise RuntimeError("this token refers to a construct of an App that no longer exists")
        return target

    def stable_key(self) -> str:
        return f"{type(self).__name__}({self.target.path})"


class Reference(_Pointer):
    """`Ref` to an element (resource or parameter) of some stack; may cross stacks."""

    def resolve(self, context: ResolveContext) -> Any:
        return context.resolve_reference(self, self.target, lambda: {"Ref": self.target.logical_id})

    def stable_key(self) -> str:
        return f"Ref({self.target.path})"

    def __repr__(self) -> str:
        return f"<Ref {self.target.path}>"


class AttributeReference(_Pointer):
    """`Fn::GetAtt` of a resource attribute; may cross stacks."""

    def __init__(self, target: Any, attribute: str) -> None:
        super().__init__(target)
        self.attribute = attribute

    def resolve(self, context: ResolveContext) -> Any:
        return context.resolve_reference(
            self, self.target, lambda: {"Fn::GetAtt": [self.target.logical_id, self.attribute]}
        )

    def stable_key(self) -> str:
        return f"GetAtt({self.target.path}.{self.attribute})"

    def __repr__(self) -> str:
        return f"<GetAtt {self.target.path}.{self.attribute}>"


class ConditionReference(_Pointer):
    """`{"Condition": name}` inside Fn::And/Or/Not; conditions never cross stacks."""

    def resolve(self, context: ResolveContext) -> Any:
        return context.resolve_reference(self, self.target, lambda: {"Condition": self.target.logical_id})


class _LocalName(_Pointer):
    """The logical id of a condition or mapping, as used inside Fn::If and Fn::FindInMap."""

    def resolve(self, context: ResolveContext) -> Any:
        return context.resolve_reference(self, self.target, lambda: self.target.logical_id)


def _element_kind(value: Any) -> str | None:
    return getattr(value, "element_kind", None)


def _condition_operand(value: Any) -> Any:
    """Conditions inside And/Or/Not are written {"Condition": name}; other values stay as given."""
    if _element_kind(value) == "condition":
        return ConditionReference(value)
    return value


def _condition_name(value: Any) -> Any:
    if _element_kind(value) == "condition":
        return _LocalName(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"expected a Condition or a condition name, got {value!r}")


class Fn:
    """CloudFormation intrinsic functions. Each returns a Token usable anywhere a value goes."""

    @staticmethod
    def ref(target: Any) -> Token:
        """`Ref`: a construct's `.ref`, or a plain logical id / pseudo parameter name."""
        if isinstance(target, str):
            return LogicalNameRef(target)
        return target.ref

    @staticmethod
    def get_att(target: Any, attribute: str) -> Token:
        if isinstance(target, str):
            return Intrinsic("Fn::GetAtt", [target, attribute])
        return target.get_att(attribute)

    @staticmethod
    def sub(template: str, variables: dict[str, Any] | None = None) -> Token:
        """`Fn::Sub`. Tokens inside `template` (e.g. from an f-string) become `${...}` references."""
        return Sub(template, variables)

    @staticmethod
    def join(delimiter: str, values: Any) -> Token:
        return Intrinsic("Fn::Join", [delimiter, values])

    @staticmethod
    def select(index: int | Any, values: Any) -> Token:
        return Intrinsic("Fn::Select", [index, values])

    @staticmethod
    def split(delimiter: str, source: Any) -> Token:
        return Intrinsic("Fn::Split", [delimiter, source])

    @staticmethod
    def if_(condition: Any, value_if_true: Any, value_if_false: Any) -> Token:
        return Intrinsic("Fn::If", [_condition_name(condition), value_if_true, value_if_false])

    @staticmethod
    def equals(left: Any, right: Any) -> Token:
        return Intrinsic("Fn::Equals", [left, right])

    @staticmethod
    def and_(*conditions: Any) -> Token:
        _check_condition_count("Fn::And", conditions)
        return Intrinsic("Fn::And", [_condition_operand(c) for c in conditions])

    @staticmethod
    def or_(*conditions: Any) -> Token:
        _check_condition_count("Fn::Or", conditions)
        return Intrinsic("Fn::Or", [_condition_operand(c) for c in conditions])

    @staticmethod
    def not_(condition: Any) -> Token:
        return Intrinsic("Fn::Not", [_condition_operand(condition)])

    @staticmethod
    def condition(condition: Any) -> Token:
        """`{"Condition": name}`: refer to a named condition inside another condition."""
        if _element_kind(condition) == "condition":
            return ConditionReference(condition)
        return Intrinsic("Condition", condition)

    @staticmethod
    def find_in_map(mapping: Any, top_level_key: Any, second_level_key: Any, *, default: Any = None) -> Token:
        name = _LocalName(mapping) if _element_kind(mapping) == "mapping" else mapping
        args: list[Any] = [name, top_level_key, second_level_key]
        if default is not None:
            args.append({"DefaultValue": default})
        return Intrinsic("Fn::FindInMap", args)

    @staticmethod
    def get_azs(region: str | Any = "") -> Token:
        """The region's availability zones (`""` means the stack's own region)."""
        return Intrinsic("Fn::GetAZs", region)

    @staticmethod
    def import_value(export_name: Any) -> Token:
        return Intrinsic("Fn::ImportValue", export_name)

    @staticmethod
    def get_stack_output(stack_name: Any, output_name: Any, *, region: Any = None, role_arn: Any = None) -> Token:
        """`Fn::GetStackOutput`: the value of the output `output_name` (its logical id) of another deployed
        stack, read when this stack is created or updated. `region` defaults to this stack's region;
        `role_arn` is a role with cloudformation:DescribeStacks on that stack (another account's).

        Unlike `import_value` the other stack needs no export, and the reference is weak: CloudFormation
        neither stops the other stack from changing the output nor updates this stack when it does.
        """
        value: dict[str, Any] = {"StackName": stack_name, "OutputName": output_name}
        if region is not None:
            value["Region"] = region
        if role_arn is not None:
            value["RoleArn"] = role_arn
        return Intrinsic("Fn::GetStackOutput", value)

    @staticmethod
    def base64(value: Any) -> Token:
        return Intrinsic("Fn::Base64", value)

    @staticmethod
    def cidr(ip_block: Any, count: int | Any, cidr_bits: int | Any) -> Token:
        return Intrinsic("Fn::Cidr", [ip_block, count, cidr_bits])

    @staticmethod
    def length(values: Any) -> Token:
        """`Fn::Length` (adds the AWS::LanguageExtensions transform to the stack)."""
        return Intrinsic("Fn::Length", values)

    @staticmethod
    def to_json_string(value: Any) -> Token:
        """`Fn::ToJsonString` (adds the AWS::LanguageExtensions transform to the stack)."""
        return Intrinsic("Fn::ToJsonString", value)


def _check_condition_count(name: str, conditions: tuple[Any, ...]) -> None:
    if not 2 <= len(conditions) <= 10:
        raise ValueError(f"{name} takes between 2 and 10 conditions, got {len(conditions)}")


class Sub(Token):
    """`Fn::Sub` whose template may hold token markers.

    A marker for a plain Ref or GetAtt is written as `${Name}` / `${Name.Attr}`, the way a person
    writes Fn::Sub; any other token becomes a named variable of the Sub's variable map.
    """

    def __init__(self, template: str, variables: dict[str, Any] | None) -> None:
        self.template = template
        self.variables = dict(variables or {})

    def resolve(self, context: ResolveContext) -> Any:
        variables = {name: context.resolve(value) for name, value in self.variables.items()}
        text: list[str] = []
        for part in split_markers(self.template):
            if isinstance(part, str):
                text.append(part)
                continue
            resolved = context.resolve(part)
            inline = _sub_reference(resolved)
            if inline is None:
                name = f"Token{len(variables) + 1}"
                while name in variables:
                    name += "x"
                variables[name] = resolved
                inline = name
            text.append("${" + inline + "}")
        template = "".join(text)
        return {"Fn::Sub": [template, variables] if variables else template}

    def __repr__(self) -> str:
        return f"<Fn::Sub {self.template!r}>"


def _sub_reference(resolved: Any) -> str | None:
    """`X` for {"Ref": "X"} and `X.Attr` for a GetAtt; None for anything else."""
    if isinstance(resolved, dict) and len(resolved) == 1:
        if isinstance(resolved.get("Ref"), str):
            return resolved["Ref"]
        att = resolved.get("Fn::GetAtt")
        if isinstance(att, list) and len(att) == 2 and all(isinstance(a, str) for a in att):
            return f"{att[0]}.{att[1]}"
    return None


class Aws:
    """Pseudo parameters: values CloudFormation fills in for every stack."""

    ACCOUNT_ID = PseudoParameter("AWS::AccountId")
    REGION = PseudoParameter("AWS::Region")
    PARTITION = PseudoParameter("AWS::Partition")
    STACK_NAME = PseudoParameter("AWS::StackName")
    STACK_ID = PseudoParameter("AWS::StackId")
    URL_SUFFIX = PseudoParameter("AWS::URLSuffix")
    NOTIFICATION_ARNS = PseudoParameter("AWS::NotificationARNs")
    NO_VALUE = PseudoParameter("AWS::NoValue")
