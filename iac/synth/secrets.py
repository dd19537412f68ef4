"""Secrets written into a template: findings, never the values themselves.

A template is stored by CloudFormation and shown to anyone who may call GetTemplate, copied into
`iac.out/`, committed, uploaded to buckets and printed by diffs. A password in it is a password
published. CloudFormation offers two ways to keep one out: a dynamic reference
(`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`), resolved only at deploy time, and a
`NoEcho` parameter without a `Default`, given at deploy time. These checks flag the ways a secret
gets in anyway:

- IAC-SECRET-001: a `NoEcho` parameter with a `Default` (the default is in the template, in clear);
- IAC-SECRET-002: a literal value under a name that says it is a secret (a property, an environment
  variable, a parameter's default): `MasterUserPassword: hunter2`, `DB_PASSWORD`, `ClientSecret`;
- IAC-SECRET-003: a value that *is* a credential whatever its name: an AWS access key id, a private key.

They are warnings (errors with `--strict`): a name-based check can be wrong, and the user decides.
A finding names where the value is and how long it is, never what it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import attrs

from iac.synth.template import section

NOECHO_DEFAULT = "IAC-SECRET-001"
SECRET_BY_NAME = "IAC-SECRET-002"
CREDENTIAL_VALUE = "IAC-SECRET-003"

#: The last word of a name that holds a secret, lower case with separators removed: `MasterUserPassword`,
#: `DB_PASSWORD`, `clientSecret`. Words such as Arn, Name, Id, Length or Policy after them (`SecretArn`,
#: `PasswordLength`) name something about a secret, not the secret, so only the end of a name counts.
SECRET_NAME_ENDINGS = (
    "password", "passwd", "passphrase", "secret", "secretstring", "secretkey", "secretaccesskey",
    "privatekey", "apikey", "accesstoken", "authtoken", "oauthtoken", "bearertoken", "apitoken", "secrettoken",
    "clientsecret",
)
#: "Token" as a word of its own in a variable-style name (`GITHUB_TOKEN`, `npm-token`) is a credential;
#: run into a CloudFormation property name (`ServiceToken`, `ClientRequestToken`) it is an identifier.
SEPARATE_TOKEN_WORD = re.compile(r"(?:^|[_\-.])token$", re.IGNORECASE)
#: Values that are flags, not secrets, even under a secret's name (`IsSecret: "true"`).
FLAG_VALUES = frozenset({"", "true", "false", "yes", "no", "none", "null"})
DYNAMIC_REFERENCE = "{{resolve:"
#: AWS access key ids (long-term AKIA, temporary ASIA) and PEM private keys, the credentials that are
#: recognisable by their text alone.
#: Each with a substring every match contains, tested before the pattern.
CREDENTIAL_PATTERNS = (
    ("an AWS access key id", "IA", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("a private key", "PRIVATE KEY", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
)
#: The two markers, for the scan that tests them inline (a string without either holds no credential).
_MARKER_1, _MARKER_2 = (marker for _, marker, _ in CREDENTIAL_PATTERNS)
FIX = ("use a dynamic reference ({{resolve:secretsmanager:NAME:SecretString:KEY}} or {{resolve:ssm-secure:NAME}}), "
       "or a NoEcho parameter without a default")

TemplatePath = tuple[str | int, ...]


@attrs.frozen(kw_only=True)
class SecretFinding:
    """A place in a template where a secret is (or is likely) written in clear."""

    rule_id: str
    message: str
    path: TemplatePath
    hint: str = FIX


def secret_findings(template: dict[str, Any]) -> list[SecretFinding]:
    """Every secret found in `template`'s parameters, resources and outputs, in template order."""
    return [*_parameter_findings(template), *_value_findings(template)]


@functools.lru_cache(maxsize=4096)
def looks_like_secret_name(name: str) -> bool:
    """Whether a property, variable or parameter name says its value is a secret (cached: a template
    repeats the same few hundred property names thousands of times)."""
    plain = re.sub(r"[^a-z0-9]", "", name.lower())
    return plain.endswith(SECRET_NAME_ENDINGS) or SEPARATE_TOKEN_WORD.search(name) is not None


def _parameter_findings(template: dict[str, Any]) -> Iterator[SecretFinding]:
    for name, parameter in section(template, "Parameters").items():
        if not isinstance(parameter, dict) or "Default" not in parameter:
            continue
        path: TemplatePath = ("Parameters", name, "Default")
        if _is_true(parameter.get("NoEcho")):
            yield SecretFinding(
                rule_id=NOECHO_DEFAULT, path=path,
                message=f"NoEcho parameter {name!r} has a Default: NoEcho hides the value CloudFormation is given, "
                        "not the default, which is in the template in clear",
                hint="remove the Default and pass the value at deploy time, or use a dynamic reference")
        elif looks_like_secret_name(name) and _is_literal_secret(parameter["Default"]):
            yield SecretFinding(
                rule_id=SECRET_BY_NAME, path=path,
                message=f"parameter {name!r} looks like a secret and has a literal Default "
                        f"({_length(parameter['Default'])}): the template holds it in clear",
                hint="make it NoEcho without a Default, or use a dynamic reference")


def _value_findings(template: dict[str, Any]) -> Iterator[SecretFinding]:
    for section_name in ("Resources", "Outputs"):
        for logical_id, entry in section(template, section_name).items():
            # most entries hold no secret: a path-free scan says so, and only the others are walked for their paths
            if isinstance(entry, dict) and _mapping_has_finding(entry):
                yield from _walk(entry, (section_name, logical_id), key=None)


#: looks_like_secret_name of each name the scan met: a dict read costs less than the lru_cache call.
_SECRET_NAMES: dict[str, bool] = {}
_SECRET_NAMES_KEPT = 65536


