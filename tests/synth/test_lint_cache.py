"""The lint cache cannot turn a failing template into a passing one (issue 12, defect 3).

`iac.out/.lint-cache.json` is as writable as the assembly (committed, restored from a CI cache, part of
a pull request), so each entry is keyed by everything that decides cfn-lint's findings and signed
with an HMAC whose key lives in the user's private cache folder (IAC_CACHE_DIR here: see the autouse
fixture in tests/conftest.py). These tests run the real CLI over a template that cfn-lint rejects
(E3512, a misspelt statement Effect that the schema layer accepts) and forge the cache around it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from local_aws import aws_env, moto, moto_server  # noqa: F401 - fixtures of the deploy test

from iac.synth.lint import CACHE_FILE, LintCache, cache_key

#: A queue policy whose statement Effect is misspelt: passes the schema layer, fails cfn-lint (E3512).
INVALID_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    stack = Stack(app, "Main")
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    CfnResource(stack, "Policy", type="AWS::SQS::QueuePolicy", properties={
        "Queues": [queue.ref],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Alow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "*"}]},
    })
"""

#: Valid but for a cfn-lint warning (W2001, an unused parameter): synth passes and reports it.
WARNING_APP = """
    from iac import App, CfnResource, Parameter, Stack

    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    Parameter(stack, "Unused", type="String")
"""

TEMPLATE = "Main.template.json"


def cache_warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if "lint cache" in line]


#: A clean app: its synth writes iac.out/ with a lint cache (the file the tests then forge).
CLEAN_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
"""


def synthesized_body(invoke: Any, write_app: Any, source: str) -> str:
    """An iac.out/ of a clean app (lint cache included), then `source` as the app: its template text."""
    write_app(CLEAN_APP)
    first = invoke("synth")
    assert first.exit_code == 0 and Path("iac.out", CACHE_FILE).is_file(), first.output
    write_app(source)
    printed = invoke("synth", "--print", "--no-lint")
    assert printed.exit_code == 0, printed.output
    return printed.stdout


def write_cache(data: Any) -> None:
    if isinstance(data, dict | list):
        data = json.dumps(data)
    Path("iac.out", CACHE_FILE).write_bytes(data if isinstance(data, bytes) else data.encode())


def signed_cache(entries: dict[str, list[Any]]) -> str:
    """A cache file signed with this user's key, as iac itself writes one (public API only)."""
    empty = Path("no-cache-yet")
    empty.mkdir(exist_ok=True)
    cache = LintCache.load(str(empty))
    for key, findings in entries.items():
        cache.put(key, findings)
    text = cache.dumps()
    assert text is not None
    return text


def assert_lint_error_reported(result: Any) -> None:
    assert result.exit_code == 1, result.output
    assert "E3512" in result.output
    assert "Traceback" not in result.output


# -- forged entries ----------------------------------------------------------------------------------


def forged_entries(key: str) -> dict[str, Any]:
    other_key = os.urandom(32)
    empty_mac = hmac.new(other_key, key.encode() + b"\0[]", hashlib.sha256).hexdigest()
    return {
        "the old unsigned format": {"format": 1, "entries": {key: []}},
        "no mac": {"format": 2, "entries": {key: {"findings": []}}},
        "a null mac": {"format": 2, "entries": {key: {"findings": [], "mac": None}}},
        "an invalid mac": {"format": 2, "entries": {key: {"findings": [], "mac": "0" * 64}}},
        "a mac made with another key": {"format": 2, "entries": {key: {"findings": [], "mac": empty_mac}}},
    }


@pytest.mark.parametrize("shape", list(forged_entries("k")))
def test_a_forged_clean_entry_does_not_make_an_invalid_template_pass_synth(invoke, write_app, shape):
    body = synthesized_body(invoke, write_app, INVALID_APP)
    write_cache(forged_entries(cache_key(body, "us-east-1"))[shape])

    result = invoke("synth")

    assert_lint_error_reported(result)


def test_a_signed_clean_entry_moved_under_the_invalid_templates_key_is_not_trusted(invoke, write_app):
    # The clean entry of another template, signed with the right key, replayed under this template's key.
    body = synthesized_body(invoke, write_app, INVALID_APP)
    clean = json.loads(signed_cache({cache_key("{}", "us-east-1"): []}))
    [entry] = clean["entries"].values()
    clean["entries"] = {cache_key(body, "us-east-1"): entry}
    write_cache(clean)

    result = invoke("synth")

    assert_lint_error_reported(result)
    assert len(cache_warnings(result.stderr)) == 1


