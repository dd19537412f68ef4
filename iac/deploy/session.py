"""AWS clients from the usual configuration, and AWS errors turned into iac errors.

Region, profile and credentials come from where every AWS tool finds them (AWS_PROFILE, AWS_REGION
or AWS_DEFAULT_REGION, ~/.aws/config and ~/.aws/credentials, SSO, instance roles); `--profile`,
`--region` and `--endpoint-url` override them. boto3 is an optional extra (`iac-cfn[deploy]`): it is
imported here, lazily, so synth and diff never need it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from iac.errors import CredentialsError, DeployError, UsageError
from iac.synth.assembly import package_version

INSTALL_HINT = "pip install 'iac-cfn[deploy]'"

#: Error codes AWS answers with when the credentials themselves are the problem.
CREDENTIAL_ERROR_CODES = frozenset({
    "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
    "SignatureDoesNotMatch", "InvalidAccessKeyId", "AuthFailure", "RequestExpired", "TokenRefreshRequired",
})
CREDENTIAL_HINT = ("refresh or configure your AWS credentials (aws sso login, aws configure, AWS_PROFILE, or "
                   "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and run again")

ClientFactory = Callable[[str, str], Any]


def require_boto3() -> Any:
    """The boto3 module, or a UsageError that says how to install it."""
    try:
        import boto3
    except ImportError:
        raise UsageError("deploying needs boto3, which is not installed",
                         hint=f"install the deploy extra: {INSTALL_HINT}") from None
    return boto3


class AwsSession:
    """Clients for one profile and endpoint, per service and region, shared by every thread.

    `client_factory(service, region)` replaces boto3 (tests pass stubbed clients through it).
    """

    def __init__(self, *, profile: str | None = None, region: str | None = None, endpoint_url: str | None = None,
                 client_factory: ClientFactory | None = None, _boto3_session: Any = None) -> None:
        self.profile = profile
        #: The role these clients act as (None: the caller's own credentials).
        self.role_arn: str | None = None
        self.endpoint_url = endpoint_url
        self._explicit_region = region
        self._factory = client_factory
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._account: str | None = None
        if _boto3_session is not None:
            self._session = _boto3_session
        elif client_factory is None:
            boto3 = require_boto3()
            with aws_errors():
                self._session = boto3.Session(profile_name=profile)

    def region(self, wanted: str | None = None) -> str:
        """The stack's own region (`wanted`, fixed in the app), else `--region`, else the configured default."""
        region = wanted or self._explicit_region or (self._session.region_name if self._session else None)
        if not region:
            raise UsageError("no AWS region configured",
                             hint="pass --region, set AWS_REGION, or give the stack a region in the app")
        return region

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._new_client(service, region)
            return self._clients[key]

    def _new_client(self, service: str, region: str) -> Any:
        if self._factory is not None:
            return self._factory(service, region)
        with aws_errors():
            return self._session.client(service, region_name=region, endpoint_url=self.endpoint_url,
                                        config=_client_config())

    def assume_role(self, role_arn: str, *, region: str, session_name: str = "iac-deploy") -> AwsSession:
        """A session acting as `role_arn`, with the same profile and endpoint.

        The role is assumed now (an error here means it cannot be: missing, or not allowed), and again
        before its credentials expire: a deployment may outlive the hour they last, and expired
        credentials while following a stack would leave it unfollowed."""
        if self._session is None:
            raise UsageError("a session with stand-in clients cannot assume a role")
        from botocore.credentials import (
            AssumeRoleCredentialFetcher,
            CredentialProvider,
            CredentialResolver,
            DeferredRefreshableCredentials,
        )
        from botocore.session import Session as BotocoreSession

        boto3 = require_boto3()
        with aws_errors():
            source = self._session.get_credentials()
            if source is None:
                from botocore.exceptions import NoCredentialsError

                raise NoCredentialsError()

            def sts_client(service: str, **credentials: Any) -> Any:
                return self._session.client(service, region_name=region, endpoint_url=self.endpoint_url,
                                            config=_client_config(), **credentials)

            fetcher = AssumeRoleCredentialFetcher(sts_client, source, role_arn,
                                                  extra_args={"RoleSessionName": session_name})
            fetcher.fetch_credentials()
        renewing = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="iac-assume-role")

        class _AssumedRole(CredentialProvider):
            METHOD = "iac-assume-role"

            def load(self) -> Any:
                return renewing

        botocore_session = BotocoreSession(profile=self.profile)
        botocore_session.register_component("credential_provider", CredentialResolver([_AssumedRole()]))
        assumed = AwsSession(profile=None, region=self._explicit_region or self._session.region_name,
                             endpoint_url=self.endpoint_url, client_factory=None, _boto3_session=boto3.Session(
                                 botocore_session=botocore_session, region_name=region))
        assumed._account = self._account
        assumed.role_arn = role_arn
        return assumed

    def account(self, region: str) -> str:
        """The account the credentials belong to (STS GetCallerIdentity): the first call that needs them."""
        if self._account is None:
            with aws_errors():
                self._account = str(self.client("sts", region).get_caller_identity()["Account"])
        return self._account


