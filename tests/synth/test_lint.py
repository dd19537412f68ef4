"""The cfn-lint layer: findings for template texts, mapping to constructs, warnings vs errors,
the lint cache in the assembly directory (its trust: test_lint_cache.py), and parallel linting of
several stacks.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import iac.synth.lint as lint_module
from iac import App, CfnResource, Parameter, Stack, ValidationError
from iac.synth.lint import CACHE_FILE, LintCache, LintFinding, cache_key, lint_bodies, lint_template
from iac.synth.loader import loads
from iac.synth.schema_validation import validate_template
from iac.synth.synthesizer import synthesize

HERE = str(Path(__file__).resolve())
BROKEN = Path(__file__).resolve().parents[1] / "templates" / "broken"

#: A queue policy whose statement Effect is misspelt: valid for the schema layer (policy documents
#: are free-form JSON there), an error (E3512) for cfn-lint.
BAD_EFFECT_YAML = (BROKEN / "lint-only.yaml").read_text()


def next_line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1


def bad_policy_document() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Alow", "Principal": {"Service": "sns.amazonaws.com"},
                       "Action": "sqs:SendMessage", "Resource": "*"}],
    }


def add_bad_policy(stack: Stack) -> tuple[CfnResource, int]:
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    line = next_line()
    CfnResource(stack, "Policy", type="AWS::SQS::QueuePolicy",
                properties={"Queues": [queue.ref], "PolicyDocument": bad_policy_document()})
    return queue, line


def warning_app(**stack_options: Any) -> tuple[App, int]:
    """An app whose only finding is a cfn-lint warning: an unused parameter (W2001)."""
    app = App()
    stack = Stack(app, "Main", **stack_options)
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    line = next_line()
    Parameter(stack, "Unused", type="String")
    return app, line


@pytest.fixture
def count_lint_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Spy on iac.synth.lint._lint_all: one entry (the stacks linted) per real cfn-lint run."""
    calls: list[list[str]] = []
    original = lint_module._lint_all

    def spy(missing: dict[str, Any], jobs: int | None, *args: Any) -> Any:
        calls.append(sorted(missing))
        return original(missing, jobs, *args)

    monkeypatch.setattr(lint_module, "_lint_all", spy)
    return calls


# -- lint_template ---------------------------------------------------------------------------------


def test_lint_template_reports_a_cfn_lint_error_with_path_and_line() -> None:
    findings = lint_template(BAD_EFFECT_YAML, "us-east-1")
    assert len(findings) == 1
    finding = findings[0]
    assert finding.rule_id == "E3512"
    assert finding.severity == "error"
    assert finding.path == ("Resources", "QueuePolicy", "Properties", "PolicyDocument", "Statement", 0, "Effect")
    assert finding.line == 14
    assert "Alow" in finding.message


def test_the_lint_only_problem_passes_the_schema_layer() -> None:
    assert validate_template(loads(BAD_EFFECT_YAML)) == []


def test_lint_template_of_a_valid_template_finds_nothing() -> None:
    body = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}}})
    assert lint_template(body, "us-east-1") == []


