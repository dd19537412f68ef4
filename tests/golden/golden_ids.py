"""Golden logical ids: per stack, {logical id: resource type} of every sample and every `iac init` template.

A logical id is how CloudFormation knows a resource: a changed id deletes the old resource and creates a
new one (a table, a bucket, a log group: their data with it). The files in logical_ids/ are the ids the
apps make today, checked in; test_logical_ids.py compares each app's synthesized ids with its file and
never writes it. update.py (`make golden`) rewrites the files and prints what changed, for a change
that is meant.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "logical_ids"
UPDATE_COMMAND = "make golden  (or: .venv/bin/python tests/golden/update.py)"
#: the project name the templates are rendered with (its CamelCase names the stack)
PROJECT_NAME = "demo"

#: {stack name: {logical id: resource type}}
Snapshot = dict[str, dict[str, str]]


@attrs.frozen
class GoldenApp:
    """A sample (`sample-<folder>`) or an `iac init` template (`init-<template>`), and its golden file."""

    name: str
    kind: str  # "sample" | "template"
    source: str  # the sample's folder name or the template's name

    @property
    def golden_file(self) -> Path:
        return GOLDEN / f"{self.name}.json"


def golden_apps() -> list[GoldenApp]:
    """Every sample (samples/*/app.py) and every project template `iac init` offers."""
    from iac.cli.project_templates import available_templates

    samples = [GoldenApp(f"sample-{app.parent.name}", "sample", app.parent.name)
               for app in sorted((REPO / "samples").glob("*/app.py"))]
    templates = [GoldenApp(f"init-{template.name}", "template", template.name)
                 for template in sorted(available_templates(), key=lambda t: t.name)]
    return samples + templates


def snapshot(app: GoldenApp) -> Snapshot:
    """The logical ids and types of the app's resources, per stack, as synthesized now (nothing written)."""
    with _app_file(app) as path:
        return snapshot_of_app_file(path)


def snapshot_of_app_file(path: Path) -> Snapshot:
    from iac.cli.app_loader import load_app
    from iac.synth import synthesize

    assembly = synthesize(load_app(str(path)))
    return {artifact.name: {logical_id: resource["Type"]
                            for logical_id, resource in sorted(assembly.template(artifact.name)
                                                               .get("Resources", {}).items())}
            for artifact in assembly.stacks}


@contextmanager
def _app_file(app: GoldenApp) -> Iterator[Path]:
    if app.kind == "sample":
        yield REPO / "samples" / app.source / "app.py"
        return
    from iac.cli.install_source import InstallSource
    from iac.cli.project_templates import find_template, render_project, write_project

    # the requirement changes what the pipeline's build installs, never an id: a fixed one keeps the render
    # the same whatever way this iac is installed
    source = InstallSource(kind="index", requirement="iac-cfn==0.1.0", version="0.1.0")
    with tempfile.TemporaryDirectory(prefix="iac-golden-") as folder:
        project = Path(folder) / PROJECT_NAME
        write_project(render_project(find_template(app.source), PROJECT_NAME, source=source), str(project))
        yield project / "app.py"


def read_golden(app: GoldenApp) -> Snapshot | None:
    if not app.golden_file.is_file():
        return None
    data: Snapshot = json.loads(app.golden_file.read_text(encoding="utf-8"))
    return data


def render(snapshot: Snapshot) -> str:
    """The golden file's text: stacks and ids sorted, one id per line."""
    return json.dumps(snapshot, indent=2, sort_keys=True) + "\n"


def changes(old: Snapshot, new: Snapshot) -> list[str]:
    """Per stack, `+ id (type)`, `- id (type)` and `~ id (old -> new type)`; no lines when nothing changed."""
    lines: list[str] = []
    for stack in sorted(old.keys() | new.keys()):
        before, after = old.get(stack, {}), new.get(stack, {})
        found = [f"  + {i} ({after[i]})" for i in sorted(after.keys() - before.keys())]
        found += [f"  - {i} ({before[i]})" for i in sorted(before.keys() - after.keys())]
        found += [f"  ~ {i} ({before[i]} -> {after[i]})" for i in sorted(before.keys() & after.keys())
                  if before[i] != after[i]]
        if found:
            state = " (new stack)" if stack not in old else " (stack removed)" if stack not in new else ""
            lines += [f"{stack}{state}:", *sorted(found, key=lambda line: line.split()[1])]
    return lines
