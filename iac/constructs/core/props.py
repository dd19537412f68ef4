"""Construct props: declared once, in the constructor's signature, and checked from it.

An L2's keyword-only signature is the one declaration of its props: type checkers and IDEs read it,
`help()` shows it, the docs reference is generated from it, and at run time every construct class's
`__init__` is wrapped (by `Construct.__init_subclass__`) so that

- a misspelt argument (`timout=3`) is a ConstructError naming the construct, the user's file:line and
  the closest real argument, instead of Python's bare TypeError;
- each argument is checked against its annotation (`int`, `str | None`, `Literal[...]`, `list[str]`);
- an argument annotated `Annotated[int | Duration, Cfn("Timeout", unit="seconds")]` is converted to the
  unit its CloudFormation property wants and checked against that property's registry schema (type,
  range, enum, pattern, lengths), so limits are never copied by hand and follow the pinned cfn-lint;
- `Check(fn)` runs a named rule the schema cannot express (a Lambda runtime's lifecycle).

Nothing is computed at import: a class's signature is read on its first construction, and a prop's rules
(its annotation evaluated) when a construction first passes it; both are cached.
"""

from __future__ import annotations

import collections.abc
import difflib
import functools
import inspect
import itertools
import numbers
import re
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import attrs

from iac.constructs.core.source import caller_location
from iac.constructs.core.tokens import Token
from iac.constructs.core.units import Duration, Size, UnitError, convert_quantity
from iac.errors import ConstructError
from iac.specs import DEFAULT_REGION, known_regions, pattern_matches, property_document, property_schema


@attrs.frozen
class Cfn:
    """Binds a prop to the CloudFormation property it feeds: `Cfn("MemorySize")` on a construct whose
    class sets `cfn_type = "AWS::Lambda::Function"`, or `Cfn("Timeout", type="AWS::...")` explicitly.
    `unit` is the property's unit when the prop accepts a Duration or a Size."""

    property: str
    type: str | None = None
    unit: str | None = None


@attrs.frozen
class Unit:
    """The unit a Duration or Size prop is converted to when no CloudFormation property is bound."""

    unit: str


@attrs.frozen
class Check:
    """A named rule the schema cannot say. `rule(value)` returns a problem message, or None."""

    rule: Callable[[Any], str | None]


@attrs.frozen
class PropSpec:
    """One prop as the signature declares it, with the rules derived from its annotation."""

    name: str
    annotation: Any
    default: Any  # inspect.Parameter.empty when required
    cfn: Cfn | None
    unit: str | None
    checks: tuple[Check, ...]
    #: `matches` for the annotation a value is checked against (after a unit's conversion), made once
    fits: Callable[[Any], bool] = attrs.field(init=False, eq=False, repr=False)

    @fits.default
    def _fits(self) -> Callable[[Any], bool]:
        return matcher(_without_quantities(self.annotation) if self.unit is not None else self.annotation)

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty


class DeclaredProps(collections.abc.Mapping[str, PropSpec]):
    """A constructor's props by name, each PropSpec made (its annotation evaluated) when first asked for:
    a construction evaluates the annotations of the arguments it is given only, so a Function outside a
    VPC never evaluates `vpc: ec2.Vpc | None` and loads no EC2 module (issue 21). Iterating makes them
    all, as the reference docs do."""

    __slots__ = ("_init", "_parameters", "built")

    def __init__(self, init: Callable[..., None], parameters: dict[str, inspect.Parameter]) -> None:
        self._init = init
        self._parameters = parameters
        #: the PropSpecs made so far, a plain dict: what each construction reads first
        self.built: dict[str, PropSpec] = {}

    def __getitem__(self, name: str) -> PropSpec:
        prop = self.built.get(name)
        if prop is None:
            prop = self.built[name] = _prop_spec(self._parameters[name], _type_hint(self._init, name))
        return prop

    def get(self, name: str, default: Any = None) -> Any:
        prop = self.built.get(name)
        if prop is not None:
            return prop
        return self[name] if name in self._parameters else default

    def __contains__(self, name: object) -> bool:
        return name in self._parameters

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def __repr__(self) -> str:
        return f"DeclaredProps({', '.join(self._parameters)})"


