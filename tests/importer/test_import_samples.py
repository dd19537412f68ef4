"""iac's own output imports too: every stack of every sample app, synthesized, imported and synthesized again,
is the same template (cross-stack imports and exports, assets' S3 locations, iac's construct-path metadata)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac.cli.app_loader import load_app
from iac.importer import differences, generate, synthesized_template
from iac.synth import synthesize

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("*/app.py"))


@pytest.mark.parametrize("app_path", SAMPLES, ids=lambda path: path.parent.name)
def test_a_sample_round_trips_through_import(app_path: Path, tmp_path: Path) -> None:
    app = load_app(str(app_path))
    assembly = app.captured_assembly or synthesize(app)
    assert assembly.stacks
    for artifact in assembly.stacks:
        source = generate(artifact.template, stack_name=artifact.stack_name, source=artifact.name)
        assert "iac:path" not in source  # iac's bookkeeping: the imported app writes its own
        path = tmp_path / f"{artifact.name}.py"
        path.write_text(source, encoding="utf-8")
        assert differences(artifact.template, synthesized_template(str(path))) == [], artifact.name