def _client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra=f"iac/{package_version('iac-cfn')}")


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ClientError ("" for anything else)."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return ""
    return str((response.get("Error") or {}).get("Code") or "")


def error_message(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        message = (response.get("Error") or {}).get("Message")
        if message:
            return str(message)
    return str(error)


@contextlib.contextmanager
def aws_errors() -> Iterator[None]:
    """Turn botocore's exceptions into iac errors: credentials (exit 2), anything else AWS said (exit 1)."""
    try:
        yield
    except Exception as error:
        translated = translate(error)
        if translated is None:
            raise
        raise translated from None


def translate(error: BaseException) -> Exception | None:
    """The iac error for a botocore exception, or None when `error` is not one."""
    try:
        from botocore import exceptions
    except ImportError:  # pragma: no cover - boto3 missing is reported before any client exists
        return None
    if isinstance(error, exceptions.ProfileNotFound):
        return CredentialsError(str(error), hint="check --profile / AWS_PROFILE against ~/.aws/config")
    if isinstance(error, exceptions.NoCredentialsError | exceptions.PartialCredentialsError):
        return CredentialsError("no AWS credentials found", hint=CREDENTIAL_HINT)
    if isinstance(error, exceptions.TokenRetrievalError | exceptions.SSOError | exceptions.UnauthorizedSSOTokenError
                  | exceptions.CredentialRetrievalError):
        return CredentialsError(f"AWS credentials could not be loaded: {error}", hint=CREDENTIAL_HINT)
    if isinstance(error, exceptions.EndpointConnectionError | exceptions.ConnectTimeoutError):
        return DeployError(f"cannot reach AWS: {error}",
                           hint="check the network, --region and --endpoint-url")
    if isinstance(error, exceptions.ClientError):
        code = error_code(error)
        operation = getattr(error, "operation_name", "") or "request"
        if code in CREDENTIAL_ERROR_CODES:
            return CredentialsError(f"AWS rejected the credentials ({code}): {error_message(error)}",
                                    hint=CREDENTIAL_HINT)
        if code in ("AccessDenied", "AccessDeniedException"):
            return DeployError(f"access denied for {operation}: {error_message(error)}",
                               hint="the credentials lack a permission this step needs")
        return DeployError(f"{operation} failed ({code or 'error'}): {error_message(error)}")
    if isinstance(error, exceptions.BotoCoreError):
        return DeployError(f"AWS client error: {error}")
    from botocore.parsers import ResponseParserError

    if isinstance(error, ResponseParserError):  # an endpoint that answered with an error page
        return DeployError(f"the AWS endpoint answered with something that is not an AWS response: "
                           f"{str(error).splitlines()[0]}", hint="check --endpoint-url, or try again")
    return None