@attrs.frozen
class InitSpec:
    """What a constructor accepts: its signature and the props that carry rules."""

    signature: inspect.Signature
    props: DeclaredProps
    cfn_type: str | None
    #: every parameter's name, and whether one takes any keyword: what names the arguments may have
    parameter_names: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    takes_any_keyword: bool = attrs.field(init=False, eq=False, repr=False)
    #: whether any argument has a prop's rules to apply: asked once per construction
    has_props: bool = attrs.field(init=False, eq=False, repr=False)

    @parameter_names.default
    def _parameter_names(self) -> frozenset[str]:
        return frozenset(self.signature.parameters)

    @takes_any_keyword.default
    def _takes_any_keyword(self) -> bool:
        return any(p.kind is p.VAR_KEYWORD for p in self.signature.parameters.values())

    @has_props.default
    def _has_props(self) -> bool:
        return len(self.props) > 0

    @property
    def keyword_names(self) -> list[str]:
        return [name for name, p in self.signature.parameters.items()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and name != "self"]


def checked_init(init: Callable[..., None], owner: type) -> Callable[..., None]:
    """Wrap a construct class's `__init__` with the checks above (see the module docstring)."""

    spec: InitSpec | None = None

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal spec
        if spec is None:  # built on the first construction, then kept: a tree calls this once per node
            spec = init_spec(owner, init)
        if spec.has_props:
            kwargs = _apply_rules(type(self).__name__, spec, args, kwargs)
        try:
            init(self, *args, **kwargs)
        except TypeError:
            problem = _binding_problem(type(self).__name__, spec, args, kwargs)
            if problem is None:
                raise
            raise problem from None

    __init__.__iac_checked__ = True  # type: ignore[attr-defined]
    return __init__


_SPECS: dict[tuple[type, Callable[..., None]], InitSpec] = {}


def init_spec(owner: type, init: Callable[..., None] | None = None) -> InitSpec:
    """The props of `owner`'s own constructor (cached per class)."""
    init = init or inspect.unwrap(owner.__dict__["__init__"])
    key = (owner, init)
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = _build_spec(owner, init)
    return spec


def _build_spec(owner: type, init: Callable[..., None]) -> InitSpec:
    signature = inspect.signature(init)
    parameters = {name: parameter for name, parameter in signature.parameters.items()
                  if name not in ("self", "scope", "id")
                  and parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL)}
    return InitSpec(signature=signature, props=DeclaredProps(init, parameters),
                    cfn_type=getattr(owner, "cfn_type", None))


def _prop_spec(parameter: inspect.Parameter, annotation: Any) -> PropSpec:
    base, metadata = _split_annotated(annotation)
    cfn = next((m for m in metadata if isinstance(m, Cfn)), None)
    unit = next((m.unit for m in metadata if isinstance(m, Unit)), cfn.unit if cfn else None)
    checks = tuple(m for m in metadata if isinstance(m, Check))
    return PropSpec(name=parameter.name, annotation=base, default=parameter.default, cfn=cfn, unit=unit,
                    checks=checks)


def _type_hint(init: Callable[..., None], name: str) -> Any:
    """The annotation of `init`'s parameter `name`, evaluated in the constructor's module as
    typing.get_type_hints does; one that cannot be (a name imported only for type checkers) is left
    unchecked (Any) rather than failing the user's construction."""
    annotation = getattr(init, "__annotations__", {}).get(name, Any)
    if not isinstance(annotation, str):
        return annotation
    holder = init
    while hasattr(holder, "__wrapped__"):  # the module of the function itself, as get_type_hints finds it
        holder = holder.__wrapped__
    namespace = getattr(holder, "__globals__", {})
    try:
        return typing.get_type_hints(types.SimpleNamespace(__annotations__={name: annotation}), globalns=namespace,
                                     include_extras=True)[name]
    except Exception:  # noqa: BLE001 - a plain evaluation, else unchecked
        pass
    try:
        return eval(annotation, namespace)  # noqa: S307
    except Exception:  # noqa: BLE001
        return Any


