"""Resource rules registered by service modules run at synth with the date and the baseline assembly."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from iac import App, CfnResource, Stack, ValidationError
from iac.constructs.core import synth_rules
from iac.constructs.core.synth_rules import RuleFinding, StackResource, SynthContext, add_resource_rule
from iac.synth import synthesize
from iac.synth.resource_rules import AssemblyBaseline
from iac.synth.synthesizer import validate_assembly

QUEUE = "AWS::SQS::Queue"


@pytest.fixture(autouse=True)
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rules added by a test are gone after it."""
    monkeypatch.setattr(synth_rules, "_RULES", {key: list(value) for key, value in synth_rules._RULES.items()})


def _app() -> tuple[App, CfnResource]:
    app = App()
    queue = CfnResource(Stack(app, "S"), "Queue", type=QUEUE, properties={"VisibilityTimeout": 60})
    return app, queue


def test_a_rule_sees_each_resource_of_its_type_the_date_and_whether_the_baseline_has_it(
        tmp_path: Path, frozen_today: datetime.date) -> None:
    seen: list[tuple[str, str, int, datetime.date, bool]] = []

    def rule(resource: StackResource, context: SynthContext) -> Iterator[RuleFinding]:
        seen.append((resource.stack, resource.logical_id, resource.properties["VisibilityTimeout"], context.today,
                     context.baseline_has(resource.stack, resource.logical_id, QUEUE)))
        return iter(())

    add_resource_rule(QUEUE, rule)
    add_resource_rule(QUEUE, rule)  # once, however often
    out = tmp_path / "out"
    app, queue = _app()
    app.synth(outdir=str(out), lint=False)
    app.synth(outdir=str(out), lint=False)
    assert seen == [("S", queue.logical_id, 60, frozen_today, False), ("S", queue.logical_id, 60, frozen_today, True)]


def test_the_baseline_must_have_the_same_type(tmp_path: Path) -> None:
    app, queue = _app()
    app.synth(outdir=str(tmp_path), lint=False)
    baseline = AssemblyBaseline(tmp_path)
    assert baseline.baseline_has("S", queue.logical_id)
    assert baseline.baseline_has("S", queue.logical_id, QUEUE)
    assert not baseline.baseline_has("S", queue.logical_id, "AWS::SNS::Topic")
    assert not baseline.baseline_has("Other", queue.logical_id)


def test_no_or_a_damaged_baseline_has_nothing(tmp_path: Path) -> None:
    assert AssemblyBaseline(None).baseline_name is None
    assert not AssemblyBaseline(tmp_path / "missing").baseline_has("S", "Queue")
    (tmp_path / "manifest.json").write_text("{not json")
    assert not AssemblyBaseline(tmp_path).baseline_has("S", "Queue")


def test_an_error_fails_the_synth_at_the_construct_and_the_users_line(tmp_path: Path) -> None:
    add_resource_rule(QUEUE, lambda resource, context: [RuleFinding("too slow", hint="go faster", code="speed",
                                                                    property="VisibilityTimeout")])
    app, queue = _app()
    with pytest.raises(ValidationError) as caught:
        app.synth(outdir=str(tmp_path / "out"), lint=False)
    [problem] = caught.value.problems
    assert (problem.message, problem.hint, problem.code) == ("too slow", "go faster", "speed")
    assert problem.path == queue.path
    assert problem.location.file == __file__
    assert problem.property_path == f"Resources.{queue.logical_id}.Properties.VisibilityTimeout"
    assert not (tmp_path / "out").exists()


def test_a_warning_is_kept_on_the_assembly_and_fails_only_a_strict_synth() -> None:
    add_resource_rule(QUEUE, lambda resource, context: [RuleFinding("mind this", severity="warning")])
    app, _ = _app()
    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)
    assert [w.message for w in assembly.warnings] == ["mind this"]
    with pytest.raises(ValidationError, match="mind this"):
        validate_assembly(synthesize(app), lint=False, strict=True)


def test_replaced_lint_rules_are_named_by_the_rule_that_replaces_them() -> None:
    add_resource_rule(QUEUE, lambda resource, context: (), replaces_lint=("W9999",))
    assert "W9999" in synth_rules.replaced_lint_rules()
    assert QUEUE in synth_rules.ruled_types()
