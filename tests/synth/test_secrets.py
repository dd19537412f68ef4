"""Secrets written into templates are found by where they are, and never repeated in a finding."""

from __future__ import annotations

from collections.abc import Iterator
from random import Random
from typing import Any

import pytest
from template_corpus import sample_count, sample_stacks, templates_under_tests

from iac.synth import secrets
from iac.synth.secrets import (
    CREDENTIAL_VALUE,
    NOECHO_DEFAULT,
    SECRET_BY_NAME,
    looks_like_secret_name,
    secret_findings,
)


def template_with(properties: dict[str, Any], type: str = "AWS::RDS::DBInstance") -> dict[str, Any]:
    return {"Resources": {"Db": {"Type": type, "Properties": properties}}}


def found(template: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.rule_id, ".".join(str(p) for p in f.path)) for f in secret_findings(template)]


def test_noecho_parameter_with_default_is_found() -> None:
    template = {"Parameters": {"DbPass": {"Type": "String", "NoEcho": True, "Default": "hunter22"}},
                "Resources": {}}
    assert found(template) == [(NOECHO_DEFAULT, "Parameters.DbPass.Default")]


def test_noecho_as_text_counts_too() -> None:
    template = {"Parameters": {"Key": {"Type": "String", "NoEcho": "true", "Default": "x"}}}
    assert found(template) == [(NOECHO_DEFAULT, "Parameters.Key.Default")]


def test_noecho_parameter_without_default_is_fine() -> None:
    assert found({"Parameters": {"DbPass": {"Type": "String", "NoEcho": True}}}) == []


def test_secret_named_parameter_with_literal_default_is_found() -> None:
    template = {"Parameters": {"AdminPassword": {"Type": "String", "Default": "changeme"}}}
    assert found(template) == [(SECRET_BY_NAME, "Parameters.AdminPassword.Default")]


def test_literal_password_property_is_found() -> None:
    assert found(template_with({"MasterUserPassword": "hunter22", "MasterUsername": "admin"})) == [
        (SECRET_BY_NAME, "Resources.Db.Properties.MasterUserPassword")]


def test_dynamic_references_and_intrinsics_are_fine() -> None:
    template = template_with({
        "MasterUserPassword": "{{resolve:secretsmanager:db:SecretString:password}}",
        "Password2": {"Ref": "DbPass"},
        "Password3": {"Fn::Sub": "{{resolve:ssm-secure:/db/pass}}"},
    })
    assert found(template) == []


def test_lambda_environment_variables_are_checked_by_name() -> None:
    template = template_with({"Environment": {"Variables": {"DB_PASSWORD": "s3cret!", "TABLE": "t"}}},
                             type="AWS::Lambda::Function")
    assert found(template) == [(SECRET_BY_NAME, "Resources.Db.Properties.Environment.Variables.DB_PASSWORD")]


def test_name_value_pairs_are_checked_by_their_name() -> None:
    template = template_with({"ContainerDefinitions": [{"Environment": [
        {"Name": "API_KEY", "Value": "abc123"}, {"Name": "REGION", "Value": "us-east-1"}]}]},
        type="AWS::ECS::TaskDefinition")
    assert found(template) == [(SECRET_BY_NAME, "Resources.Db.Properties.ContainerDefinitions.0.Environment.0.Value")]


def test_codebuild_variables_stored_elsewhere_are_fine() -> None:
    template = template_with({"Environment": {"EnvironmentVariables": [
        {"Name": "GITHUB_TOKEN", "Type": "SECRETS_MANAGER", "Value": "github:token"}]}},
        type="AWS::CodeBuild::Project")
    assert found(template) == []


def test_codebuild_plaintext_secret_is_found() -> None:
    template = template_with({"Environment": {"EnvironmentVariables": [
        {"Name": "GITHUB_TOKEN", "Type": "PLAINTEXT", "Value": "ghp_abc"}]}}, type="AWS::CodeBuild::Project")
    assert [rule for rule, _ in found(template)] == [SECRET_BY_NAME]


@pytest.mark.parametrize("name", ["MasterUserPassword", "DB_PASSWORD", "clientSecret", "SecretString",
                                  "AWS_SECRET_ACCESS_KEY", "ApiKey", "authToken", "Passphrase", "PrivateKey",
                                  "GITHUB_TOKEN", "npm-token", "token"])