def _split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    if typing.get_origin(annotation) is typing.Annotated:
        return annotation.__origin__, tuple(annotation.__metadata__)
    return annotation, ()


# -- applying the rules ----------------------------------------------------------------------

def _apply_rules(class_name: str, spec: InitSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    problem = _binding_problem(class_name, spec, args, kwargs, check_only_names=True)
    if problem is not None:
        raise problem
    converted = dict(kwargs)
    region: str | None = None
    props = spec.props
    built = props.built
    for name, value in kwargs.items():
        prop = built.get(name) or props.get(name)
        if prop is None or (value is None and prop.default is None):
            continue
        if region is None and prop.cfn is not None:  # only a bound property's schema depends on the region
            region = _scope_region(args, kwargs)
        try:
            converted[name] = check_prop(prop, value, spec.cfn_type, region=region or DEFAULT_REGION)
        except (TypeError, ValueError) as error:
            raise ConstructError(
                f"invalid argument for {class_name} {_construct_id(args, kwargs)!r}: {error}",
                path=_construct_path(args, kwargs),
                location=caller_location(),
            ) from None
    return converted


def check_prop(prop: PropSpec, value: Any, cfn_type: str | None, *, region: str = DEFAULT_REGION) -> Any:
    """`value` converted to the prop's unit and checked (against `region`'s schema of the bound property);
    TypeError/ValueError name what is wrong."""
    if prop.unit is not None:
        try:
            value = convert_quantity(value, prop.unit)
        except UnitError as error:
            raise ValueError(f"{prop.name}: {error} (the property takes {prop.unit})") from None
    if not prop.fits(value):
        annotation = _without_quantities(prop.annotation) if prop.unit is not None else prop.annotation
        raise TypeError(f"{prop.name} must be {describe_type(prop.annotation)}, got {_describe_value(value)}"
                        + _bad_item(value, annotation))
    if prop.cfn is not None and value is not None:  # None: left out; a token: schema_problem skips it
        problem = _schema_problem(prop.cfn, cfn_type, value, region)
        if problem:
            raise ValueError(f"{prop.name}: {problem}")
    for check in prop.checks:
        problem = check.rule(value)
        if problem:
            raise ValueError(f"{prop.name}: {problem}")
    return value


def unknown_argument(what: str, names: Any, known: list[str], *, path: str | None = None) -> ConstructError | None:
    """The ConstructError for the first of `names` not in `known` ("did you mean", else the known
    arguments), at the user's line; None when all are known. Shared by constructs, options values
    (`checked_options`), helper methods (forwarding.checked_keywords) and pipeline actions."""
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            return ConstructError(f"{what} has no argument {name!r}", path=path, location=caller_location(),
                                  hint=f"did you mean {close[0]}?" if close else f"its arguments: {', '.join(known)}")
    return None


_Init = TypeVar("_Init", bound=Callable[..., None])


def checked_options(init: _Init) -> _Init:
    """Decorate the `__init__` of an options value (a DeadLetterQueue, an event source, a subscription):
    its arguments are checked as a construct's are (a misspelt one gets "did you mean", each value meets
    its annotation and, with `Cfn`, its property's schema), and errors point at the user's line."""

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        spec = init_spec(type(self), init)
        name = type(self).__name__
        try:
            bound = spec.signature.bind(self, *args, **kwargs)
        except TypeError as error:
            problem = unknown_argument(name, kwargs, spec.keyword_names)
            if problem is not None:
                raise problem from None
            raise ConstructError(f"{name}: {error}", location=caller_location(),
                                 hint=f"its arguments: {', '.join(spec.keyword_names)}") from None
        for key, value in list(bound.arguments.items()):
            prop = spec.props.get(key)
            if prop is None or (value is None and prop.default is None):
                continue
            try:
                bound.arguments[key] = check_prop(prop, value, spec.cfn_type)
            except (TypeError, ValueError) as error:
                raise ConstructError(f"invalid argument for {name}: {error}", location=caller_location()) from None
        init(*bound.args, **bound.kwargs)

    return cast(_Init, __init__)  # the same signature, for type checkers and help()


def _without_quantities(annotation: Any) -> Any:
    """After conversion a Duration/Size is a number: check the converted value against the rest."""
    if _is_union(annotation):
        rest = [arm for arm in typing.get_args(annotation) if arm not in (Duration, Size)]
        return typing.Union[tuple(rest)] if rest else Any  # noqa: UP007 - built at run time
    return annotation


def _binding_problem(class_name: str, spec: InitSpec, args: tuple[Any, ...], kwargs: dict[str, Any],
                     check_only_names: bool = False) -> ConstructError | None:
    """The ConstructError for arguments the signature does not take, or None when they bind."""
    parameters = spec.signature.parameters
    if not spec.takes_any_keyword and not spec.parameter_names.issuperset(kwargs):
        problem = unknown_argument(f"{class_name} {_construct_id(args, kwargs)!r}",
                                   [name for name in kwargs if name not in parameters], spec.keyword_names,
                                   path=_construct_path(args, kwargs))
        if problem is not None:
            return problem
    if check_only_names:
        return None
    try:
        spec.signature.bind(None, *args, **kwargs)
    except TypeError as error:
        missing = re.search(r"missing a required (?:keyword-only )?argument: '(\w+)'", str(error))
        detail = f"needs the argument {missing.group(1)}=" if missing else str(error)
        return ConstructError(
            f"{class_name} {_construct_id(args, kwargs)!r} {detail}",
            path=_construct_path(args, kwargs),
            location=caller_location(),
        )
    return None


def _construct_id(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    value = args[1] if len(args) > 1 else kwargs.get("id", "?")
    return value if isinstance(value, str) else "?"


def _scope_region(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The region of the stack the construct is created in, when it names one cfn-lint has schemas for (an
    unknown region is reported when the stack is validated); else the default region."""
    node = args[0] if args else kwargs.get("scope")
    while node is not None and not getattr(node, "is_stack", False):
        node = getattr(node, "scope", None)
    region = getattr(node, "region", None)
    return region if isinstance(region, str) and region in known_regions() else DEFAULT_REGION


def _construct_path(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    scope = args[0] if args else kwargs.get("scope")
    scope_path = getattr(scope, "path", None)
    construct_id = _construct_id(args, kwargs)
    if not isinstance(scope_path, str):
        return None
    return f"{scope_path}/{construct_id}" if scope_path else construct_id


# -- annotations at run time -----------------------------------------------------------------

def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def matches(value: Any, annotation: Any) -> bool:
    """Whether `value` fits `annotation`, for the forms construct signatures use. A form this does not
    understand (a TypeVar, a non-runtime Protocol) accepts: the type checker is the judge there."""
    return matcher(annotation)(value)


def matcher(annotation: Any) -> Callable[[Any], bool]:
    """`matches(·, annotation)` as one function, made once per annotation: a tree of thousands of
    constructs asks the same few annotations again and again (one decomposition, not one per value)."""
    try:
        return _cached_matcher(annotation)
    except TypeError:  # an annotation that cannot be hashed: made each time
        return _make_matcher(annotation)


@functools.lru_cache(maxsize=1024)
def _cached_matcher(annotation: Any) -> Callable[[Any], bool]:
    return _make_matcher(annotation)


def _accept(value: Any) -> bool:
    return True


def _is_none(value: Any) -> bool:
    return value is None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain_class(annotation: Any) -> type | None:
    """The class when fitting `annotation` is `isinstance` alone (not int/float, which refuse a bool)."""
    if (isinstance(annotation, type) and typing.get_origin(annotation) is None
            and annotation not in (int, float, object, Any)  # Any is a class since Python 3.11
            and not (getattr(annotation, "_is_protocol", False)
                     and not getattr(annotation, "_is_runtime_protocol", False))):
        return annotation
    return None


def _make_matcher(annotation: Any) -> Callable[[Any], bool]:
    if annotation is Any or annotation is object or annotation is inspect.Parameter.empty:
        return _accept
    if annotation is None or annotation is type(None):
        return _is_none
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if _is_union(annotation):
        arms = tuple(matcher(arm) for arm in arguments)

        def fits_union(value: Any) -> bool:
            for arm in arms:  # in order, as written
                if arm(value):
                    return True
            return False

        return fits_union
    if origin is typing.Literal:
        return lambda value: any(value == option and type(value) is type(option) for option in arguments)
    if origin is typing.Annotated:
        return matcher(annotation.__origin__)
    if origin is not None:
        return _generic_matcher(origin, arguments)
    if annotation is float:
        return _is_real
    if annotation is int:
        return _is_int
    if isinstance(annotation, type):
        if getattr(annotation, "_is_protocol", False) and not getattr(annotation, "_is_runtime_protocol", False):
            return _accept
        return lambda value: isinstance(value, annotation)
    return _accept


def _all_fit(annotation: Any) -> Callable[[Any], bool]:
    """`all(matches(item, annotation) for item in items)` as one function of `items`."""
    plain = _plain_class(annotation)
    if plain is not None:
        return lambda items: all(map(isinstance, items, itertools.repeat(plain)))
    item = matcher(annotation)
    return lambda items: all(map(item, items))


def _generic_matcher(origin: Any, arguments: tuple[Any, ...]) -> Callable[[Any], bool]:
    if origin in (list, collections.abc.Sequence, collections.abc.MutableSequence):
        if not arguments or matcher(arguments[0]) is _accept:
            return lambda value: isinstance(value, list | tuple)
        items = _all_fit(arguments[0])
        return lambda value: isinstance(value, list | tuple) and items(value)
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            items = _all_fit(arguments[0])
            return lambda value: isinstance(value, tuple | list) and items(value)
        if not arguments:
            return lambda value: isinstance(value, tuple | list)
        each = tuple(matcher(argument) for argument in arguments)
        return lambda value: (isinstance(value, tuple | list) and len(value) == len(each)
                              and all(fits(item) for fits, item in zip(each, value, strict=True)))
    if origin in (collections.abc.Iterable, collections.abc.Collection, set, frozenset, collections.abc.Set):
        items = _all_fit(arguments[0]) if arguments else _accept

        def fits_iterable(value: Any) -> bool:
            if isinstance(value, str | bytes | dict) or not isinstance(value, collections.abc.Iterable):
                return False
            return items(value)

        return fits_iterable
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        if len(arguments) != 2:
            return lambda value: isinstance(value, collections.abc.Mapping)
        key, item = matcher(arguments[0]), matcher(arguments[1])
        keys = _all_fit(arguments[0])

        def fits_mapping(value: Any) -> bool:
            if type(value) is dict:  # a plain dict's keys alone when its values may be anything
                if item is _accept:
                    return key is _accept or keys(value)
            elif not isinstance(value, collections.abc.Mapping):
                return False
            return all(key(k) and item(v) for k, v in value.items())

        return fits_mapping
    if origin is collections.abc.Callable:
        return callable
    if origin is type:
        return lambda value: isinstance(value, type)
    if isinstance(origin, type):
        return lambda value: isinstance(value, origin)
    return lambda value: False


_SEQUENCES = (list, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Iterable,
              collections.abc.Collection)


def _bad_item(value: Any, annotation: Any) -> str:
    """For a list or dict that fails only because of one element: which one ("; item 1 is int 3")."""
    arms = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    for arm in arms:
        origin, arguments = typing.get_origin(arm), typing.get_args(arm)
        if origin in (dict, collections.abc.Mapping) and len(arguments) == 2 and isinstance(value, dict):
            for key, item in value.items():
                if not matches(item, arguments[1]):
                    return f"; the value of {key!r} is {_describe_value(item)}"
        elif origin in _SEQUENCES and arguments and isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if not matches(item, arguments[0]):
                    return f"; item {index} is {_describe_value(item)}"
    return ""


def describe_type(annotation: Any) -> str:
    """The annotation as a reader writes it: `int | None`, `list[str]`, `'Active' | 'PassThrough'`."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return "any value"
    if annotation is None or annotation is type(None):
        return "None"
    if _is_union(annotation):
        return " | ".join(describe_type(arm) for arm in typing.get_args(annotation))
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(option) for option in typing.get_args(annotation))
    if origin is typing.Annotated:
        return describe_type(annotation.__origin__)
    if origin is not None:
        arguments = ", ".join("Any" if a is Any else "..." if a is Ellipsis else describe_type(a)
                              for a in typing.get_args(annotation))
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{arguments}]" if arguments else name
    return getattr(annotation, "__name__", str(annotation))


def _describe_value(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _contains_token(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Token):
            return True
        if isinstance(item, str) and "${Token[" in item:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


# -- the schema of a bound property ------------------------------------------------------------

def _schema_problem(cfn: Cfn, cfn_type: str | None, value: Any, region: str) -> str | None:
    resource_type = cfn.type or cfn_type
    if resource_type is None:
        return None
    return schema_problem(resource_type, (cfn.property,), value, region=region)


def schema_problem(resource_type: str, path: tuple[str, ...], value: Any, *,
                   region: str = DEFAULT_REGION) -> str | None:
    """What the registry schema of the property at `path` (top-level, or nested below one: `Cfn(...)`
    binds top-level properties only) says is wrong with `value`, or None (also when the value holds a
    token, which CloudFormation checks at deploy)."""
    if _contains_token(value):
        return None
    document = property_document(resource_type, *path, region=region)
    if document is None:
        return None
    instance = _as_json(value)
    if _plainly_valid(document, instance, document):  # the common case, answered without jsonschema
        return None
    validator = _property_validator(resource_type, path, region)
    if validator is None:
        return None
    error = next(iter(sorted(validator.iter_errors(instance), key=lambda e: list(e.path))), None)
    if error is None:
        return None
    where = "".join(f"[{part!r}]" for part in error.path)
    return (f"{_short_message(error)}{' at ' + where if where else ''}{_nearest(error)} "
            f"({resource_type} {'.'.join(path)}, per its schema)")


def schema_rule(resource_type: str, *path: str) -> Callable[[Any], str | None]:
    """A `Check` rule: the value as the schema of the (nested) property at `path` describes it."""

    def rule(value: Any) -> str | None:
        return schema_problem(resource_type, path, value)

    rule.__name__ = f"schema_of_{'_'.join(path)}"
    return rule


def _as_json(value: Any) -> Any:
    """Tuples as lists: a list prop (`Sequence[str]`) accepts either, and JSON Schema's array is a list."""
    if isinstance(value, list | tuple):
        return [_as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    return value


def _short_message(error: Any) -> str:
    """jsonschema's message, with a long enum list cut (the docs reference lists them all)."""
    if error.validator == "enum" and isinstance(error.validator_value, list) and len(error.validator_value) > 12:
        shown = ", ".join(repr(v) for v in error.validator_value[:12])
        return f"{error.instance!r} is not one of {shown}, ... ({len(error.validator_value)} values)"
    return str(error.message)


def _nearest(error: Any) -> str:
    """For a value outside an enum, the closest accepted one: "(nearest: 7)", "(did you mean 'arm64'?)"."""
    options = error.validator_value if error.validator == "enum" else None
    value = error.instance
    if not isinstance(options, list) or not options:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        numbers = [option for option in options if isinstance(option, int | float)]
        return f" (nearest: {min(numbers, key=lambda option: abs(option - value))})" if numbers else ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, [str(option) for option in options], n=1, cutoff=0.5)
        return f" (did you mean {close[0]!r}?)" if close else ""
    return ""


@functools.cache
def _property_validator(resource_type: str, path: tuple[str, ...], region: str) -> Any:
    """A JSON-schema validator for one (nested) property of the type's schema in `region`, or None when
    the schema has no such property (then nothing is checked: the template layer still validates)."""
    document = property_document(resource_type, *path, region=region)
    if document is None:
        return None
    return _pattern_validator()(document)


def _pattern_engine() -> Any:
    """`regex` (the registry schemas' \\p{L}-style classes are only known to it), else `re`."""
    try:
        import regex as engine
    except ImportError:  # pragma: no cover - regex is a cfn-lint dependency
        import re as engine  # type: ignore[no-redef]
    return engine


def _unicode_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema's `pattern` with the registry schemas' \\p{L}-style classes, which only `regex` knows."""
    import jsonschema

    if isinstance(instance, str) and not _pattern_engine().search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


#: Draft 7's keywords (jsonschema's Draft7Validator.VALIDATORS; a test holds them equal): any other key of a
#: schema node is an annotation that validation ignores ("description", "insertionOrder", ...).
DRAFT7_KEYWORDS = frozenset({
    "$ref", "additionalItems", "additionalProperties", "allOf", "anyOf", "const", "contains", "dependencies",
    "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items", "maxItems", "maxLength",
    "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf",
    "pattern", "patternProperties", "properties", "propertyNames", "required", "type", "uniqueItems",
})
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "null": lambda value: value is None,
}
_DEFINITION_REF = re.compile(r"#/definitions/([A-Za-z0-9_]+)")


def _plainly_valid(schema: Any, instance: Any, document: dict[str, Any], depth: int = 0) -> bool:
    """True when `instance` certainly meets `schema` as the Draft 7 validator of `_pattern_validator` judges
    it; False when it does not, or when this cannot tell (keywords it does not decide: `oneOf`, `not`, `if`,
    `multipleOf`, ...). Only True skips jsonschema, so every False still gets jsonschema's own verdict and
    message, and importing jsonschema (~50 ms) is left to values that need it."""
    if schema is True:
        return True
    if not isinstance(schema, dict) or depth > 32 or "$id" in schema:
        return False
    ref = schema.get("$ref")
    if ref is not None:  # Draft 7: a $ref's siblings are ignored
        found = _DEFINITION_REF.fullmatch(ref) if isinstance(ref, str) else None
        definitions = document.get("definitions")
        if found is None or not isinstance(definitions, dict) or found.group(1) not in definitions:
            return False
        return _plainly_valid(definitions[found.group(1)], instance, document, depth + 1)
    for keyword, expected in schema.items():
        if keyword in DRAFT7_KEYWORDS and not _keyword_holds(keyword, expected, instance, schema, document, depth):
            return False
    return True


def _keyword_holds(keyword: str, expected: Any, instance: Any, schema: dict[str, Any], document: dict[str, Any],
                   depth: int) -> bool:
    """Whether one keyword certainly holds (see _plainly_valid); False also for "cannot tell"."""
    if isinstance(instance, numbers.Number) and not isinstance(instance, int | float):
        return False  # a Decimal, a Fraction: jsonschema's own number rules
    is_number = isinstance(instance, int | float) and not isinstance(instance, bool)
    if keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        return any(name in _JSON_TYPES and _JSON_TYPES[name](instance) for name in names)
    if keyword == "format":  # not asserted: the validator has no format checker
        return True
    if keyword == "enum":
        return isinstance(expected, list) and _scalar_in(instance, expected)
    if keyword == "const":
        return _scalar_in(instance, [expected])
    if keyword in ("minLength", "maxLength"):
        if not isinstance(instance, str):
            return True
        return isinstance(expected, int) and (len(instance) >= expected if keyword == "minLength"
                                              else len(instance) <= expected)
    if keyword == "pattern":
        if not isinstance(instance, str):
            return True
        return isinstance(expected, str) and pattern_matches(expected, instance) is True
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not is_number:
            return True
        if not isinstance(expected, int | float) or isinstance(expected, bool):
            return False
        return {"minimum": instance >= expected, "maximum": instance <= expected,
                "exclusiveMinimum": instance > expected, "exclusiveMaximum": instance < expected}[keyword]
    if keyword in ("minItems", "maxItems"):
        if not isinstance(instance, list):
            return True
        return isinstance(expected, int) and (len(instance) >= expected if keyword == "minItems"
                                              else len(instance) <= expected)
    if keyword == "items":
        if not isinstance(instance, list):
            return True
        return isinstance(expected, dict | bool) and all(
            _plainly_valid(expected, item, document, depth + 1) for item in instance)
    if keyword == "additionalItems":  # ignored where items is one schema for every item (or absent)
        return isinstance(schema.get("items", {}), dict)
    if keyword == "uniqueItems":
        if expected is False or not isinstance(instance, list):
            return True
        return all(isinstance(item, str) for item in instance) and len(set(instance)) == len(instance)
    if keyword in ("properties", "required", "additionalProperties"):
        return not isinstance(instance, dict) or _object_holds(keyword, expected, instance, schema, document, depth)
    if keyword == "allOf":
        return isinstance(expected, list) and all(
            _plainly_valid(branch, instance, document, depth + 1) for branch in expected)
    if keyword == "anyOf":
        return isinstance(expected, list) and any(
            _plainly_valid(branch, instance, document, depth + 1) for branch in expected)
    return False  # oneOf, not, if, contains, dependencies, patternProperties, propertyNames, ...: jsonschema


def _object_holds(keyword: str, expected: Any, instance: dict[str, Any], schema: dict[str, Any],
                  document: dict[str, Any], depth: int) -> bool:
    if keyword == "required":
        return isinstance(expected, list) and all(name in instance for name in expected)
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        return False
    if keyword == "properties":
        return all(_plainly_valid(properties[name], item, document, depth + 1)
                   for name, item in instance.items() if name in properties)
    extra = [item for name, item in instance.items() if name not in properties]
    if not extra:
        return True
    if "patternProperties" in schema or expected is False:  # extra names a pattern may take: jsonschema
        return False
    return all(_plainly_valid(expected, item, document, depth + 1) for item in extra)


def _scalar_in(instance: Any, options: list[Any]) -> bool:
    """`instance` equals one of `options` as JSON Schema compares (True is not 1); False for "cannot tell"."""
    if isinstance(instance, str):
        return instance in [option for option in options if isinstance(option, str)]
    if isinstance(instance, bool):
        return any(option is instance for option in options)
    if isinstance(instance, int) or instance is None:
        return any(option == instance and type(option) is type(instance) for option in options)
    return False


@functools.cache
def _pattern_validator() -> Any:
    """Draft 7 with `_unicode_pattern` (made on first use: jsonschema is imported only when a prop is checked)."""
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _unicode_pattern})


def cfn_property_schema(resource_type: str, property_name: str) -> dict[str, Any]:
    """The (resolved) schema node of a bound property, for docs: description, range, enum."""
    return property_schema(resource_type, property_name) or {}