def test_lint_template_reports_warnings_as_warnings() -> None:
    body = json.dumps({"Parameters": {"Unused": {"Type": "String"}},
                       "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
    findings = lint_template(body, "us-east-1")
    assert [(f.rule_id, f.severity, f.path) for f in findings] == [("W2001", "warning", ("Parameters", "Unused"))]


def test_lint_template_uses_the_region() -> None:
    # Lambda function URLs exist in us-east-1 but not (in cfn-lint's data) in il-central-1.
    body = json.dumps({"Resources": {"Url": {"Type": "AWS::Lambda::Url", "Properties": {
        "TargetFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f", "AuthType": "AWS_IAM"}}}})
    assert lint_template(body, "us-east-1") == []
    assert "E3006" in {f.rule_id for f in lint_template(body, "il-central-1")}


def test_lint_template_reports_unparsable_text_as_an_error() -> None:
    findings = lint_template("Resources: [\n", "us-east-1")
    assert [(f.rule_id, f.severity, f.path, f.line) for f in findings] == [("E0000", "error", (), 2)]


def test_lint_findings_hold_plain_strings() -> None:
    # cfn-lint's paths are str subclasses that cannot be pickled back from a lint worker process.
    [finding] = lint_template(BAD_EFFECT_YAML, "us-east-1")
    assert {type(part) for part in finding.path} == {str, int}
    assert type(finding.message) is str and type(finding.rule_id) is str


def test_lint_finding_round_trips_through_json() -> None:
    finding = LintFinding(rule_id="E3012", severity="error", message="m", path=("Resources", "Q", 0), line=3)
    assert LintFinding.from_json(json.loads(json.dumps(finding.to_json()))) == finding


# -- through synth --------------------------------------------------------------------------------------


def test_lint_error_fails_synth_and_names_the_construct_and_line(tmp_path: Path) -> None:
    app = App()
    _, line = add_bad_policy(Stack(app, "Main"))
    with pytest.raises(ValidationError) as raised:
        app.synth(outdir=str(tmp_path / "out"))
    [problem] = raised.value.problems
    assert problem.code == "E3512"
    assert problem.path == "Main/Policy"
    assert problem.location is not None and (problem.location.file, problem.location.line) == (HERE, line)
    assert problem.property_path == "Resources.Policy.Properties.PolicyDocument.Statement.0.Effect"
    assert not (tmp_path / "out").exists()


def test_lint_false_skips_cfn_lint(tmp_path: Path, count_lint_runs: list[list[str]]) -> None:
    app = App()
    add_bad_policy(Stack(app, "Main"))
    app.synth(outdir=str(tmp_path / "out"), lint=False)
    assert count_lint_runs == []
    assert not (tmp_path / "out" / CACHE_FILE).exists()


def test_schema_errors_and_lint_errors_are_reported_in_one_synth(tmp_path: Path) -> None:
    app = App()
    stack = Stack(app, "Main")
    _, policy_line = add_bad_policy(stack)  # cfn-lint alone finds it (E3512)
    line = next_line()
    CfnResource(stack, "Other", type="AWS::SQS::Queue", properties={"VisibilityTimout": 1})
    with pytest.raises(ValidationError) as raised:
        app.synth(outdir=str(tmp_path / "out"))
    found = [(p.code, p.path, p.location.line if p.location else None) for p in raised.value.problems]
    assert found == [("schema", "Main/Other", line), ("E3512", "Main/Policy", policy_line)]


def test_a_problem_both_layers_find_is_reported_once_as_the_schema_layer_tells_it(tmp_path: Path) -> None:
    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 1})
    assert "E3002" in {f.rule_id for f in lint_template(synthesize(app).stacks[0].body, "us-east-1")}
    with pytest.raises(ValidationError) as raised:
        app.synth(outdir=str(tmp_path / "out"))
    [problem] = raised.value.problems
    assert (problem.code, problem.hint) == ("schema", "did you mean VisibilityTimeout?")


def test_warnings_do_not_fail_synth_and_are_kept_on_the_assembly(tmp_path: Path) -> None:
    app, line = warning_app()
    assembly = app.synth(outdir=str(tmp_path / "out"))
    [warning] = assembly.warnings
    assert (warning.code, warning.severity, warning.path) == ("W2001", "warning", "Main/Unused")
    assert warning.location is not None and warning.location.line == line
    assert (tmp_path / "out" / "Main.template.json").exists()


def test_warnings_fail_synth_when_strict(tmp_path: Path) -> None:
    app, _ = warning_app()
    with pytest.raises(ValidationError) as raised:
        app.synth(outdir=str(tmp_path / "out"), strict=True)
    assert [(p.code, p.severity) for p in raised.value.problems] == [("W2001", "warning")]
    assert not (tmp_path / "out").exists()


def test_clean_app_has_no_warnings(tmp_path: Path) -> None:
    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
    assert app.synth(outdir=str(tmp_path / "out"), strict=True).warnings == []


# -- the lint cache --------------------------------------------------------------------------------------


def test_lint_cache_file_is_written_into_the_assembly(tmp_path: Path) -> None:
    app, _ = warning_app()
    assembly = app.synth(outdir=str(tmp_path / "out"))
    assert CACHE_FILE in assembly.extra_files
    data = json.loads((tmp_path / "out" / CACHE_FILE).read_text())
    assert data["format"] == 2
    [entry] = data["entries"].values()
    assert [f["rule_id"] for f in entry["findings"]] == ["W2001"]
    assert len(entry["mac"]) == 64  # signed with the user's key (tests/synth/test_lint_cache.py)


def test_second_synth_into_the_same_outdir_does_not_lint_again(
    tmp_path: Path, count_lint_runs: list[list[str]]
) -> None:
    out = str(tmp_path / "out")
    warning_app()[0].synth(outdir=out)
    assert count_lint_runs == [["Main"]]
    assembly = warning_app()[0].synth(outdir=out)
    assert count_lint_runs == [["Main"]]
    assert [w.code for w in assembly.warnings] == ["W2001"]  # cached findings still reported


def test_changed_stack_is_linted_again_and_unchanged_one_is_not(
    tmp_path: Path, count_lint_runs: list[list[str]]
) -> None:
    def build(timeout: int) -> App:
        app = App()
        CfnResource(Stack(app, "Fixed"), "Queue", type="AWS::SQS::Queue")
        CfnResource(Stack(app, "Changing"), "Queue", type="AWS::SQS::Queue",
                    properties={"VisibilityTimeout": timeout})
        return app

    out = str(tmp_path / "out")
    build(30).synth(outdir=out)
    build(60).synth(outdir=out)
    assert count_lint_runs == [["Changing", "Fixed"], ["Changing"]]