def test_secret_names(name: str) -> None:
    assert looks_like_secret_name(name)


@pytest.mark.parametrize("name", ["SecretArn", "SecretName", "PasswordLength", "ServiceToken", "TokenUrl",
                                  "ClientRequestToken", "PasswordPolicy", "KmsKeyId", "GenerateSecretStringX"])
def test_names_about_secrets_are_not_secrets(name: str) -> None:
    assert not looks_like_secret_name(name)


def test_flag_values_under_secret_names_are_fine() -> None:
    assert found(template_with({"IsSecret": "true", "ManageMasterUserPassword": True, "Password": ""})) == []


def test_generated_secret_config_is_fine() -> None:
    template = template_with({"GenerateSecretString": {"PasswordLength": 32, "ExcludeCharacters": "\"@/"}},
                             type="AWS::SecretsManager::Secret")
    assert found(template) == []


def test_access_key_id_is_found_whatever_its_name() -> None:
    template = template_with({"Description": "key AKIAABCDEFGHIJKLMNOP here"}, type="Custom::Thing")
    assert found(template) == [(CREDENTIAL_VALUE, "Resources.Db.Properties.Description")]


def test_private_key_inside_a_sub_is_found() -> None:
    template = template_with({"UserData": {"Fn::Base64": {"Fn::Sub": "-----BEGIN RSA PRIVATE KEY-----\nMIIE"}}},
                             type="AWS::EC2::Instance")
    assert found(template) == [(CREDENTIAL_VALUE, "Resources.Db.Properties.UserData.Fn::Base64.Fn::Sub")]


def test_outputs_are_checked() -> None:
    template = {"Resources": {}, "Outputs": {"Secret": {"Value": "AKIAABCDEFGHIJKLMNOP"}}}
    assert found(template) == [(CREDENTIAL_VALUE, "Outputs.Secret.Value")]


def test_a_finding_never_repeats_the_secret() -> None:
    template = {"Parameters": {"AdminPassword": {"Type": "String", "Default": "correct-horse"}},
                "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
                    "MasterUserPassword": "battery-staple", "Description": "AKIAABCDEFGHIJKLMNOP"}}}}
    text = " ".join(f"{f.message} {f.hint}" for f in secret_findings(template))
    for secret in ("correct-horse", "battery-staple", "AKIAABCDEFGHIJKLMNOP"):
        assert secret not in text
    assert "13 characters" in text


def test_synth_keeps_secrets_as_warnings_and_strict_fails_on_them(tmp_path) -> None:
    from iac import App, CfnResource, Parameter, Stack, ValidationError
    from iac.synth import synthesize_app

    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    Parameter(stack, "DbPass", no_echo=True, default="hunter22")

    assembly = synthesize_app(app, lint=False)
    assert [(w.code, w.path, w.severity) for w in assembly.warnings] == [(NOECHO_DEFAULT, "Main/DbPass", "warning")]
    assert assembly.warnings[0].location is not None and assembly.warnings[0].location.file == __file__
    with pytest.raises(ValidationError) as caught:
        synthesize_app(app, lint=False, strict=True)
    assert [getattr(p, "code", None) for p in caught.value.problems] == [NOECHO_DEFAULT]


# -- the scan that skips entries holding no secret finds what the plain walk finds ---------------------------
#
# secret_findings scans each resource and output first without paths (secrets._mapping_has_finding) and walks
# for paths only the entries that hold a finding. The plain walk below is the algorithm as it was before that
# scan: the fast one must give the same findings, in the same order, with the same messages.



def reference_secret_findings(template: dict[str, Any]) -> list[secrets.SecretFinding]:
    """secret_findings as the plain depth-first walk of every entry, every value visited with its path."""
    found = list(secrets._parameter_findings(template))
    for section_name in ("Resources", "Outputs"):
        entries = template.get(section_name) if isinstance(template, dict) else None
        for logical_id, entry in (entries if isinstance(entries, dict) else {}).items():
            if isinstance(entry, dict):
                found += _reference_walk(entry, (section_name, logical_id), key=None)
    return found


