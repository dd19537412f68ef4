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
            if isinstance(entry, dict):
                yield from _walk(entry, (section_name, logical_id), key=None)


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
    for what, marker, pattern in CREDENTIAL_PATTERNS:
        if marker in value and pattern.search(value):  # the substring test first: most values hold neither
            yield SecretFinding(rule_id=CREDENTIAL_VALUE, path=path,
                                message=f"{_dotted(path)} holds {what} in clear")
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
