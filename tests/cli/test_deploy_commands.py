"""`iac bootstrap`, `iac deploy`, `iac destroy` and `iac diff --live` against a local moto server.

The moto server (fixtures in tests/local_aws.py, brought in by tests/cli/conftest.py) stands in for
CloudFormation, S3 and STS on 127.0.0.1. It is enough for the call sequence, asset publishing, the
progress display and exit codes, and it deploys the hello sample (SQS, SNS, a subscription across
stacks) and the serverless sample (DynamoDB, IAM, Lambda, API Gateway). What it cannot show, and
where that is tested instead (moto 5.2.5):
- its change-set entries carry only Action, LogicalResourceId and ResourceType (no Replacement or
  Details): merging those is tested with recorded entries in tests/deploy/test_live_diff.py;
- it finishes every operation at once and never fails, rolls back or stays in progress: refusals,
  rollbacks, waiting and Ctrl-C are tested with botocore's Stubber in tests/deploy/test_deployment.py,
  and below through the command with stubbed clients;
- it loses Outputs and Exports once a change set is executed, so outputs are not checked here;
- it applies encryption but not versioning, public access blocks or lifecycle rules to the bootstrap
  bucket: those are checked in the template (tests/deploy/test_bootstrap.py).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from local_aws import ACCOUNT, REGION, caller_identity

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BUCKET = f"iac-assets-{ACCOUNT}-{REGION}"

Invoke = Callable[..., Result]


@pytest.fixture
def aws(invoke: Invoke, moto: str) -> Invoke:
    """`aws("deploy", ...)`: the command in process, every AWS call to the moto server."""
    return lambda *args: invoke(*args, "--endpoint-url", moto)


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    app = tmp_path / "app.py"
    shutil.copy(REPO / "samples" / "hello" / "app.py", app)
    return app


BOUNDARY_LINE = "iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())\n"


@pytest.fixture
def serverless(tmp_path: Path) -> Path:
    """The serverless sample as it is: the bootstrap's boundary on every role, deployable with the bootstrapped
    roles."""
    shutil.copytree(REPO / "samples" / "serverless_api", tmp_path / "serverless_api")
    return tmp_path / "serverless_api" / "app.py"


@pytest.fixture
def serverless_unbounded(serverless: Path) -> Path:
    """The serverless sample without the boundary line: its function's role has no permissions boundary."""
    source = serverless.read_text()
    assert BOUNDARY_LINE in source
    serverless.write_text(source.replace(BOUNDARY_LINE, ""))
    return serverless


def _status(moto_client: Callable[[str], Any], stack: str) -> str:
    return moto_client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def _stacks(moto_client: Callable[[str], Any]) -> dict[str, str]:
    summaries = moto_client("cloudformation").list_stacks()["StackSummaries"]
    return {s["StackName"]: s["StackStatus"] for s in summaries if s["StackStatus"] != "DELETE_COMPLETE"}


def _lines(result: Result) -> list[str]:
    return ANSI.sub("", result.output).splitlines()


def _index(lines: list[str], pattern: str) -> int:
    return next(i for i, line in enumerate(lines) if re.search(pattern, line))


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


# -- bootstrap --------------------------------------------------------------------------------------

def test_bootstrap_creates_the_asset_bucket_stack(aws: Invoke, moto_client: Callable[[str], Any]) -> None:
    result = _ok(aws("bootstrap"))
    assert f"Bootstrapped account {ACCOUNT} in {REGION}: assets go to s3://{BUCKET}" in result.output
    assert _status(moto_client, "iac-bootstrap") == "CREATE_COMPLETE"
    s3 = moto_client("s3")
    assert s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200
    rules = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert "iac-bootstrap | no changes" in _ok(aws("bootstrap")).output


# -- deploy -----------------------------------------------------------------------------------------

def test_deploy_creates_the_stacks_dependencies_first(aws: Invoke, hello: Path,
                                                      moto_client: Callable[[str], Any]) -> None:
    result = _ok(aws("deploy", "--app", hello, "--no-lint"))
    lines = _lines(result)
    assert _index(lines, r"^Network \| .*CREATE_COMPLETE .*\| Network$") < _index(lines, r"^Service \| creating")
    assert _index(lines, r"^Service \| creating CREATE change set") > 0
    assert "[+] AWS::SQS::Queue Queue (Network/Queue)" in result.output  # iac's diff ...
    assert re.search(r"Add +AWS::SQS::Queue +Queue", result.output)  # ... next to CloudFormation's change set
    assert lines[-2:] == ["Network: deployed", "Service: deployed"]
    assert _stacks(moto_client) == {"Network": "CREATE_COMPLETE", "Service": "CREATE_COMPLETE"}
    assert (hello.parent / "iac.out" / "manifest.json").exists()  # the assembly that was deployed