def test_stack_in_another_region_is_linted_again(tmp_path: Path, count_lint_runs: list[list[str]]) -> None:
    out = str(tmp_path / "out")
    warning_app(region="us-east-1")[0].synth(outdir=out)
    warning_app(region="eu-west-1")[0].synth(outdir=out)
    assert len(count_lint_runs) == 2


def test_cache_key_changes_with_region_and_body() -> None:
    body = '{"Resources": {}}'
    assert cache_key(body, "us-east-1") == cache_key(body, "us-east-1")
    assert cache_key(body, "us-east-1") != cache_key(body, "eu-west-1")
    assert cache_key(body, "us-east-1") != cache_key(body + " ", "us-east-1")


def test_corrupt_cache_file_is_ignored(tmp_path: Path, count_lint_runs: list[list[str]]) -> None:
    out = tmp_path / "out"
    warning_app()[0].synth(outdir=str(out))
    (out / CACHE_FILE).write_text("{not json")
    assembly = warning_app()[0].synth(outdir=str(out))
    assert len(count_lint_runs) == 2
    assert [w.code for w in assembly.warnings] == ["W2001"]


def test_cache_keeps_only_the_entries_this_run_used() -> None:
    cache = LintCache(secret=b"k" * 32)
    cache.put("old", [])
    fresh = LintCache(entries=dict(cache.entries), secret=cache.secret)
    fresh.put("new", [])
    assert list(json.loads(fresh.dumps())["entries"]) == ["new"]


def test_lint_cache_loads_what_it_dumps(tmp_path: Path) -> None:
    finding = LintFinding(rule_id="W2001", severity="warning", message="m", path=("Parameters", "P"), line=2)
    cache = LintCache.load(str(tmp_path))
    cache.put("key", [finding])
    text = cache.dumps()
    assert text is not None
    (tmp_path / CACHE_FILE).write_text(text)
    assert LintCache.load(str(tmp_path)).get("key") == [finding]


def test_an_in_memory_cache_is_never_saved() -> None:
    cache = LintCache()
    cache.put("key", [])
    assert cache.dumps() is None


# -- parallel linting ------------------------------------------------------------------------------------


def several_bodies() -> dict[str, tuple[str, str]]:
    warning = json.dumps({"Parameters": {"Unused": {"Type": "String"}},
                          "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
    return {
        "Bad": (BAD_EFFECT_YAML, "us-east-1"),
        "Warning": (warning, "us-east-1"),
        "Clean": (json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}), "eu-west-1"),
    }


@pytest.fixture
def count_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on the worker pool: the max_workers of each pool iac.synth.lint starts."""
    import concurrent.futures

    started: list[int] = []
    original = concurrent.futures.ProcessPoolExecutor

    def pool(*args: Any, **kwargs: Any) -> Any:
        started.append(kwargs.get("max_workers", 0))
        return original(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
    return started


def lint_with_jobs(monkeypatch: pytest.MonkeyPatch, jobs: str) -> dict[str, list[LintFinding]]:
    monkeypatch.setenv("IAC_LINT_JOBS", jobs)
    return lint_bodies(several_bodies(), LintCache())


def test_parallel_lint_returns_the_same_findings_as_serial(
    monkeypatch: pytest.MonkeyPatch, count_pools: list[int]
) -> None:
    serial = lint_with_jobs(monkeypatch, "1")
    assert count_pools == []
    parallel = lint_with_jobs(monkeypatch, "2")
    assert count_pools == [2]
    assert parallel == serial
    assert [f.rule_id for f in serial["Bad"]] == ["E3512"]
    assert [f.rule_id for f in serial["Warning"]] == ["W2001"]
    assert serial["Clean"] == []


def test_parallel_synth_of_several_stacks_reports_every_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count_pools: list[int]
) -> None:
    def build() -> App:
        app = App()
        add_bad_policy(Stack(app, "One"))
        add_bad_policy(Stack(app, "Two"))
        return app

    results: dict[str, list[tuple[Any, ...]]] = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("IAC_LINT_JOBS", jobs)
        with pytest.raises(ValidationError) as raised:
            build().synth(outdir=str(tmp_path / f"out{jobs}"))
        results[jobs] = sorted((p.path, p.code, p.location.line if p.location else None)
                               for p in raised.value.problems)
    assert count_pools == [2]
    assert results["1"] == results["2"]
    assert [path for path, _, _ in results["1"]] == ["One/Policy", "Two/Policy"]


def test_lint_jobs_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAC_LINT_JOBS", "3")
    assert lint_module._default_jobs() == 3
    monkeypatch.setenv("IAC_LINT_JOBS", "zero")
    assert lint_module._default_jobs() >= 1


def test_cached_bodies_are_not_sent_to_workers(count_lint_runs: list[list[str]]) -> None:
    cache = LintCache()
    bodies = several_bodies()
    lint_bodies({"Bad": bodies["Bad"]}, cache, jobs=1)
    lint_bodies(bodies, cache, jobs=1)
    assert count_lint_runs == [["Bad"], ["Clean", "Warning"]]
