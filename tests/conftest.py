"""Shared fixtures: a fresh app and stack, synthesis shortcuts, app files on disk, the real CLI.

Templates built in tests stay valid CloudFormation where the behaviour allows it (real resource
types, references to resources that exist), so schema validation and cfn-lint inside synth never
turn a test about something else into a failure. `Custom::Echo` (a custom resource, which takes any
properties and any attribute) carries arbitrary values.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iac import App, CfnResource, Construct, Stack
from iac.cli import cli
from iac.synth import CloudAssembly, synthesize

REPO = Path(__file__).resolve().parents[1]
HELLO_APP = REPO / "samples" / "hello" / "app.py"
ECHO = "Custom::Echo"
ECHO_SERVICE_TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:echo"
#: The day every test runs on, whatever the calendar says (see frozen_today).
FROZEN_TODAY = "2026-06-01"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The date iac works with (iac.clock.today(), through IAC_TODAY) for this test: FROZEN_TODAY, so no
    result changes with the calendar (a Lambda runtime's deprecation, say).

    `IAC_TEST_TODAY=YYYY-MM-DD` runs the suite on another day, to show that only the tests about dates
    notice (those set IAC_TODAY themselves). Subprocesses (the CLI tests) inherit it through the environment.
    """
    value = os.environ.get("IAC_TEST_TODAY") or FROZEN_TODAY
    monkeypatch.setenv("IAC_TODAY", value)  # cfn-lint's calendar rules follow it too (iac.synth.lint)
    return datetime.date.fromisoformat(value)


@pytest.fixture(autouse=True)
def private_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """iac's private cache folder (the lint cache's key) for this test only, never the real ~/.cache/iac.

    Outside tmp_path, so tests that list their tmp_path see only what they made; not created yet, so
    iac creates it (0700) as it would on first use. Subprocesses inherit it through the environment.
    """
    folder = tmp_path_factory.mktemp("iac-cache") / "iac"
    monkeypatch.setenv("IAC_CACHE_DIR", str(folder))
    monkeypatch.setenv("IAC_LINT_WORKER", "0")  # no daemon outlives a test (tests/synth/test_lint_daemon.py starts one)
    return folder


@pytest.fixture
def app() -> App:
    """An app whose templates hold only what the test wrote (no iac:path resource metadata)."""
    return App(path_metadata=False)


@pytest.fixture
def stack(app: App) -> Stack:
    """A stack named "Main" in `app`."""
    return Stack(app, "Main")


@pytest.fixture
def echo() -> Callable[..., CfnResource]:
    """`echo(scope, id, **properties)`: a custom resource that accepts any properties."""

    def make(scope: Construct, id: str, **properties: Any) -> CfnResource:
        return CfnResource(scope, id, type=ECHO, properties={"ServiceToken": ECHO_SERVICE_TOKEN, **properties})

    return make


@pytest.fixture
def resolve(stack: Stack) -> Callable[[Any], Any]:
    """`resolve(value)`: the template form of a value as written in stack "Main" (tokens resolved)."""
    from iac.synth.resolve import Exports, StackResolver

    return StackResolver(stack, Exports()).resolve


@pytest.fixture
def assembly_of() -> Callable[[App], CloudAssembly]:
    """Synthesize an app in memory (nothing written)."""
    return lambda app: synthesize(app)


@pytest.fixture
def template_of() -> Callable[..., dict[str, Any]]:
    """`template_of(app, "Main")`: one stack's synthesized template as a dict."""
    return lambda app, name="Main": synthesize(app).template(name)


