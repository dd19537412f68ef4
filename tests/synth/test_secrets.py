"""Secrets written into templates are found by where they are, and never repeated in a finding."""

from __future__ import annotations

from typing import Any

import pytest

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
    assert [p.code for p in caught.value.problems] == [NOECHO_DEFAULT]
