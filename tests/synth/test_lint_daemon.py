"""The warm lint worker (issue 21): its findings are in-process cfn-lint's, and nothing else can pass a template.

One real worker serves the whole module (started here with a temporary cache folder, stopped at the
end); tests that kill or idle a worker start their own. A worker started by a test sees the date
the suite runs on (IAC_TODAY), as the in-process lint here does (tests/conftest.py freezes cfn-lint's
calendar rules), so the two lint the same way. Elsewhere in the suite the worker is off
(IAC_LINT_WORKER=0 in conftest's private_cache_dir fixture): no test leaves a daemon behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iac.cli import cli
from iac.synth import lint_worker
from iac.synth.lint import LintCache, _lint_all, lint_bodies, lint_template
from iac.synth.lint_cache import LintFinding, lint_context
from iac.synth.lint_worker import receive_frame, send_frame, socket_path, worker_identity

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "tests" / "templates"
SAMPLES = sorted((REPO / "samples").glob("*/app.py"))
#: A template with a cfn-lint error (E3512, a misspelt statement Effect) and a warning (W2001, unused parameter).
FLAWED = json.dumps(
    {
        "Parameters": {"Unused": {"Type": "String"}},
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Policy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": "Queue"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Alow",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": "*",
                            }
                        ],
                    },
                },
            },
        },
    },
    indent=1,
)
STARTS_WITHIN = 120.0

#: The worker, run with cfn-lint's calendar rules reading iac's date (as tests/conftest.py does in process).
WORKER_CODE = """
import datetime, importlib, sys
from iac import clock

class FrozenDatetime(datetime.datetime):
    @classmethod
    def today(cls):
        today = clock.today()
        return cls(today.year, today.month, today.day)

for name in ("cfnlint.rules.resources.lmbd.DeprecatedRuntimeCreate",
             "cfnlint.rules.resources.lmbd.DeprecatedRuntimeEol",
             "cfnlint.rules.resources.lmbd.DeprecatedRuntimeUpdate"):
    importlib.import_module(name).datetime = FrozenDatetime

from iac.synth.lint_worker_server import main
sys.exit(main(sys.argv[1:]))
"""


# -- starting and stopping test workers ---------------------------------------------------------------


def private_folder() -> str:
    """A short private folder (a unix socket's path must stay under ~100 bytes)."""
    return tempfile.mkdtemp(prefix="iac-lw-", dir="/tmp" if os.path.isdir("/tmp") else None)


def start_test_worker(folder: str, **environment: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        IAC_CACHE_DIR=folder,
        IAC_TODAY=os.environ.get("IAC_TEST_TODAY") or "2026-06-01",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
        **environment,
    )
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER_CODE, "--dir", folder],
        env=env,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    path = socket_path(folder, worker_identity())
    deadline = time.monotonic() + STARTS_WITHIN
    while not os.path.exists(path):
        if process.poll() is not None:
            raise AssertionError(f"the worker exited: {process.stderr.read().decode() if process.stderr else ''}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the worker did not start")
        time.sleep(0.05)
    return process


def stop_test_worker(process: subprocess.Popen[bytes], folder: str) -> None:
    if process.poll() is None:
        try:
            with lint_worker.connect(socket_path(folder, worker_identity())) as connection:
                send_frame(connection, {"op": "stop"})
                receive_frame(connection, limit=1 << 20, deadline=time.monotonic() + 5)
            process.wait(timeout=10)
        except Exception:
            process.kill()
            process.wait(timeout=10)
    if process.stderr:
        process.stderr.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def module_worker() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    folder = private_folder()
    process = start_test_worker(folder)
    yield folder, process
    stop_test_worker(process, folder)