def test_a_second_deploy_without_changes_says_no_changes(aws: Invoke, hello: Path) -> None:
    _ok(aws("deploy", "--app", hello, "--no-lint"))
    result = _ok(aws("deploy", "--app", hello, "--no-lint"))
    assert "Network | no changes" in result.output and "Service | no changes" in result.output
    assert _lines(result)[-2:] == ["Network: no changes", "Service: no changes"]
    assert "executing" not in result.output


def test_a_change_shows_the_predicted_diff_and_updates_the_stack(aws: Invoke, hello: Path,
                                                                 moto_client: Callable[[str], Any]) -> None:
    _ok(aws("deploy", "--app", hello, "--no-lint"))
    hello.write_text(hello.read_text().replace('visibility_timeout=60', 'visibility_timeout=90'))
    result = _ok(aws("deploy", "--app", hello, "--no-lint"))
    assert "Network | creating UPDATE change set" in result.output
    assert "[~] AWS::SQS::Queue Queue (Network/Queue)" in result.output
    assert "~ VisibilityTimeout: 60 → 90" in result.output
    assert re.search(r"Modify +AWS::SQS::Queue +Queue", result.output)
    assert re.search(r"^Network \| .*UPDATE_COMPLETE", result.output, re.MULTILINE)
    assert "Service | no changes" in result.output
    assert _status(moto_client, "Network") == "UPDATE_COMPLETE"
    deployed = moto_client("cloudformation").get_template(StackName="Network")["TemplateBody"]
    assert deployed["Resources"]["Queue"]["Properties"]["VisibilityTimeout"] == 90


def test_no_execute_leaves_the_change_sets_for_review(aws: Invoke, hello: Path,
                                                      moto_client: Callable[[str], Any]) -> None:
    result = _ok(aws("deploy", "Network", "--app", hello, "--no-lint", "--no-execute"))
    assert "aws cloudformation execute-change-set --stack-name Network --change-set-name iac-deploy-" \
        in result.output
    assert _status(moto_client, "Network") == "REVIEW_IN_PROGRESS"
    [summary] = moto_client("cloudformation").list_change_sets(StackName="Network")["Summaries"]
    assert summary["ExecutionStatus"] == "AVAILABLE"


def test_parameters_reach_the_stack(aws: Invoke, write_app: Callable[..., Path],
                                    moto_client: Callable[[str], Any]) -> None:
    app = write_app("""
        from iac import App, CfnResource, Parameter, Stack

        app = App()
        stack = Stack(app, "Queues")
        env = Parameter(stack, "Env", allowed_values=["dev", "prod"], default="dev")
        CfnResource(stack, "Queue", type="AWS::SQS::Queue", properties={"Tags": [{"Key": "env", "Value": env.value}]})
    """)
    _ok(aws("deploy", "--app", app, "--no-lint", "-p", "Queues:Env=prod"))
    [parameter] = moto_client("cloudformation").describe_stacks(StackName="Queues")["Stacks"][0]["Parameters"]
    assert (parameter["ParameterKey"], parameter["ParameterValue"]) == ("Env", "prod")
    result = aws("deploy", "--app", app, "--no-lint", "-p", "Size=3")
    assert result.exit_code == 2 and "parameter 'Size' is not declared by the stacks being deployed" in result.output
    result = aws("deploy", "--app", app, "--no-lint", "-p", "Nope:Env=prod")
    assert result.exit_code == 2 and "--parameters names stack 'Nope', which is not being deployed" in result.output


# -- assets and approval (the serverless sample) ---------------------------------------------------