def _is_secret_name(name: Any) -> bool:
    """looks_like_secret_name(str(name)), kept in _SECRET_NAMES (emptied when full: names are unbounded)."""
    text = name if type(name) is str else str(name)
    found = _SECRET_NAMES.get(text)
    if found is None:
        if len(_SECRET_NAMES) >= _SECRET_NAMES_KEPT:
            _SECRET_NAMES.clear()
        found = _SECRET_NAMES[text] = looks_like_secret_name(text)
    return found


def _mapping_has_finding(value: dict[Any, Any]) -> bool:
    """Whether `_walk(value, ...)` finds anything, with no paths, generators or findings built: the same
    decisions as _walk and _string_findings, made per value, stopping at the first that finds. (A plain
    recursion over mappings and lists, the common kinds tested inline: measured faster than an explicit
    stack, and than one function for every kind of value.)"""
    if len(value) == 1:
        for function in value:
            if function == "Ref" or (isinstance(function, str) and function.startswith("Fn::")):  # _is_intrinsic
                argument = value[function]
                kind = type(argument)
                if kind is str:
                    return (_MARKER_1 in argument or _MARKER_2 in argument) and _credential_in(argument) is not None
                if kind is list:
                    return _items_have_finding(argument, False)
                return _value_has_finding(argument, False)
    names = _SECRET_NAMES
    named = _named_value_key(value) if "Value" in value and "Name" in value else None
    for child_key, child in value.items():
        kind = type(child)
        if kind is str:
            if (_MARKER_1 in child or _MARKER_2 in child) and _credential_in(child) is not None:
                return True
            name = named if named and child_key == "Value" else child_key
            secret = names.get(name)
            if secret is None:
                secret = _is_secret_name(name)
            if secret and _is_literal_secret(child):
                return True
        elif kind is dict:
            if _mapping_has_finding(child):
                return True
        elif kind is list:
            name = named if named and child_key == "Value" else child_key
            secret = names.get(name)
            if secret is None:
                secret = _is_secret_name(name)
            if _items_have_finding(child, secret):
                return True
        elif kind is int or kind is bool or child is None:
            continue  # _walk never looks at them
        elif isinstance(child, dict | list | str) and _value_has_finding(
                child, _is_secret_name(named if named and child_key == "Value" else child_key)):
            return True
    return False


def _items_have_finding(items: list[Any], secret: bool) -> bool:
    """_value_has_finding of a list's items, the common kinds inline."""
    for item in items:
        kind = type(item)
        if kind is str:
            if (_MARKER_1 in item or _MARKER_2 in item) and _credential_in(item) is not None:
                return True
            if secret and _is_literal_secret(item):
                return True
        elif kind is dict:
            if _mapping_has_finding(item):
                return True
        elif kind is list:
            if _items_have_finding(item, secret):
                return True
        elif _value_has_finding(item, secret):
            return True
    return False


def _value_has_finding(value: Any, secret: bool) -> bool:
    """Whether `_walk(value, ..., key=K)` finds anything, `secret` being looks_like_secret_name(K)."""
    if isinstance(value, dict):
        return _mapping_has_finding(value)
    if isinstance(value, list):
        return _items_have_finding(value, secret)
    if isinstance(value, str):
        return _credential_in(value) is not None or (secret and _is_literal_secret(value))
    return False


def _credential_in(value: str) -> str | None:
    """What credential `value` holds (CREDENTIAL_PATTERNS' description), or None."""
    for what, marker, pattern in CREDENTIAL_PATTERNS:
        if marker in value and pattern.search(value):  # the substring test first: most values hold neither
            return what
    return None


def _walk(value: Any, path: TemplatePath, *, key: str | None) -> Iterator[SecretFinding]:
    """Depth-first over one entry; `key` is the name the value sits under (a property, a variable)."""
    if isinstance(value, dict):
        if _is_intrinsic(value):  # computed, not written: only a credential's own text can give it away
            for function, argument in value.items():
                yield from _walk(argument, (*path, function), key=None)
            return
        named = _named_value_key(value)
        for child_key, child in value.items():
            yield from _walk(child, (*path, child_key), key=named if child_key == "Value" and named else str(child_key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, (*path, index), key=key)
    elif isinstance(value, str):
        yield from _string_findings(value, path, key)


def _is_intrinsic(value: dict[str, Any]) -> bool:
    if len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))


def _named_value_key(value: dict[str, Any]) -> str | None:
    """The name of a `{Name: DB_PASSWORD, Value: ...}` pair (ECS and CodeBuild environment variables), unless
    its `Type` says the value is where the secret is stored (PARAMETER_STORE, SECRETS_MANAGER), not the secret."""
    name = value.get("Name")
    if not isinstance(name, str) or "Value" not in value:
        return None
    kind = value.get("Type")
    return name if kind is None or kind == "PLAINTEXT" else None


def _string_findings(value: str, path: TemplatePath, key: str | None) -> Iterator[SecretFinding]:
    what = _credential_in(value)
    if what is not None:
        yield SecretFinding(rule_id=CREDENTIAL_VALUE, path=path, message=f"{_dotted(path)} holds {what} in clear")
        return
    if key is not None and looks_like_secret_name(key) and _is_literal_secret(value):
        yield SecretFinding(rule_id=SECRET_BY_NAME, path=path,
                            message=f"{_dotted(path)} looks like a secret and is a literal ({_length(value)}): "
                                    "the template holds it in clear")


def _dotted(path: TemplatePath) -> str:
    return ".".join(str(part) for part in path)


def _is_literal_secret(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    text = str(value)
    return text.strip().lower() not in FLAG_VALUES and DYNAMIC_REFERENCE not in text


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _length(value: Any) -> str:
    count = len(str(value))
    return f"{count} character{'s' if count != 1 else ''}"
