"""Fixtures for the deploy tests: a local moto server, dummy credentials, stubbed clients.

The moto server (`moto[server]`, in the test extra) runs as a subprocess on 127.0.0.1 with a free port
for the whole session and is reset before each test. Nothing talks to AWS: credentials are dummies,
the AWS config files point at nothing, and the instance metadata service is switched off. Without
the deploy extra (boto3) or moto, the tests that use these fixtures are skipped with that reason.

The failure cases moto cannot produce (a change set CloudFormation refuses, rollbacks, stacks stuck
in progress, expired credentials) use botocore's Stubber with responses written from the shapes
CloudFormation documents (`stubbed`, `stub_session`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
START_TIMEOUT = 30.0
NO_BOTO3 = "the deploy extra is not installed (pip install 'iac-cfn[deploy]'); make test installs it"
NO_MOTO = "moto[server] is not installed (the test extra has it; make test installs it)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the moto server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the moto server did not answer on 127.0.0.1:{port} in {START_TIMEOUT:.0f}s:\n"
                       f"{log.read_text()}")


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint URL of a moto server on 127.0.0.1, running for the whole session."""
    pytest.importorskip("boto3", reason=NO_BOTO3)
    pytest.importorskip("moto.server", reason=NO_MOTO)
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials and region in the environment; no AWS config file, no metadata service."""
    pytest.importorskip("boto3", reason=NO_BOTO3)
    nowhere = tmp_path_factory.mktemp("aws-config")
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def moto(moto_server: str, aws_env: None) -> str:
    """A freshly reset moto server's endpoint URL, with dummy credentials in the environment."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass
    return moto_server


@pytest.fixture
def moto_client(moto: str) -> Callable[[str], Any]:
    """`moto_client("s3")`: a boto3 client of the moto server, for looking at what a command did."""
    import boto3

    return lambda service: boto3.client(service, region_name=REGION, endpoint_url=moto)


@pytest.fixture
def stubbed(aws_env: None) -> Iterator[Callable[[str], tuple[Any, Any]]]:
    """`client, stubber = stubbed("cloudformation")`: a real client whose calls a Stubber answers."""
    import boto3
    from botocore.stub import Stubber

    stubbers: list[Any] = []

    def make(service: str) -> tuple[Any, Any]:
        client = boto3.client(service, region_name=REGION)
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return client, stubber

    yield make
    for stubber in stubbers:
        stubber.deactivate()


def stub_session(clients: dict[str, Any]) -> Any:
    """An AwsSession whose clients are the given (stubbed) ones, in REGION."""
    from iac.deploy.session import AwsSession

    return AwsSession(region=REGION, client_factory=lambda service, region: clients[service])


def caller_identity(stubber: Any) -> None:
    """Queue STS GetCallerIdentity's answer for ACCOUNT."""
    stubber.add_response("get_caller_identity", {
        "UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/deployer"})
