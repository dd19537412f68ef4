"""AWS configuration and errors: region from the stack, --region or the environment; boto3 only when
deploying; botocore's exceptions as one-line iac errors (credentials: exit 2, the rest: exit 1)."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from iac.deploy.session import AwsSession, aws_errors, require_boto3
from iac.errors import CredentialsError, DeployError, UsageError


def test_without_boto3_deploying_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # an import of boto3 now fails
    with pytest.raises(UsageError, match="deploying needs boto3") as caught:
        require_boto3()
    assert caught.value.hint == "install the deploy extra: pip install 'iac-cfn[deploy]'"
    with pytest.raises(UsageError):
        AwsSession()


def test_the_region_is_the_stacks_then_the_options_then_the_environment(aws_env: None) -> None:
    assert AwsSession().region(None) == "us-east-1"  # AWS_DEFAULT_REGION
    assert AwsSession(region="eu-west-1").region(None) == "eu-west-1"
    assert AwsSession(region="eu-west-1").region("ap-south-1") == "ap-south-1"


def test_no_region_anywhere_is_a_usage_error(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(UsageError, match="no AWS region configured"):
        AwsSession().region(None)


def test_an_unknown_profile_is_a_credentials_error(aws_env: None) -> None:
    with pytest.raises(CredentialsError, match="could not be found"):
        AwsSession(profile="nobody")


def test_missing_credentials_are_a_clear_error(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    session = AwsSession(endpoint_url="http://127.0.0.1:9")  # never reached: signing fails first
    with pytest.raises(CredentialsError, match="no AWS credentials found") as caught:
        session.account("us-east-1")
    assert caught.value.exit_status == 2


def _client_error(code: str, message: str, operation: str = "DescribeStacks") -> Any:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException",
                                  "SignatureDoesNotMatch"])
def test_rejected_credentials_become_credentials_errors(aws_env: None, code: str) -> None:
    with pytest.raises(CredentialsError, match=f"AWS rejected the credentials \\({code}\\)"), aws_errors():
        raise _client_error(code, "nope")


def test_access_denied_names_the_operation(aws_env: None) -> None:
    with pytest.raises(DeployError, match="access denied for CreateChangeSet: not allowed"), aws_errors():
        raise _client_error("AccessDenied", "not allowed", "CreateChangeSet")


def test_an_unreachable_endpoint_is_a_deploy_error(aws_env: None) -> None:
    from botocore.exceptions import EndpointConnectionError

    with pytest.raises(DeployError, match="cannot reach AWS"), aws_errors():
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")


def test_other_exceptions_pass_through(aws_env: None) -> None:
    with pytest.raises(KeyError), aws_errors():
        raise KeyError("bug")


def test_an_endpoint_answering_garbage_is_a_deploy_error(aws_env: None) -> None:
    from botocore.parsers import ResponseParserError

    with pytest.raises(DeployError, match="not an AWS response: Unable to parse response"), aws_errors():
        raise ResponseParserError("Unable to parse response (syntax error), invalid XML received.\nb'<html>'")