@pytest.fixture
def worker(
    module_worker: tuple[str, subprocess.Popen[bytes]], private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The module's worker, the one this test's iac finds (its folder is IAC_CACHE_DIR); the worker is on."""
    folder, process = module_worker
    assert process.poll() is None, "the module's worker died"
    monkeypatch.setenv("IAC_CACHE_DIR", folder)
    monkeypatch.setenv("IAC_LINT_WORKER", "1")
    return folder


@pytest.fixture
def own_worker(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., tuple[str, subprocess.Popen[bytes]]]]:
    """`own_worker(folder=None, **env)`: a worker of this test alone, found by this test's iac, stopped at the end."""
    started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(folder: str | None = None, **environment: str) -> tuple[str, subprocess.Popen[bytes]]:
        folder = folder or private_folder()
        started.append((folder, start_test_worker(folder, **environment)))
        monkeypatch.setenv("IAC_CACHE_DIR", folder)
        monkeypatch.setenv("IAC_LINT_WORKER", "1")
        return started[-1]

    yield start
    for folder, process in started:
        stop_test_worker(process, folder)


@pytest.fixture
def no_spawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Starting a detached worker only records the folder (a test never leaves a daemon behind)."""
    spawned: list[str] = []
    monkeypatch.setattr(lint_worker, "spawn_worker", spawned.append)
    monkeypatch.setattr(lint_worker, "_spawned_at", None)
    return spawned


def ask_worker(items: dict[str, tuple[str, str]]) -> dict[str, list[LintFinding]] | None:
    return lint_worker.lint_with_worker(items, context=lint_context(), jobs=2)


# -- the templates: every sample's stacks and every template under tests/templates ------------------


def _sample_bodies() -> dict[str, tuple[str, str]]:
    from iac.cli.app_loader import load_app
    from iac.synth import synthesize

    bodies: dict[str, tuple[str, str]] = {}
    for app_file in SAMPLES:
        assembly = synthesize(load_app(str(app_file)))
        for artifact in assembly.stacks:
            bodies[f"sample {app_file.parent.name}/{artifact.name}"] = (artifact.body, artifact.region or "us-east-1")
    return bodies


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))


@pytest.fixture(scope="module")
def every_template() -> dict[str, tuple[str, str]]:
    bodies = _sample_bodies()
    for path in _template_files():
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        bodies[f"file {path.relative_to(TEMPLATES)}"] = (text, "us-east-1")
    return bodies


_answers: dict[str, dict[str, Any]] = {}


def both_answers(every_template: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The worker's findings for every template (one request) and in-process lint's (the same code iac
    runs without a worker: lint_template in forked processes), computed once, inside a test (so with the
    frozen calendar)."""
    if not _answers:
        patience = lint_worker.REPLY_SECONDS
        lint_worker.REPLY_SECONDS = 600.0  # ~90 templates in one request, on a machine others share
        try:
            _answers["worker"] = {"findings": ask_worker(every_template)}
        finally:
            lint_worker.REPLY_SECONDS = patience
        missing = {name: ("", body, region) for name, (body, region) in every_template.items()}
        _answers["in process"] = {"findings": _lint_all(missing, 2, lambda done, total: None)}
    return {side: answer["findings"] for side, answer in _answers.items()}


TEMPLATE_NAMES = [f"sample {p.parent.name}" for p in SAMPLES] + [
    f"file {p.relative_to(TEMPLATES)}" for p in _template_files()
]


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_worker_findings_are_in_process_lints(
    name: str, worker: str, every_template: dict[str, tuple[str, str]]
) -> None:
    answers = both_answers(every_template)
    assert answers["worker"] is not None, "the worker did not answer"
    names = [key for key in every_template if key == name or key.startswith(name + "/")]
    assert names, name
    for key in names:
        assert answers["worker"][key] == answers["in process"][key], key


def test_the_comparison_covers_findings_of_every_severity(
    worker: str, every_template: dict[str, tuple[str, str]]
) -> None:
    found = [finding for findings in both_answers(every_template)["in process"].values() for finding in findings]
    assert {finding.severity for finding in found} >= {"error", "warning"}
    assert any(finding.rule_id == "E0000" for finding in found), "a template that does not parse"


def test_worker_finds_what_lint_template_finds(worker: str) -> None:
    answered = ask_worker({"Flawed": (FLAWED, "us-east-1"), "Other region": (FLAWED, "eu-west-1")})
    assert answered is not None
    assert answered["Flawed"] == lint_template(FLAWED, "us-east-1")
    assert answered["Other region"] == lint_template(FLAWED, "eu-west-1")
    assert {f.rule_id for f in answered["Flawed"]} >= {"E3512", "W2001"}


def test_synth_path_lints_a_changed_template_through_the_worker(worker: str, no_spawn: list[str]) -> None:
    before = _status(worker)["requests"]
    body = FLAWED.replace("sqs:SendMessage", "sqs:SendMessage*")  # a template no test sent before
    cache = LintCache()
    results = lint_bodies({"Main": (body, "us-east-1")}, cache)
    assert results["Main"] == lint_template(body, "us-east-1")
    assert _status(worker)["requests"] == before + 1
    assert list(cache.entries.values()) == [results["Main"]], "the worker's findings go into the lint cache"
    lint_bodies({"Main": (body, "us-east-1")}, cache)
    assert _status(worker)["requests"] == before + 1, "a cached template is not sent"
    assert no_spawn == []


def test_a_deploy_lints_in_process(worker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a deploy's lint went to the worker")

    monkeypatch.setattr(lint_worker, "lint_with_worker", refuse)
    cache = LintCache.load(str(tmp_path), read_entries=False)
    assert cache.fresh
    assert lint_bodies({"Main": (FLAWED, "us-east-1")}, cache)["Main"] == lint_template(FLAWED, "us-east-1")


def test_the_progress_of_a_worker_lint_is_reported(worker: str) -> None:
    seen: list[tuple[int, int]] = []
    body = FLAWED.replace("Alow", "Allw")
    lint_worker.lint_with_worker(
        {"A": (body, "us-east-1"), "B": (body + "\n", "us-east-1")},
        context=lint_context(),
        jobs=2,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)


def test_the_clients_cfnlintrc_decides(worker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".cfnlintrc").write_text("ignore_checks:\n  - W2001\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    answered = ask_worker({"Flawed": (FLAWED, "us-east-1")})
    assert answered is not None
    assert answered["Flawed"] == lint_template(FLAWED, "us-east-1")
    assert "W2001" not in {f.rule_id for f in answered["Flawed"]}
    assert "E3512" in {f.rule_id for f in answered["Flawed"]}


def test_a_cfnlintrc_naming_rule_files_is_linted_in_process(
    worker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".cfnlintrc").write_text("append_rules:\n  - ./my_rules\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert ask_worker({"Flawed": (FLAWED, "us-east-1")}) is None


# -- refusals: the worker and the client check each other -------------------------------------------------


def raw_request(folder: str, request: dict[str, Any]) -> dict[str, Any]:
    with lint_worker.connect(socket_path(folder, worker_identity())) as connection:
        send_frame(connection, request)
        while True:
            reply = receive_frame(connection, limit=1 << 26, deadline=time.monotonic() + 60)
            if "progress" not in reply:
                return reply


def lint_request(**changes: Any) -> dict[str, Any]:
    request = {
        "op": "lint",
        "protocol": lint_worker.PROTOCOL,
        "identity": worker_identity(),
        "context": lint_context(),
        "cwd": os.getcwd(),
        "home": os.environ.get("HOME"),
        "jobs": 1,
        "templates": [["Main", FLAWED, "us-east-1"]],
    }
    request.update(changes)
    return request


def test_worker_refuses_a_client_of_another_version(worker: str) -> None:
    reply = raw_request(worker, lint_request(identity="0" * 64))
    assert reply["ok"] is False and "identity" in reply["error"]
    assert "results" not in reply


def test_worker_refuses_a_lint_context_it_does_not_compute(worker: str) -> None:
    reply = raw_request(worker, lint_request(context="cfn-lint 0.1:iac 0.1:config 0"))
    assert reply["ok"] is False and "results" not in reply


def test_worker_answers_a_good_request_with_the_templates_digest(worker: str) -> None:
    reply = raw_request(worker, lint_request())
    assert reply["ok"] is True
    assert reply["results"]["Main"]["sha256"] == lint_worker.template_digest(FLAWED)


class FakeWorker:
    """A server at the socket this iac would use, answering each request with `reply(request)` (None: hang up)."""

    def __init__(
        self, folder: str, reply: Callable[[dict[str, Any]], dict[str, Any] | None], *, mode: int = 0o600
    ) -> None:
        self.path = socket_path(folder, worker_identity())
        self.reply = reply
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        os.chmod(self.path, mode)
        self.listener.listen(4)
        self.requests: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                try:
                    request = receive_frame(connection, limit=1 << 26, deadline=time.monotonic() + 10)
                except lint_worker.WorkerUnavailable:
                    continue
                self.requests.append(request)
                answer = self.reply(request)
                if answer is not None:
                    send_frame(connection, answer)

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the serving thread
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_worker(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, no_spawn: list[str]
) -> Iterator[Callable[..., FakeWorker]]:
    folder = private_folder()
    monkeypatch.setenv("IAC_CACHE_DIR", folder)
    monkeypatch.setenv("IAC_LINT_WORKER", "1")
    made: list[FakeWorker] = []

    def make(reply: Callable[[dict[str, Any]], dict[str, Any] | None], *, mode: int = 0o600) -> FakeWorker:
        made.append(FakeWorker(folder, reply, mode=mode))
        return made[-1]

    yield make
    for fake in made:
        fake.close()
    shutil.rmtree(folder, ignore_errors=True)


def clean_reply(request: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What a worker that found nothing wrong would say (the answer a stale or forged worker gives)."""
    reply = {
        "ok": True,
        "identity": request["identity"],
        "results": {
            name: {"sha256": lint_worker.template_digest(body), "findings": []}
            for name, body, _ in request["templates"]
        },
    }
    reply.update(changes)
    return reply


FORGED_REPLIES: dict[str, Callable[[dict[str, Any]], dict[str, Any] | None]] = {
    "another version": lambda request: clean_reply(request, identity="f" * 64),
    "another template's digest": lambda request: clean_reply(
        request, results={name: {"sha256": "0" * 64, "findings": []} for name, _, _ in request["templates"]}
    ),
    "a template left out": lambda request: clean_reply(request, results={}),
    "a finding of no known severity": lambda request: clean_reply(
        request,
        results={
            name: {
                "sha256": lint_worker.template_digest(body),
                "findings": [{"rule_id": "E1", "severity": "fatal", "message": "m"}],
            }
            for name, body, _ in request["templates"]
        },
    ),
    "a refusal": lambda request: {"ok": False, "identity": request["identity"], "error": "no"},
    "no answer": lambda request: None,
}


@pytest.mark.parametrize("forged", list(FORGED_REPLIES), ids=list(FORGED_REPLIES))
def test_a_bad_or_missing_reply_never_passes_a_template(forged: str, fake_worker: Callable[..., FakeWorker]) -> None:
    fake = fake_worker(FORGED_REPLIES[forged])
    assert ask_worker({"Main": (FLAWED, "us-east-1")}) is None
    assert len(fake.requests) == 1
    results = lint_bodies({"Main": (FLAWED, "us-east-1")}, LintCache())  # the synth path: in process instead
    assert results["Main"] == lint_template(FLAWED, "us-east-1") != []


def test_a_socket_others_may_use_is_refused(
    fake_worker: Callable[..., FakeWorker], capsys: pytest.CaptureFixture[str]
) -> None:
    fake = fake_worker(clean_reply, mode=0o666)
    assert ask_worker({"Main": (FLAWED, "us-east-1")}) is None
    assert fake.requests == [], "nothing is sent to it"
    assert "open to other users" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a socket to another user")
def test_a_socket_of_another_user_is_refused(fake_worker: Callable[..., FakeWorker]) -> None:
    fake = fake_worker(clean_reply)
    os.chown(fake.path, 12345, 12345)
    assert ask_worker({"Main": (FLAWED, "us-east-1")}) is None
    assert fake.requests == []


def test_a_process_of_another_user_behind_the_socket_is_refused(
    fake_worker: Callable[..., FakeWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_worker(clean_reply)
    monkeypatch.setattr(lint_worker, "peer_uid", lambda connection: os.geteuid() + 1)
    assert ask_worker({"Main": (FLAWED, "us-east-1")}) is None
    assert fake.requests == []


def test_a_cache_folder_others_may_enter_is_not_used(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, no_spawn: list[str]
) -> None:
    folder = private_folder()
    os.chmod(folder, 0o755)
    monkeypatch.setenv("IAC_CACHE_DIR", folder)
    try:
        assert ask_worker({"Main": (FLAWED, "us-east-1")}) is None
        lint_worker.start_missing_worker()
        assert no_spawn == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_real_worker_refuses_another_users_connection(worker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker checks its peer too: here it is told (through its own check) that the peer is someone else."""
    from iac.synth.lint_worker_server import Worker

    fake = Worker(folder=worker, idle_seconds=60, max_megabytes=1024)
    server, peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    monkeypatch.setattr(lint_worker, "peer_uid", lambda connection: os.geteuid() + 1)
    with server, peer:
        send_frame(peer, lint_request())
        fake._serve_one(server)
        server.close()
        try:
            said = peer.recv(1)
        except ConnectionResetError:  # closed with the request unread
            said = b""
        assert said == b"", "not a word to another user"


# -- a dead, stopped or missing worker ------------------------------------------------------------------


def test_a_worker_killed_mid_request_falls_back_to_in_process(
    own_worker: Callable[..., Any], no_spawn: list[str]
) -> None:
    folder, process = own_worker()
    path = socket_path(folder, worker_identity())
    os.kill(process.pid, signal.SIGSTOP)  # the request is queued in the socket, never read
    with lint_worker.connect(path) as connection:
        send_frame(connection, lint_request())
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        with pytest.raises(lint_worker.WorkerUnavailable):
            receive_frame(connection, limit=1 << 20, deadline=time.monotonic() + 10)
    results = lint_bodies({"Main": (FLAWED, "us-east-1")}, LintCache())  # the socket file is left, stale
    assert results["Main"] == lint_template(FLAWED, "us-east-1") != []
    assert no_spawn == [folder], "a new worker is started for the next run"


def test_a_stopped_worker_times_out_and_lints_in_process(
    own_worker: Callable[..., Any], no_spawn: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, process = own_worker()
    monkeypatch.setattr(lint_worker, "REPLY_SECONDS", 0.5)
    monkeypatch.setattr(lint_worker, "_SECONDS_PER_KIB", 0.0)
    os.kill(process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        assert ask_worker({"Main": (FLAWED, "us-east-1")}) is None
        assert time.monotonic() - started < 5
        assert no_spawn == [], "a worker that does not answer is not replaced by a second one"
    finally:
        os.kill(process.pid, signal.SIGCONT)


def test_no_worker_lints_in_process_and_starts_one(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, no_spawn: list[str]
) -> None:
    monkeypatch.setenv("IAC_LINT_WORKER", "1")
    results = lint_bodies({"Main": (FLAWED, "us-east-1")}, LintCache())
    assert results["Main"] == lint_template(FLAWED, "us-east-1")
    assert no_spawn == [str(private_cache_dir)]


def test_the_worker_off_starts_nothing(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, no_spawn: list[str]
) -> None:
    monkeypatch.setenv("IAC_LINT_WORKER", "0")
    lint_bodies({"Main": (FLAWED + " ", "us-east-1")}, LintCache())
    assert no_spawn == []


@pytest.mark.parametrize(
    ("setting", "ci", "enabled"),
    [
        (None, None, True),
        ("0", None, False),
        ("off", None, False),
        ("1", None, True),
        (None, "true", False),
        ("1", "true", True),
        (None, "false", True),
    ],
)
def test_worker_setting(setting: str | None, ci: str | None, enabled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("IAC_LINT_WORKER", setting), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert lint_worker.worker_enabled() is enabled


def test_an_idle_worker_exits_and_removes_its_socket(own_worker: Callable[..., Any]) -> None:
    folder, process = own_worker(IAC_LINT_WORKER_IDLE="0.02")  # 1.2 s
    assert process.wait(timeout=30) == 0
    assert not os.path.exists(socket_path(folder, worker_identity()))


def test_a_worker_over_its_memory_bound_exits_after_answering(own_worker: Callable[..., Any]) -> None:
    folder, process = own_worker(IAC_LINT_WORKER_MAX_MB="1")
    assert ask_worker({"Main": (FLAWED, "us-east-1")}) == {"Main": lint_template(FLAWED, "us-east-1")}
    assert process.wait(timeout=30) == 0
    assert not os.path.exists(socket_path(folder, worker_identity()))


def test_a_second_worker_of_the_same_version_exits_at_once(worker: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "iac.synth.lint_worker_server", "--dir", worker],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20
    assert _status(worker)["pid"] != 0  # the first still answers


def test_a_new_worker_stops_the_ones_this_environment_no_longer_uses(own_worker: Callable[..., Any]) -> None:
    folder = private_folder()
    old_identity = "e" * 64
    old_path = lint_worker.socket_path(folder, old_identity)
    asked: list[str] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(old_path)
    os.chmod(old_path, 0o600)
    listener.listen(4)

    def serve() -> None:  # an older iac's worker in the same virtualenv, as its status tells
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                op = receive_frame(connection, limit=1 << 20, deadline=time.monotonic() + 10)["op"]
                asked.append(op)
                send_frame(connection, {"ok": True, "identity": old_identity, "prefix": sys.prefix})
                if op == "stop":
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    own_worker(folder)
    thread.join(timeout=30)
    listener.close()
    assert asked == ["status", "stop"]


# -- iac lint-worker ----------------------------------------------------------------------------------------


def _status(folder: str) -> dict[str, Any]:
    return raw_request(folder, {"op": "status"})


def test_status_command_lists_the_worker(worker: str) -> None:
    result = CliRunner().invoke(cli, ["lint-worker", "status"])
    assert result.exit_code == 0, result.output
    assert f"pid {_status(worker)['pid']}" in result.output
    assert socket_path(worker, worker_identity()) in result.output


def test_stop_command_stops_the_worker(own_worker: Callable[..., Any]) -> None:
    folder, process = own_worker()
    result = CliRunner().invoke(cli, ["lint-worker", "stop"])
    assert result.exit_code == 0, result.output
    assert f"stopped lint worker pid {process.pid}" in result.output
    assert process.wait(timeout=10) == 0
    assert not os.path.exists(socket_path(folder, worker_identity()))
    assert "no lint worker runs" in CliRunner().invoke(cli, ["lint-worker", "status"]).output


def test_start_command_starts_a_detached_worker_and_stop_ends_it(
    private_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real start: a double fork into its own session, not a child of this process, stdio on /dev/null."""
    folder = private_folder()
    monkeypatch.setenv("IAC_CACHE_DIR", folder)
    try:
        result = CliRunner().invoke(cli, ["lint-worker", "start"])
        assert result.exit_code == 0, result.output
        pid = _status(folder)["pid"]
        assert f"lint worker pid {pid} runs" in result.output
        stat_fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        assert int(stat_fields[1]) != os.getpid(), "not a child of iac"
        assert int(stat_fields[3]) not in (os.getsid(0), pid), "in a session of its own, never its leader (no terminal)"
        assert os.readlink(f"/proc/{pid}/fd/1") == os.devnull
        assert lint_worker.lint_with_worker({"Main": (FLAWED, "us-east-1")}, context=lint_context()) == {
            "Main": lint_template(FLAWED, "us-east-1")
        }
        result = CliRunner().invoke(cli, ["lint-worker", "stop"])
        assert f"stopped lint worker pid {pid}" in result.output
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(f"/proc/{pid}")
    finally:
        lint_worker.stop_workers()
        shutil.rmtree(folder, ignore_errors=True)