def test_assets_are_uploaded_once_and_skipped_the_second_time(aws: Invoke, serverless: Path,
                                                              moto_client: Callable[[str], Any]) -> None:
    _ok(aws("bootstrap"))
    first = _ok(aws("deploy", "--app", serverless, "--no-lint", "--require-approval", "never"))
    assert re.search(r"ServerlessApi \| asset [0-9a-f]{64}\.zip \(\d+ B\) uploaded", first.output)
    assert _status(moto_client, "ServerlessApi") == "CREATE_COMPLETE"
    second = _ok(aws("deploy", "--app", serverless, "--no-lint", "--require-approval", "never"))
    assert re.search(r"asset [0-9a-f]{64}\.zip \(\d+ B\) already uploaded, skipped", second.output)
    assert "ServerlessApi | no changes" in second.output
    keys = [o["Key"] for o in moto_client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1 and keys[0].endswith(".zip")


def test_widening_access_without_a_terminal_fails_with_exit_1(aws: Invoke, serverless: Path,
                                                             moto_client: Callable[[str], Any]) -> None:
    _ok(aws("bootstrap"))
    result = aws("deploy", "--app", serverless, "--no-lint")  # --require-approval widening is the default
    assert result.exit_code == 1
    assert "approval needed: access widens" in result.output
    assert "ServerlessApi was not deployed: approval required (access widens) and there is no terminal to ask on" \
        in result.output
    assert "Traceback" not in result.output
    assert "ServerlessApi" not in _stacks(moto_client)  # the change set and the empty new stack were removed


def test_deploying_assets_before_bootstrap_says_to_bootstrap(aws: Invoke, serverless: Path) -> None:
    result = aws("deploy", "--app", serverless, "--no-lint", "--require-approval", "never")
    assert result.exit_code == 1
    assert f"the asset bucket {BUCKET} does not exist" in result.output
    assert f"run `iac bootstrap --region {REGION}`" in result.output


def test_a_template_over_51200_bytes_goes_through_the_bucket(invoke: Invoke, moto: str,
                                                             write_app: Callable[..., Path],
                                                             moto_client: Callable[[str], Any]) -> None:
    """moto reads a TemplateURL only from an amazonaws.com or a localhost host: this test reaches the
    same server as `localhost` (the loopback address)."""
    app = write_app("""
        from iac import App, CfnResource, Stack

        app = App()
        stack = Stack(app, "Big")
        for i in range(15):
            CfnResource(stack, f"Param{i}", type="AWS::SSM::Parameter",
                        properties={"Name": f"/iac/big/p{i}", "Type": "String", "Value": "x" * 4000})
    """)
    endpoint = moto.replace("127.0.0.1", "localhost")
    result = invoke("deploy", "--app", app, "--no-lint", "--endpoint-url", endpoint)
    assert result.exit_code == 1 and f"the asset bucket {BUCKET} does not exist" in result.output
    _ok(invoke("bootstrap", "--endpoint-url", endpoint))
    result = _ok(invoke("deploy", "--app", app, "--no-lint", "--endpoint-url", endpoint))
    assert re.search(rf"Big \| template \(6\d,\d{{3}} B\) uploaded to s3://{BUCKET}/templates/[0-9a-f]{{64}}"
                     r"\.template", result.output)
    assert _status(moto_client, "Big") == "CREATE_COMPLETE"


# -- the bootstrapped roles ------------------------------------------------------------------------

DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/iac-deploy-{ACCOUNT}-{REGION}"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/iac-cfn-exec-{ACCOUNT}-{REGION}"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/iac-boundary-{ACCOUNT}-{REGION}"


@pytest.fixture
def client_owners(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, str]]:
    """(role the session acts as, service) for every AWS client the command makes (spied, not replaced)."""
    from iac.deploy.session import AwsSession

    made: list[tuple[str | None, str]] = []
    real = AwsSession._new_client

    def spy(self: AwsSession, service: str, region: str) -> Any:
        made.append((self.role_arn, service))
        return real(self, service, region)

    monkeypatch.setattr(AwsSession, "_new_client", spy)
    return made


def test_bootstrap_makes_the_roles_with_the_boundary(aws: Invoke, moto_client: Callable[[str], Any]) -> None:
    result = _ok(aws("bootstrap"))
    assert f"deploy role (iac deploy assumes it): {DEPLOY_ROLE}" in result.output
    assert f"execution role (CloudFormation acts as it): {EXECUTION_ROLE}" in result.output
    iam = moto_client("iam")
    for arn in (DEPLOY_ROLE, EXECUTION_ROLE):
        role = iam.get_role(RoleName=arn.rsplit("/", 1)[1])["Role"]
        assert role["Arn"] == arn and role["PermissionsBoundary"]["PermissionsBoundaryArn"] == BOUNDARY
    assert iam.get_policy(PolicyArn=BOUNDARY)["Policy"]["PolicyName"] == f"iac-boundary-{ACCOUNT}-{REGION}"


