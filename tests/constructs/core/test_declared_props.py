"""Every construct class declares its props once, in a keyword-only signature the docs and type
checkers read: no `**props`, each prop described, each CloudFormation binding naming a real property."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import iac.constructs
from iac import specs
from iac.constructs.core.construct import Construct
from iac.constructs.core.props import init_spec
from iac.constructs.core.props_doc import prop_docs


def _construct_classes() -> list[type]:
    """Every public Construct subclass defined under iac.constructs, core included."""
    found = []
    for info in sorted(pkgutil.walk_packages(iac.constructs.__path__, prefix="iac.constructs."), key=lambda i: i.name):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, Construct) and not name.startswith("_")
                    and value.__module__ == info.name and "__init__" in value.__dict__):
                found.append(value)
    return found


CLASSES = _construct_classes()
IDS = [f"{c.__module__.removeprefix('iac.constructs.')}.{c.__name__}" for c in CLASSES]


def test_the_walk_finds_the_construct_classes():
    names = {c.__name__ for c in CLASSES}
    assert {"Function", "Bucket", "Table", "Vpc", "Stack", "LogGroup", "DeliveryPipeline"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_no_constructor_takes_arbitrary_keywords(cls):
    parameters = inspect.signature(inspect.unwrap(cls.__dict__["__init__"])).parameters.values()
    assert not [p.name for p in parameters if p.kind is p.VAR_KEYWORD], (
        f"{cls.__qualname__}.__init__ takes **kwargs: declare each prop keyword-only with its type")


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_every_prop_is_described(cls):
    undocumented = [doc.name for doc in prop_docs(cls) if not doc.description]
    assert not undocumented, f"{cls.__qualname__}: add these to the docstring's Args section: {undocumented}"


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_every_binding_names_a_property_of_its_type(cls):
    spec = init_spec(cls)
    for prop in spec.props.values():
        if prop.cfn is None:
            continue
        resource_type = prop.cfn.type or spec.cfn_type
        assert resource_type, f"{cls.__qualname__}.{prop.name} binds {prop.cfn.property!r} with no type"
        assert specs.property_schema(resource_type, prop.cfn.property) is not None, (
            f"{cls.__qualname__}.{prop.name}: {resource_type} has no property {prop.cfn.property!r}")