@pytest.fixture
def write_app(tmp_path: Path) -> Callable[..., Path]:
    """`write_app(source, name="app.py")`: write a (dedented) app file into tmp_path."""

    def write(source: str, name: str = "app.py") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_iac(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`run_iac(*args, cwd=tmp_path, env={...})`: the real `iac` command in a subprocess."""

    def run(*args: str | os.PathLike[str], cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        environment.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "iac", *map(str, args)],
            cwd=cwd or tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """`invoke(*args)`: the `iac` command in process (click's CliRunner), run from tmp_path."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str | os.PathLike[str]) -> Result:
        return runner.invoke(cli, [str(a) for a in args], prog_name="iac")

    return run


@pytest.fixture
def hello_app() -> Path:
    return HELLO_APP


@pytest.fixture
def tree_digest() -> Callable[[Path], dict[str, tuple[str, int]]]:
    """`tree_digest(dir)`: {relative path: (sha256, mode)} of every file and directory below dir."""

    def digest(root: Path) -> dict[str, tuple[str, int]]:
        result: dict[str, tuple[str, int]] = {}
        for path in sorted(root.rglob("*")):
            key = path.relative_to(root).as_posix()
            if path.is_dir():
                result[key] = ("<dir>", path.stat().st_mode)
            else:
                result[key] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
        result["."] = ("<dir>", root.stat().st_mode)
        return result

    return digest


@pytest.fixture(scope="session")
def cfn_lint() -> Callable[..., list[Any]]:
    """`cfn_lint(text, regions=None)`: cfn-lint's findings (errors and warnings) for a template text."""
    from cfnlint.api import lint

    return lambda text, regions=None: list(lint(text, regions=regions))


@pytest.fixture
def every_intrinsic_app() -> App:
    """A valid (cfn-lint clean) app whose stack "Everything" uses every intrinsic function,
    every kind of section, pseudo parameters, f-strings and a multi-line Fn::Sub."""
    from iac import Aws, Condition, Fn, Mapping, Output, Parameter

    app = App(path_metadata=False)
    stack = Stack(app, "Everything", description="every intrinsic function")
    env = Parameter(stack, "Env", allowed_values=["dev", "prod"], default="dev")
    cidr = Parameter(stack, "VpcCidr", default="10.0.0.0/16", description="the VPC's range")
    is_prod = Condition(stack, "IsProd", expression=Fn.equals(env.value, "prod"))
    is_dev = Condition(stack, "IsDev", expression=Fn.not_(is_prod))
    always = Condition(stack, "Always", expression=Fn.or_(is_prod, is_dev))
    prod_in_us = Condition(stack, "ProdInUs", expression=Fn.and_(is_prod, Fn.equals(Aws.REGION, "us-east-1")))
    retention = Mapping(stack, "Retention", mapping={"dev": {"Days": "7"}, "prod": {"Days": "30"}})
    vpc = CfnResource(stack, "Vpc", type="AWS::EC2::VPC", properties={"CidrBlock": cidr.value})
    CfnResource(stack, "Subnet", type="AWS::EC2::Subnet", properties={
        "VpcId": vpc.ref,
        "CidrBlock": Fn.select(0, Fn.cidr(vpc.get_att("CidrBlock"), 4, 8)),
        "AvailabilityZone": Fn.select(0, Fn.get_azs()),
    })
    topic = CfnResource(stack, "Topic", type="AWS::SNS::Topic", condition=always, properties={
        "DisplayName": f"alerts-{Aws.REGION}-{Aws.ACCOUNT_ID}",
        "TopicName": Fn.join("-", [Aws.STACK_NAME, Fn.select(1, Fn.split(",", "a,b"))]),
        "Tags": [
            {"Key": "Retention", "Value": retention.find_in_map(env.value, "Days")},
            {"Key": "Count", "Value": Fn.to_json_string({"n": Fn.length([1, 2])})},
            {"Key": "Import", "Value": Fn.import_value("shared-value")},
            {"Key": "Url", "Value": Fn.sub(f"https://x.{Aws.URL_SUFFIX}/{vpc.ref}/{vpc.get_att('VpcId')}")},
            {"Key": "Partition", "Value": Fn.if_(is_prod, Aws.PARTITION, "none")},
        ],
    })
    CfnResource(stack, "ProdTopic", type="AWS::SNS::Topic", condition=prod_in_us)
    CfnResource(stack, "Template", type="AWS::EC2::LaunchTemplate", properties={
        "LaunchTemplateData": {"UserData": Fn.base64(Fn.sub("#!/bin/bash\necho ${AWS::Region} ${Subnet}\n"))},
    })
    Output(stack, "TopicArn", value=topic.ref, export_name=f"{Aws.STACK_NAME}-topic", condition=always,
           description="alerts topic")
    return app
