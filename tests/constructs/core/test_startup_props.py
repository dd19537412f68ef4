"""A construction evaluates the annotations of the arguments it is given only (issue 21: `vpc: ec2.Vpc | None`
on a Function outside a VPC loads no EC2 module); each prop made so must equal the one the whole signature's
evaluation (typing.get_type_hints, as before) makes, and props not passed are still there for the docs."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import typing
from typing import Any

import pytest

from iac import App, Stack
from iac.constructs import awslambda
from iac.constructs.core import props
from iac.constructs.core.props import init_spec
from iac.constructs.core.props_doc import construct_classes
from iac.errors import ConstructError

WITHOUT_A_VPC = """
import json, sys
from iac import App, Stack
from iac.constructs import awslambda
from iac.constructs.core.props import init_spec
stack = Stack(App(), "S")
awslambda.Function(stack, "F", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                   code=awslambda.Code.from_inline("exports.handler = async () => 1"), timeout=10)
print(json.dumps([sorted(sys.modules), sorted(init_spec(awslambda.Function).props.built)]))
"""


def test_a_function_outside_a_vpc_evaluates_no_ec2_annotation() -> None:
    result = subprocess.run([sys.executable, "-c", WITHOUT_A_VPC], capture_output=True, text=True, check=True)
    modules, built = json.loads(result.stdout)

    assert [name for name in modules if name.startswith("iac.constructs.ec2.")] == []
    assert built == ["code", "handler", "runtime", "timeout"]  # what was passed, nothing else


def test_a_prop_evaluated_on_first_use_is_still_checked() -> None:
    stack = Stack(App(), "S")

    with pytest.raises(ConstructError, match=r"vpc must be Vpc \| None, got str 'vpc-123'"):
        awslambda.Function(
            stack,
            "F",
            handler="index.handler",
            runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
            code=awslambda.Code.from_inline("exports.handler = async () => 1"),
            vpc="vpc-123",
        )


def _whole_signature_props(klass: type) -> dict[str, props.PropSpec] | None:
    """The props as they were made before: every annotation evaluated at once (None when that fails)."""
    init = inspect.unwrap(klass.__dict__["__init__"])
    try:
        hints = typing.get_type_hints(init, include_extras=True)
    except Exception:  # noqa: BLE001 - a name only type checkers see: each annotation on its own then
        return None
    return {
        name: props._prop_spec(parameter, hints.get(name, Any))
        for name, parameter in init_spec(klass).props._parameters.items()
    }


def _comparable(prop: props.PropSpec) -> tuple[Any, ...]:
    """A prop's fields; a Check by its rule's code (a lambda in an annotation is a new one each evaluation)."""
    rules = tuple(getattr(check.rule, "__code__", check.rule) for check in prop.checks)
    return prop.name, prop.annotation, prop.default, prop.cfn, prop.unit, rules


@pytest.mark.parametrize(("module", "klass"), list(construct_classes()), ids=lambda v: getattr(v, "__name__", v))
def test_each_prop_made_on_first_use_equals_the_whole_signatures(module: str, klass: type) -> None:
    declared = init_spec(klass).props
    reference = _whole_signature_props(klass)

    made = {name: declared[name] for name in declared}  # one at a time, as constructions ask

    assert list(made) == [
        name
        for name, p in inspect.signature(klass.__dict__["__init__"]).parameters.items()
        if name not in ("self", "scope", "id") and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if reference is not None:
        assert {name: _comparable(p) for name, p in made.items()} == {
            name: _comparable(p) for name, p in reference.items()
        }
    assert dict(declared.items()) == made and len(declared) == len(made)


def test_an_annotation_no_module_name_resolves_is_left_unchecked() -> None:
    namespace: dict[str, Any] = {}
    exec(  # noqa: S102 - a constructor whose annotations name something only a type checker imports
        "from __future__ import annotations\n"
        "def __init__(self, *, size: int | None = None, peer: NotImportedAtRunTime | None = None) -> None: ...\n",
        namespace,
    )
    init = namespace["__init__"]

    assert props._type_hint(init, "size") == int | None
    assert props._type_hint(init, "peer") is Any
    assert props._type_hint(init, "missing") is Any


def test_a_name_no_constructor_takes_is_no_prop() -> None:
    declared = init_spec(awslambda.Function).props

    assert declared.get("timout") is None and "timout" not in declared
    with pytest.raises(KeyError):
        declared["timout"]
