"""What the generated modules of iac.cfn share: the naming rules and the class factory.

A generated module (iac/cfn/sqs.py) holds, per resource type, a compact record: the type name, its
writable top-level properties, the required ones, its attributes (readOnlyProperties) and the names of its
nested property types. Its classes are made from those records on first access (module `__getattr__`), so
importing a module with a hundred types costs one tuple literal; the typed signatures live in the module's
`.pyi` stub, which type checkers and IDEs read instead.

The naming rules below are the single definition of the Python spelling of a CloudFormation name: the
generator writes the stubs with them and the runtime classes are built with them, so both always agree
(tests/cfn checks them against each other and against a list of awkward names).
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from iac.constructs.core.resource import CfnResource

#: CfnResource's own keyword arguments, accepted by every generated class next to the properties.
OPTIONS = ("depends_on", "deletion_policy", "update_replace_policy", "update_policy", "creation_policy",
           "condition", "metadata")
#: Argument names a property cannot take (the constructor's own); such a property gets a trailing "_". A
#: class's type is fixed, so `type` and `properties` (CfnResource's) are free for properties named so.
RESERVED_ARGUMENTS = frozenset({"self", "scope", "id", *OPTIONS})

_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?=[A-Z0-9_]|$)")  # ARNs, IDs, CNAMEs: one word each
_ACRONYM_THEN_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")  # DBInstance -> DB_Instance
_WORD_THEN_CAPITAL = re.compile(r"([a-z0-9])([A-Z])")  # InstanceClass -> Instance_Class, S3Bucket -> S3_Bucket
#: Words AWS writes with inner capitals, read as one word: IPv6, OAuth, ETag, KiB/GiB, DDoS, IdC (Identity Center).
_MIXED_ACRONYMS = tuple((re.compile(pattern), word) for pattern, word in (
    (r"IPv(?=\d)", "Ipv"), (r"OAuth", "Oauth"), (r"IOPS", "Iops"), (r"ETag(?![a-z])", "Etag"),
    (r"([KMGTP])iB(?![a-z])", r"\1ib"), (r"DDoS(?![a-z])", "Ddos"), (r"IdC(?=[A-Z])", "Idc")))
_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]+")


def snake_case(name: str) -> str:
    """CloudFormation's spelling to Python's: DBInstanceClass -> db_instance_class, VPCId -> vpc_id,
    Ipv6CidrBlock and IPv6CidrBlock -> ipv6_cidr_block, SSESpecification -> sse_specification."""
    for mixed, word in _MIXED_ACRONYMS:
        name = mixed.sub(word, name)
    name = _PLURAL_ACRONYM.sub(lambda match: match.group(1) + "S", name)
    name = _ACRONYM_THEN_WORD.sub(r"\1_\2", name)
    name = _WORD_THEN_CAPITAL.sub(r"\1_\2", name)
    name = _NOT_IDENTIFIER.sub("_", name).strip("_").lower()
    name = re.sub(r"_+", "_", name)
    return f"_{name}" if name[:1].isdigit() else name


def safe_identifier(name: str, reserved: Iterable[str] = ()) -> str:
    """`name`, with a trailing underscore when it is a Python keyword, a builtin or a reserved name."""
    while keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in reserved or hasattr(builtins, name):
        name += "_"
    return name


def argument_names(properties: Iterable[str]) -> dict[str, str]:
    """Python argument name -> CloudFormation property name, for a type's writable properties. Two
    properties that would spell the same (none do today) are told apart by trailing underscores, in the
    schema's sorted order, so the result never depends on anything but the names."""
    names: dict[str, str] = {}
    for prop in sorted(properties):
        argument = snake_case(prop)
        while keyword.iskeyword(argument) or argument in RESERVED_ARGUMENTS or argument in names:
            argument += "_"
        names[argument] = prop
    return names


def attribute_names(attributes: Iterable[str]) -> dict[str, str]:
    """Python property name -> Fn::GetAtt name: Arn -> attr_arn, Endpoint.Address -> attr_endpoint_address."""
    names: dict[str, str] = {}
    for attribute in sorted(attributes):
        name = "attr_" + "_".join(snake_case(part) for part in attribute.split("."))
        while name in names:
            name += "_"
        names[name] = attribute
    return names


def nested_type_names(definitions: Iterable[str]) -> dict[str, str]:
    """Python class name -> the schema's name for a nested property type (a definition, or a property
    path for an object the schema writes inline)."""
    names: dict[str, str] = {}
    for definition in sorted(definitions):
        name = _NOT_IDENTIFIER.sub("_", definition).strip("_") or "Type"
        name = name[0].upper() + name[1:]
        if name[0].isdigit():
            name = f"T{name}"
        while name in names:
            name += "_"
        names[name] = definition
    return names