def test_a_cache_signed_by_another_user_is_not_trusted(invoke, write_app, monkeypatch, tmp_path_factory):
    body = synthesized_body(invoke, write_app, INVALID_APP)
    monkeypatch.setenv("IAC_CACHE_DIR", str(tmp_path_factory.mktemp("other-user") / "iac"))
    write_cache(signed_cache({cache_key(body, "us-east-1"): []}))  # another user's key says "no findings"
    monkeypatch.setenv("IAC_CACHE_DIR", str(tmp_path_factory.mktemp("this-user") / "iac"))

    result = invoke("synth")

    assert_lint_error_reported(result)
    [warning] = cache_warnings(result.stderr)
    assert "not signed with your key" in warning


# -- damaged caches -------------------------------------------------------------------------------------


def damaged_caches(key: str) -> dict[str, Any]:
    finding = {"rule_id": "E3512", "severity": "error", "message": "m", "path": [], "line": 1}
    entry = {"findings": [finding], "mac": "0" * 64}
    return {
        "not json": "{not json",
        "binary": b"\xff\xfe\x00",
        "json null": "null",
        "a list": "[]",
        "no format": {"entries": {}},
        "a string format": {"format": "2", "entries": {}},
        "entries a list": {"format": 2, "entries": []},
        "entry a string": {"format": 2, "entries": {key: "clean"}},
        "findings a string": {"format": 2, "entries": {key: {"findings": "none", "mac": "0" * 64}}},
        "finding not an object": {"format": 2, "entries": {key: {"findings": [1], "mac": "0" * 64}}},
        "finding without rule id": {"format": 2, "entries": {key: {"findings": [{"severity": "error"}],
                                                                  "mac": "0" * 64}}},
        "rule id a number": {"format": 2, "entries": {key: {"findings": [{**finding, "rule_id": 3}],
                                                           "mac": "0" * 64}}},
        "unknown severity": {"format": 2, "entries": {key: {"findings": [{**finding, "severity": "fine"}],
                                                           "mac": "0" * 64}}},
        "line a string": {"format": 2, "entries": {key: {"findings": [{**finding, "line": "1"}], "mac": "0" * 64}}},
        "path a dict": {"format": 2, "entries": {key: {"findings": [{**finding, "path": {}}], "mac": "0" * 64}}},
        "many bad entries": {"format": 2, "entries": {f"{key}{n}": {"findings": 7} for n in range(20)}},
        "mac a number": {"format": 2, "entries": {key: {**entry, "mac": 5}}},
    }


@pytest.mark.parametrize("shape", list(damaged_caches("k")))
def test_a_damaged_cache_is_ignored_with_one_warning_line(invoke, write_app, shape):
    body = synthesized_body(invoke, write_app, INVALID_APP)
    write_cache(damaged_caches(cache_key(body, "us-east-1"))[shape])

    result = invoke("synth")

    assert_lint_error_reported(result)
    [warning] = cache_warnings(result.stderr)
    assert warning.startswith("warning: ") and CACHE_FILE in warning


def test_a_damaged_cache_does_not_hide_warnings_and_is_replaced_by_a_good_one(invoke, write_app):
    synthesized_body(invoke, write_app, WARNING_APP)
    write_cache({"format": 2, "entries": {"x": {"findings": 1}}})

    first = invoke("synth", "--verbose")
    second = invoke("synth", "--verbose")

    assert first.exit_code == 0 and "W2001" in first.stderr and len(cache_warnings(first.stderr)) == 1
    assert "1 stack linted" in first.stderr
    assert second.exit_code == 0 and "W2001" in second.stderr and cache_warnings(second.stderr) == []
    assert "1 stack from the cache" in second.stderr


# -- a legitimate cache ---------------------------------------------------------------------------------


def test_an_unchanged_app_is_not_linted_again_through_the_real_cli(tmp_path, write_app, run_iac):
    write_app(WARNING_APP)
    first = run_iac("synth", "--verbose")
    second = run_iac("synth", "--verbose")
    assert first.returncode == 0 and "1 stack linted" in first.stderr, first.stderr
    assert second.returncode == 0 and "1 stack from the cache" in second.stderr, second.stderr
    assert "W2001" in second.stderr and cache_warnings(second.stderr) == []


def test_the_key_is_not_in_the_assembly(tmp_path, write_app, run_iac):
    write_app(WARNING_APP)
    assert run_iac("synth").returncode == 0
    [key_file] = Path(os.environ["IAC_CACHE_DIR"]).iterdir()
    secret = key_file.read_text().strip()
    for path in (tmp_path / "iac.out").rglob("*"):
        assert secret not in path.read_text(errors="replace")


# -- the key file ---------------------------------------------------------------------------------------


def key_path() -> Path:
    [path] = Path(os.environ["IAC_CACHE_DIR"]).iterdir()
    return path