def _reference_walk(value: Any, path: tuple[str | int, ...], *, key: str | None) -> Iterator[secrets.SecretFinding]:
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) == "Ref" or (
                isinstance(next(iter(value)), str) and next(iter(value)).startswith("Fn::"))):
            for function, argument in value.items():
                yield from _reference_walk(argument, (*path, function), key=None)
            return
        name = value.get("Name")
        named = name if isinstance(name, str) and "Value" in value and value.get("Type") in (None, "PLAINTEXT") \
            else None
        for child_key, child in value.items():
            yield from _reference_walk(child, (*path, child_key),
                                       key=named if child_key == "Value" and named else str(child_key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _reference_walk(child, (*path, index), key=key)
    elif isinstance(value, str):
        dotted = ".".join(str(part) for part in path)
        for what, _, pattern in secrets.CREDENTIAL_PATTERNS:
            if pattern.search(value):
                yield secrets.SecretFinding(rule_id=CREDENTIAL_VALUE, path=path,
                                            message=f"{dotted} holds {what} in clear")
                return
        if key is not None and looks_like_secret_name(key) and secrets._is_literal_secret(value):
            yield secrets.SecretFinding(
                rule_id=SECRET_BY_NAME, path=path,
                message=f"{dotted} looks like a secret and is a literal ({len(value)} character"
                        f"{'s' if len(value) != 1 else ''}): the template holds it in clear")


def _same(template: Any) -> list[secrets.SecretFinding]:
    fast = secret_findings(template)
    assert fast == reference_secret_findings(template)
    return fast


def test_every_template_under_tests_gives_what_the_plain_walk_gives() -> None:
    templates = templates_under_tests()
    assert len(templates) > 100  # the corpus and the check and synth fixtures
    findings = [finding for _, template in templates if isinstance(template, dict) for finding in _same(template)]
    assert findings  # the fixtures hold secrets: the comparison is not of empty lists only


def test_every_samples_stacks_give_what_the_plain_walk_gives() -> None:
    stacks = sample_stacks()
    assert len(stacks) >= sample_count()
    for name, template in stacks:
        assert secret_findings(template) == reference_secret_findings(template), name


AKID = "AKIAABCDEFGHIJKLMNOP"
PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"


class _Text(str):
    pass


class _Mapping(dict[Any, Any]):
    pass


class _Items(list[Any]):
    pass


@pytest.mark.parametrize("properties, expected", [
    ({"Deep": [[[{"A": [["x", f"id {AKID}"]]}]]]}, [
        (CREDENTIAL_VALUE, "Resources.Db.Properties.Deep.0.0.0.A.0.1")]),
    ({"DB_PASSWORD": [["ok", ["hunter22"]]]}, [
        (SECRET_BY_NAME, "Resources.Db.Properties.DB_PASSWORD.0.0"),
        (SECRET_BY_NAME, "Resources.Db.Properties.DB_PASSWORD.0.1.0")]),
    ({"ApiKey": [{"Nested": "not inherited by a mapping"}, "abc"]}, [
        (SECRET_BY_NAME, "Resources.Db.Properties.ApiKey.1")]),
    ({"Env": [{"Name": "API_KEY", "Type": "PARAMETER_STORE", "Value": "/app/key"}]}, []),
    ({"Env": [{"Name": "API_KEY", "Type": "SECRETS_MANAGER", "Value": [AKID]}]}, [
        (CREDENTIAL_VALUE, "Resources.Db.Properties.Env.0.Value.0")]),
    ({"Env": [{"Name": "API_KEY", "Type": "PLAINTEXT", "Value": ["a", "b"]}]}, [
        (SECRET_BY_NAME, "Resources.Db.Properties.Env.0.Value.0"),
        (SECRET_BY_NAME, "Resources.Db.Properties.Env.0.Value.1")]),
    ({"Env": [{"Name": "REGION", "Value": "eu-west-1", "Password": "p4ss"}]}, [
        (SECRET_BY_NAME, "Resources.Db.Properties.Env.0.Password")]),
    ({"Env": [{"Name": "", "Value": "x"}, {"Name": 5, "Value": "y"}, {"Name": "TOKEN"}]}, []),
    ({"Password": {"Fn::Join": ["", ["hunter", "22"]]}, "Secret": {"Ref": "Param"}}, []),
    ({"Password": {"Fn::Join": ["", ["x", {"Fn::Sub": PEM}]]}}, [
        (CREDENTIAL_VALUE, "Resources.Db.Properties.Password.Fn::Join.1.1.Fn::Sub")]),
    ({"Password": {"Fn::If": ["C", {"Password": "inside"}, {"Ref": "AWS::NoValue"}]}}, [
        (SECRET_BY_NAME, "Resources.Db.Properties.Password.Fn::If.1.Password")]),
    ({"Password": {"Fn::Other": "not an intrinsic's name alone", "Extra": 1}}, []),
    ({"Password": {"NotFn": "hunter22"}, "Token": {"Ref": AKID}}, [
        (CREDENTIAL_VALUE, "Resources.Db.Properties.Token.Ref")]),
    ({"Password": 123456, "ApiKey": 1.5, "Secret": True, "AuthToken": None, "PrivateKey": ("in", "a", "tuple")}, []),
    ({"Description": "AWS::IAM::Role has the marker IA", "Note": "PRIVATE KEY but no PEM header"}, []),
    ({1: "one", (2, "Password"): "yes", None: ["hunter22"], 2.5: AKID}, [
        (CREDENTIAL_VALUE, "Resources.Db.Properties.2.5")]),
    ({"Password": _Text("hunter22"), "List": _Items([_Text(AKID)]), "Map": _Mapping({"Secret": "s"})}, [
        (SECRET_BY_NAME, "Resources.Db.Properties.Password"), (CREDENTIAL_VALUE, "Resources.Db.Properties.List.0"),
        (SECRET_BY_NAME, "Resources.Db.Properties.Map.Secret")]),
    ({"Password": "true", "Secret": " None ", "ApiKey": "{{resolve:ssm-secure:/k}}", "Passwd": ""}, []),
])
def test_the_cases_a_scan_must_not_skip(properties: dict[Any, Any], expected: list[tuple[str, str]]) -> None:
    template = template_with(properties, type="Custom::Thing")
    assert [(f.rule_id, ".".join(str(p) for p in f.path)) for f in _same(template)] == expected


def test_numbers_are_secrets_in_parameter_defaults_only() -> None:
    template = {"Parameters": {"DbPassword": {"Type": "Number", "Default": 123456}},
                "Resources": {"Db": {"Type": "Custom::Thing", "Properties": {"DbPassword": 123456}}}}
    assert found(template) == [(SECRET_BY_NAME, "Parameters.DbPassword.Default")]
    assert secret_findings(template) == reference_secret_findings(template)


def test_entries_and_sections_that_are_no_mappings_are_skipped_alike() -> None:
    for template in ({"Resources": [AKID]}, {"Resources": {"A": AKID, "B": [AKID]}, "Outputs": "x"},
                     {"Outputs": {"O": {"Value": AKID}}, "Resources": None}, {}):
        _same(template)


def test_random_templates_give_what_the_plain_walk_gives() -> None:
    random = Random(21)
    keys: list[Any] = ["Name", "Value", "Type", "Ref", "Fn::Sub", "Fn::Join", "Password", "DB_PASSWORD", "ApiKey",
                       "ServiceToken", "npm-token", "Tags", "Key", "SecretArn", 3, "Variables"]
    leaves: list[Any] = ["x", "hunter22", "true", "", AKID, f"pre{AKID}", "AKIA", PEM, "PRIVATE KEY", "PLAINTEXT",
                         "PARAMETER_STORE", "{{resolve:secretsmanager:s}}", 7, 0.5, True, None, _Text("s3cret")]

    def value(depth: int) -> Any:
        roll = random.random()
        if depth > 4 or roll < 0.45:
            return random.choice(leaves)
        if roll < 0.7:
            return [value(depth + 1) for _ in range(random.randint(0, 3))]
        return {random.choice(keys): value(depth + 1) for _ in range(random.randint(1, 4))}

    found_any = 0
    for _ in range(3000):
        template = {"Resources": {f"R{i}": {"Type": "Custom::Thing", "Properties": value(0)} for i in range(3)},
                    "Outputs": {"O": {"Value": value(1)}}}
        found_any += bool(_same(template))
    assert 300 < found_any < 3000  # both kinds of template were compared