def test_deploy_assumes_the_deploy_role_and_cloudformation_acts_as_the_execution_role(
        aws: Invoke, serverless: Path, moto_client: Callable[[str], Any],
        client_owners: list[tuple[str | None, str]]) -> None:
    _ok(aws("bootstrap"))
    client_owners.clear()
    result = _ok(aws("deploy", "--app", serverless, "--require-approval", "never"))
    assert f"ServerlessApi | deploying as {DEPLOY_ROLE}; CloudFormation acts as {EXECUTION_ROLE}" in result.output
    assert re.search(r"ServerlessApi \| asset [0-9a-f]{64}\.zip \(\d+ B\) uploaded", result.output)
    [stack] = moto_client("cloudformation").describe_stacks(StackName="ServerlessApi")["Stacks"]
    assert (stack["StackStatus"], stack["RoleARN"]) == ("CREATE_COMPLETE", EXECUTION_ROLE)
    # Everything but the caller's identity and the AssumeRole call itself went through the deploy role.
    assert {(role, service) for role, service in client_owners if role is None} == {(None, "sts")}
    assert {service for role, service in client_owners if role == DEPLOY_ROLE} == {"cloudformation", "s3"}
    deployed = moto_client("cloudformation").get_template(StackName="ServerlessApi")["TemplateBody"]
    roles = [r for r in deployed["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert roles and all(r["Properties"]["PermissionsBoundary"] for r in roles)


def test_a_role_without_the_boundary_is_refused_before_cloudformation_is_asked(
        aws: Invoke, serverless_unbounded: Path, moto_client: Callable[[str], Any]) -> None:
    _ok(aws("bootstrap"))
    result = aws("deploy", "--app", serverless_unbounded, "--require-approval", "never")
    assert result.exit_code == 1, result.output
    assert re.search(r"ServerlessApi creates or changes IAM (\w+, )*GetFunctionServiceRole\w+(, \w+)* without the "
                     r"permissions "
                     rf"boundary {BOUNDARY}", result.output)
    assert "--no-bootstrap-roles" in result.output and "Traceback" not in result.output
    assert "ServerlessApi" not in _stacks(moto_client)  # the change set and the empty stack are gone
    own = _ok(aws("deploy", "--app", serverless_unbounded, "--require-approval", "never", "--no-bootstrap-roles"))
    assert "deploying as" not in own.output
    assert "RoleARN" not in moto_client("cloudformation").describe_stacks(StackName="ServerlessApi")["Stacks"][0]


def test_without_a_bootstrap_deploy_says_it_uses_your_own_credentials(aws: Invoke, hello: Path) -> None:
    result = _ok(aws("deploy", "--app", hello, "--no-lint"))
    assert re.search(r"^Network \| deploying with your own credentials \(", _lines(result)[0])


def test_role_arn_names_the_execution_role(aws: Invoke, hello: Path, moto_client: Callable[[str], Any]) -> None:
    mine = f"arn:aws:iam::{ACCOUNT}:role/my-cloudformation"
    result = _ok(aws("deploy", "Network", "--app", hello, "--no-lint", "--role-arn", mine))
    assert f"CloudFormation acts as {mine}" in result.output
    assert moto_client("cloudformation").describe_stacks(StackName="Network")["Stacks"][0]["RoleARN"] == mine
    bad = aws("deploy", "--app", hello, "--role-arn", "my-cloudformation")
    assert bad.exit_code == 2 and "--role-arn takes an IAM role ARN" in bad.output


# -- diff --live ------------------------------------------------------------------------------------

def test_diff_live_compares_the_app_with_the_deployed_stacks(aws: Invoke, hello: Path,
                                                            moto_client: Callable[[str], Any]) -> None:
    before = _ok(aws("diff", "--live", "--app", hello))
    assert "[+] AWS::SQS::Queue Queue" in before.output  # nothing deployed yet: all adds
    _ok(aws("deploy", "--app", hello, "--no-lint"))
    assert "0 to add, 0 to change, 0 to replace, 0 to remove" in _ok(aws("diff", "--live", "--app", hello)).output
    hello.write_text(hello.read_text().replace('visibility_timeout=60', 'visibility_timeout=120'))
    changed = _ok(aws("diff", "--live", "--app", hello))
    assert "~ VisibilityTimeout: 60 → 120" in changed.output
    assert "0 to add, 1 to change, 0 to replace, 0 to remove" in changed.output
    assert aws("diff", "--live", "--app", hello, "--fail").exit_code == 1
    assert moto_client("cloudformation").list_change_sets(StackName="Network")["Summaries"][-1]["ChangeSetName"] \
        .startswith("iac-deploy-")  # the diff's own change set was deleted again


def test_diff_live_cannot_be_combined_with_another_baseline(aws: Invoke, hello: Path) -> None:
    result = aws("diff", "--live", "--app", hello, "--against", "elsewhere")
    assert result.exit_code == 2 and "--live compares with the deployed stacks" in result.output


# -- destroy ----------------------------------------------------------------------------------------

def test_destroy_deletes_dependents_first_and_reports_what_is_retained(
        aws: Invoke, hello: Path, serverless: Path, moto_client: Callable[[str], Any]) -> None:
    _ok(aws("deploy", "--app", hello, "--no-lint"))
    result = _ok(aws("destroy", "--app", hello, "--force"))
    lines = _lines(result)
    assert _index(lines, r"^Service \| DELETE_COMPLETE$") < _index(lines, r"^Network \| deleting$")
    assert lines[-2:] == ["Service: deleted", "Network: deleted"]
    assert _stacks(moto_client) == {}
    _ok(aws("bootstrap"))
    _ok(aws("deploy", "--app", serverless, "--no-lint", "--require-approval", "never"))
    gone = _ok(aws("destroy", "--app", serverless, "--force"))
    assert re.search(r"retained \(Retain policy\): AWS::DynamoDB::Table MyTable\w+ = ServerlessApi-MyTable",
                     gone.output)


def test_destroy_without_a_terminal_needs_force(aws: Invoke, hello: Path, moto_client: Callable[[str], Any]) -> None:
    _ok(aws("deploy", "--app", hello, "--no-lint"))
    result = aws("destroy", "--app", hello)
    assert result.exit_code == 1 and "needs confirmation, and there is no terminal to ask on" in result.output
    assert set(_stacks(moto_client)) == {"Network", "Service"}


def test_destroying_what_was_never_deployed_is_fine(aws: Invoke, hello: Path) -> None:
    result = _ok(aws("destroy", "--app", hello, "--force"))
    assert _lines(result)[-2:] == ["Service: not deployed", "Network: not deployed"]


# -- failures moto cannot produce: stubbed clients behind the command -----------------------------

@pytest.fixture
def stub_clients(monkeypatch: pytest.MonkeyPatch, stubbed: Any) -> dict[str, Any]:
    """The command's AWS clients become stubbed ones: {"cloudformation": (client, stubber), "sts": ...}."""
    from iac.deploy.session import AwsSession

    made = {service: stubbed(service) for service in ("cloudformation", "sts", "s3")}
    monkeypatch.setattr(AwsSession, "_new_client", lambda self, service, region: made[service][0])
    return made


def test_a_stack_in_progress_is_refused_with_a_clear_message(invoke: Invoke, hello: Path,
                                                            stub_clients: dict[str, Any]) -> None:
    import datetime

    caller_identity(stub_clients["sts"][1])
    stub_clients["cloudformation"][1].add_response("describe_stacks", {"Stacks": [{
        "StackName": "Network", "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/Network/x",
        "StackStatus": "UPDATE_IN_PROGRESS", "CreationTime": datetime.datetime(2026, 1, 1)}]})
    result = invoke("deploy", "--app", hello, "--no-lint", "--no-bootstrap-roles")
    assert result.exit_code == 1
    assert "error: stack Network is UPDATE_IN_PROGRESS: CloudFormation is still working on it" in result.output
    assert "Service: skipped (Network did not complete)" in result.output
    assert "Traceback" not in result.output


def test_expired_credentials_exit_2_with_a_clear_message(invoke: Invoke, hello: Path,
                                                         stub_clients: dict[str, Any]) -> None:
    stub_clients["sts"][1].add_client_error(
        "get_caller_identity", service_error_code="ExpiredToken", http_status_code=403,
        service_message="The security token included in the request is expired")
    result = invoke("deploy", "--app", hello, "--no-lint")
    assert result.exit_code == 2
    assert "error: AWS rejected the credentials (ExpiredToken): The security token included in the request is " \
           "expired" in result.output
    assert "hint: refresh or configure your AWS credentials" in result.output
    assert "Traceback" not in result.output


# -- without the deploy extra, and the help ---------------------------------------------------------

def test_without_boto3_deploy_says_how_to_install_it_and_synth_still_works(
        invoke: Invoke, hello: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    result = invoke("deploy", "--app", hello)
    assert result.exit_code == 2
    assert "deploying needs boto3" in result.output and "pip install 'iac-cfn[deploy]'" in result.output
    assert invoke("synth", "--app", hello, "--no-lint").exit_code == 0
    assert invoke("diff", "--app", hello).exit_code == 0


@pytest.mark.parametrize("command", ["deploy", "bootstrap", "destroy"])
def test_help_documents_every_option(invoke: Invoke, command: str) -> None:
    from iac.cli import cli

    result = invoke(command, "--help")
    assert result.exit_code == 0
    for parameter in cli.commands[command].params:
        for name in getattr(parameter, "opts", []):
            if name.startswith("-"):
                assert name in result.output, f"{command} --help does not mention {name}"
        if parameter.help is not None:
            assert parameter.help.split()[0] in result.output