def test_the_key_is_created_private_in_xdg_cache_home(invoke, write_app, monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.delenv("IAC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    old = os.umask(0)  # a wide umask must not make the folder or the key readable
    try:
        synthesized_body(invoke, write_app, WARNING_APP)
        assert invoke("synth").exit_code == 0
    finally:
        os.umask(old)
    folder = home / "cache" / "iac"
    [key] = folder.iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.stat().st_uid == os.geteuid()


def test_without_xdg_cache_home_the_key_goes_to_home_dot_cache(invoke, write_app, monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.delenv("IAC_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    synthesized_body(invoke, write_app, WARNING_APP)
    assert invoke("synth").exit_code == 0
    assert [p.name for p in (home / ".cache" / "iac").iterdir()] == ["lint-cache.key"]


def relint_after(invoke: Any, write_app: Any, spoil: Any) -> Any:
    """Synthesize twice with `spoil()` in between: the result of the second synth."""
    synthesized_body(invoke, write_app, WARNING_APP)
    assert invoke("synth").exit_code == 0
    spoil()
    return invoke("synth", "--verbose")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o606])
def test_a_key_others_can_read_or_write_is_not_trusted(invoke, write_app, mode):
    result = relint_after(invoke, write_app, lambda: key_path().chmod(mode))
    assert result.exit_code == 0 and "W2001" in result.stderr
    assert "1 stack linted" in result.stderr
    [warning] = cache_warnings(result.stderr)
    assert "lint-cache.key" in warning and "chmod 600" in warning


def test_a_cache_folder_others_can_write_is_not_trusted(invoke, write_app):
    result = relint_after(invoke, write_app, lambda: Path(os.environ["IAC_CACHE_DIR"]).chmod(0o777))
    assert result.exit_code == 0 and "1 stack linted" in result.stderr
    [warning] = cache_warnings(result.stderr)
    assert "writable by others" in warning


def test_a_key_that_is_a_symlink_is_not_trusted(invoke, write_app, tmp_path_factory):
    def replace_by_link() -> None:
        target = tmp_path_factory.mktemp("elsewhere") / "key"
        target.write_text(key_path().read_text())
        target.chmod(0o600)
        path = key_path()
        path.unlink()
        path.symlink_to(target)

    result = relint_after(invoke, write_app, replace_by_link)
    assert result.exit_code == 0 and "1 stack linted" in result.stderr
    assert len(cache_warnings(result.stderr)) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_key_owned_by_another_user_is_not_trusted(invoke, write_app):
    result = relint_after(invoke, write_app, lambda: os.chown(key_path(), 65534, 65534))
    assert result.exit_code == 0 and "1 stack linted" in result.stderr
    [warning] = cache_warnings(result.stderr)
    assert "owned by another user" in warning


def test_a_damaged_key_is_not_used(invoke, write_app):
    result = relint_after(invoke, write_app, lambda: key_path().write_text("short\n"))
    assert result.exit_code == 0 and "1 stack linted" in result.stderr
    assert len(cache_warnings(result.stderr)) == 1


def test_processes_creating_the_key_at_once_agree_on_it(monkeypatch, tmp_path_factory):
    from iac.synth.lint_cache import load_secret

    monkeypatch.setenv("IAC_CACHE_DIR", str(tmp_path_factory.mktemp("race") / "iac"))
    secrets: list[bytes | None] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        secrets.append(load_secret().secret)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(secrets) == 8 and secrets[0] is not None and set(secrets) == {secrets[0]}
    assert [p.name for p in Path(os.environ["IAC_CACHE_DIR"]).iterdir()] == ["lint-cache.key"]


# -- what decides the findings is in the key ------------------------------------------------------------


def test_the_cache_key_holds_the_versions_and_the_rule_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = '{"Resources": {}}'
    plain = cache_key(body, "us-east-1")
    (tmp_path / ".cfnlintrc").write_text("ignore_checks:\n  - E3512\n")
    configured = cache_key(body, "us-east-1")
    assert plain != configured
    assert hashlib.sha256(body.encode()).hexdigest() in plain


def test_a_project_cfnlintrc_that_ignores_a_rule_is_not_served_from_an_older_cache(invoke, write_app):
    synthesized_body(invoke, write_app, INVALID_APP)
    Path(".cfnlintrc").write_text("ignore_checks:\n  - E3512\n")
    assert invoke("synth").exit_code == 0  # the user's own configuration switches the rule off
    Path(".cfnlintrc").unlink()
    assert_lint_error_reported(invoke("synth"))  # and back on: the clean result is not reused


# -- deploy ---------------------------------------------------------------------------------------------


def test_deploy_lints_again_whatever_the_cache_says(invoke, write_app, moto):  # noqa: F811 - the fixture
    # Even an entry signed with this user's key (a key shared through a restored CI cache, say)
    # does not decide what gets deployed.
    body = synthesized_body(invoke, write_app, INVALID_APP)
    write_cache(signed_cache({cache_key(body, "us-east-1"): []}))
    assert invoke("synth").exit_code == 0  # synth trusts its own signed entry

    result = invoke("deploy", "--endpoint-url", moto)

    assert_lint_error_reported(result)
