"""Cognito: the user pool's protective defaults, clients without secrets, domains, and the pool as an authorizer."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import apigateway, awslambda, cognito
from iac.constructs.core.units import Duration
from iac.synth import synthesize, synthesize_app
from iac.synth.lint import lint_template


def _stack() -> tuple[App, Stack]:
    app = App(path_metadata=False)
    return app, Stack(app, "S")


def _resources(app: App) -> dict[str, Any]:
    return dict(synthesize(app).template("S")["Resources"])


def test_a_pool_signs_in_with_a_verified_email_is_admin_only_and_retained_by_default() -> None:
    app, stack = _stack()
    pool = cognito.UserPool(stack, "Users")
    resource = _resources(app)[pool.resource.logical_id]
    assert pool.resource.path == "S/Users/Resource"
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert resource["Properties"] == {
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE",
                                        "EmailSubject": "Verify your email",
                                        "EmailMessage": "Your verification code is {####}"},
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireLowercase": True, "RequireUppercase": True,
                                        "RequireNumbers": True, "RequireSymbols": True,
                                        "TemporaryPasswordValidityDays": 7}},
        "MfaConfiguration": "OFF",
        "DeletionProtection": "ACTIVE",
    }


def test_self_sign_up_mfa_and_the_password_policy_reach_the_pool() -> None:
    app, stack = _stack()
    pool = cognito.UserPool(stack, "Users", self_sign_up_enabled=True, mfa="OPTIONAL",
                            password_policy=cognito.PasswordPolicy(min_length=12, require_symbols=False,
                                                                   temporary_password_validity=Duration.days(3)))
    props = _resources(app)[pool.resource.logical_id]["Properties"]
    assert props["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False}
    assert (props["MfaConfiguration"], props["EnabledMfas"]) == ("OPTIONAL", ["SOFTWARE_TOKEN_MFA"])
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert props["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    assert props["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3


def test_a_destroyed_pool_has_no_deletion_protection() -> None:
    app, stack = _stack()
    pool = cognito.UserPool(stack, "Users", removal_policy="destroy")
    resource = _resources(app)[pool.resource.logical_id]
    assert resource["Properties"]["DeletionProtection"] == "INACTIVE"
    assert resource["DeletionPolicy"] == "Delete"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"password_policy": cognito.PasswordPolicy(min_length=4)}, "password_policy: 4 is less than the minimum of 6"),
    ({"password_policy": cognito.PasswordPolicy(min_length=100)}, "100 is greater than the maximum of 99"),
    ({"mfa": "SOMETIMES"}, "mfa"),
    ({"verification_email_body": "Click here"}, "verification email"),
    ({"user_pool_name": ""}, "user_pool_name"),
])
def test_bad_pool_props_are_refused_with_the_schemas_bounds(kwargs: dict[str, Any], message: str) -> None:
    app, stack = _stack()
    with pytest.raises(ConstructError, match=message):
        cognito.UserPool(stack, "Users", **kwargs)


def test_a_misspelt_pool_prop_names_the_real_one() -> None:
    app, stack = _stack()
    with pytest.raises(ConstructError, match="no argument 'self_signup_enabled'") as caught:
        cognito.UserPool(stack, "Users", self_signup_enabled=True)  # type: ignore[call-arg]
    assert caught.value.hint == "did you mean self_sign_up_enabled?"


def test_a_client_has_no_secret_and_signs_in_with_srp_by_default() -> None:
    app, stack = _stack()
    pool = cognito.UserPool(stack, "Users")
    client = pool.add_client("Web")
    assert client.resource.path == "S/Users/Web/Resource"
    assert _resources(app)[client.resource.logical_id]["Properties"] == {
        "UserPoolId": {"Ref": pool.resource.logical_id}, "ClientName": "Web", "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED"}


def test_an_oauth_client_uses_the_hosted_pages() -> None:
    app, stack = _stack()
    pool = cognito.UserPool(stack, "Users")
    client = pool.add_client("Web", oauth_flows=["code"], oauth_scopes=["openid", "email"],
                             callback_urls=["https://app.example.com/callback"])
    props = _resources(app)[client.resource.logical_id]["Properties"]
    assert props["AllowedOAuthFlowsUserPoolClient"] is True
    assert (props["AllowedOAuthFlows"], props["SupportedIdentityProviders"]) == (["code"], ["COGNITO"])
    assert props["CallbackURLs"] == ["https://app.example.com/callback"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"oauth_flows": ["code"]}, "need callback_urls"),
    ({"oauth_flows": ["client_credentials"]}, "needs generate_secret=True"),
    ({"auth_flows": ["ALLOW_PASSWORD"]}, "auth_flows"),
    ({"oauth_flows": ["token"], "callback_urls": ["https://a.example.com"]}, "oauth_flows"),
    ({"callback_urls": ["https://a.example.com"]}, "callback_urls belong to the hosted pages' OAuth flows"),
    ({"oauth_scopes": ["openid"], "logout_urls": ["https://a.example.com"]}, "oauth_scopes, logout_urls belong"),
])
def test_bad_clients_are_refused(kwargs: dict[str, Any], message: str) -> None:
    app, stack = _stack()
    with pytest.raises(ConstructError, match=message):
        cognito.UserPool(stack, "Users").add_client("Web", **kwargs)


def test_a_domain_serves_the_hosted_pages() -> None:
    app, stack = _stack()
    pool = cognito.UserPool(stack, "Users")
    domain = pool.add_domain("Domain", domain_prefix="my-app-login")
    assert _resources(app)[domain.resource.logical_id]["Properties"] == {
        "UserPoolId": {"Ref": pool.resource.logical_id}, "Domain": "my-app-login"}


@pytest.mark.parametrize(("prefix", "message"), [
    ("My-App", "lower-case letters"), ("-app", "lower-case letters"), ("my-cognito-app", "Cognito reserves")])
def test_bad_domain_prefixes_are_refused(prefix: str, message: str) -> None:
    app, stack = _stack()
    with pytest.raises(ConstructError, match=message):
        cognito.UserPool(stack, "Users").add_domain("Domain", domain_prefix=prefix)


def test_a_pool_guards_a_rest_api_and_the_template_is_lint_clean() -> None:
    app = App()
    stack = Stack(app, "S")
    pool = cognito.UserPool(stack, "Users", self_sign_up_enabled=True, mfa="ON")
    pool.add_client("Web", oauth_flows=["code"], oauth_scopes=["openid"],
                    callback_urls=["https://app.example.com/callback"])
    pool.add_domain("Domain", domain_prefix="my-app-login")
    fn = awslambda.Function(stack, "Fn", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_inline("exports.handler = async () => ({});"))
    api = apigateway.RestApi(stack, "Api", default_authorizer=apigateway.CognitoUserPoolsAuthorizer(
        stack, "Auth", cognito_user_pools=[pool]))
    method = api.add_route("GET", "/", fn)
    assembly = synthesize_app(app)
    template = assembly.template("S")
    authorizer = next(r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Authorizer")
    assert authorizer["Properties"]["ProviderARNs"] == [{"Fn::GetAtt": [pool.resource.logical_id, "Arn"]}]
    assert template["Resources"][method.logical_id]["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert [w.code for w in assembly.warnings] == []
    assert lint_template(assembly.stack("S").body, "us-east-1") == []