def module_name(namespace: str) -> str:
    """The module of a type namespace: "AWS::SQS" -> "sqs", "AWS::Lambda" -> "lambda_" (a keyword),
    "Alexa::ASK" -> "alexa_ask" (another vendor keeps its name)."""
    vendor, _, service = namespace.partition("::")
    base = service.lower() if vendor == "AWS" else f"{vendor}_{service}".lower()
    return safe_identifier(_NOT_IDENTIFIER.sub("_", base))


def documentation_url(resource_type: str) -> str:
    """The type's page in the CloudFormation template reference."""
    slug = "-".join(part.lower() for part in resource_type.split("::"))
    kind = "aws-resource" if slug.startswith("aws-") else "resource"
    slug = slug.removeprefix("aws-")
    return f"https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/{kind}-{slug}.html"


class TypedCfnResource(CfnResource):
    """The base of every generated class: a CfnResource whose type is fixed and whose properties are
    keyword arguments (see iac.cfn). `properties` holds them under their CloudFormation names, so
    overrides, policies, tokens, validation and diff see a plain CfnResource."""

    cfn_type: ClassVar[str]
    #: Python argument name -> CloudFormation property name.
    cfn_arguments: ClassVar[dict[str, str]]
    cfn_required: ClassVar[frozenset[str]]
    #: attr_* name -> Fn::GetAtt name.
    cfn_attributes: ClassVar[dict[str, str]]


Record = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], str]


def make_class(module: str, name: str, record: Record) -> type[TypedCfnResource]:
    """The class of one generated record: (type, writable properties, required ones, GetAtt attributes,
    Python names of the nested property types, docstring)."""
    cfn_type, properties, required, attributes, nested, doc = record
    arguments = argument_names(properties)
    by_property = {prop: argument for argument, prop in arguments.items()}
    required_arguments = tuple(sorted(by_property[prop] for prop in required))
    namespace: dict[str, Any] = {
        "__module__": module,
        "__qualname__": name,
        "__doc__": doc,
        "cfn_type": cfn_type,
        "cfn_arguments": arguments,
        "cfn_required": frozenset(required_arguments),
        "cfn_attributes": attribute_names(attributes),
        "__init__": _make_init(module, name, cfn_type, arguments, required_arguments),
    }
    for attr_name, attribute in namespace["cfn_attributes"].items():
        namespace[attr_name] = _attribute_property(attribute)
    for nested_name in nested:
        namespace[nested_name] = dict  # a TypedDict for type checkers; a dict with CloudFormation's names
    return type(name, (TypedCfnResource,), namespace)


def _attribute_property(attribute: str) -> property:
    def getter(self: CfnResource) -> Any:
        return self.get_att(attribute)

    getter.__doc__ = f"Fn::GetAtt {attribute}"
    return property(getter)


def _make_init(module: str, name: str, cfn_type: str, arguments: dict[str, str],
               required: tuple[str, ...]) -> Callable[..., None]:
    def __init__(self: TypedCfnResource, scope: Any, id: str, **values: Any) -> None:
        for argument in required:
            if argument not in values:
                # checked_init turns this into "needs the argument x=" at the user's line
                raise TypeError(f"missing a required keyword-only argument: '{argument}'")
        options = {option: values.pop(option) for option in OPTIONS if option in values}
        properties = {arguments[argument]: value for argument, value in values.items() if value is not None}
        CfnResource.__init__(self, scope, id, type=cfn_type, properties=properties, **options)

    __init__.__qualname__ = f"{name}.__init__"
    __init__.__module__ = module
    __init__.__signature__ = _signature(arguments, required)  # type: ignore[attr-defined]
    return __init__


def _signature(arguments: dict[str, str], required: tuple[str, ...]) -> inspect.Signature:
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    keyword_only = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("self", positional), inspect.Parameter("scope", positional),
                  inspect.Parameter("id", positional)]
    parameters += [inspect.Parameter(argument, keyword_only) for argument in required]
    parameters += [inspect.Parameter(argument, keyword_only, default=None)
                   for argument in sorted(arguments) if argument not in required]
    parameters += [inspect.Parameter(option, keyword_only, default=None) for option in OPTIONS]
    return inspect.Signature(parameters)


def module_getattr(module: str, records: dict[str, Record]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for a generated module: each class is made on first access and kept."""
    import sys

    def __getattr__(name: str) -> Any:
        record = records.get(name)
        if record is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        made = make_class(module, name, record)
        setattr(sys.modules[module], name, made)
        return made

    def __dir__() -> list[str]:
        return sorted(set(records) | set(vars(sys.modules[module])))

    return __getattr__, __dir__
