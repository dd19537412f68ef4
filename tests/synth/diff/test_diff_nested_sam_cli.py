"""`iac diff --from --to` on a SAM template with a nested stack next to it: grouped output, notes, JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("samtranslator")

MAIN = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {{Handler: a.h, Runtime: python3.12, CodeUri: ./src, MemorySize: {memory}}}
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {{TemplateURL: child.yaml}}
"""
CHILD = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {{QueueName: {name}}}\n"


@pytest.fixture
def sides(tmp_path: Path) -> tuple[Path, Path]:
    for side, memory, name in (("old", 128, "a"), ("new", 256, "b")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "main.yaml").write_text(MAIN.format(memory=memory))
        (tmp_path / side / "child.yaml").write_text(CHILD.format(name=name))
    return tmp_path / "old" / "main.yaml", tmp_path / "new" / "main.yaml"


def test_text_groups_changes_under_the_sam_resource_and_the_nested_stack(
        invoke: Callable[..., Any], sides: tuple[Path, Path]) -> None:
    result = invoke("diff", "--from", sides[0], "--to", sides[1])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("in AWS::Serverless::Function Fn (SAM):")
    assert lines[at + 1] == "  [~] AWS::Lambda::Function Fn"
    at = lines.index("in AWS::CloudFormation::Stack Child (nested stack):")
    assert lines[at + 1].startswith("  [~] AWS::SQS::Queue Q  replace")
    assert "unpublished metrics" not in result.output


def test_json_carries_origins(invoke: Callable[..., Any], sides: tuple[Path, Path]) -> None:
    result = invoke("diff", "--json", "--from", sides[0], "--to", sides[1])
    [stack] = json.loads(result.output)["stacks"]
    origins = {c["ResourceChange"]["LogicalResourceId"]: (c["ResourceChange"].get("Origin") or {}).get(
        "LogicalResourceId") for c in stack["Changes"]}
    assert origins == {"Fn": "Fn", "Child": None, "Q": "Child"}
    assert stack["Notes"] == []


def test_a_missing_nested_file_is_a_note(invoke: Callable[..., Any], sides: tuple[Path, Path]) -> None:
    (sides[1].parent / "child.yaml").unlink()
    result = invoke("diff", "--from", sides[0], "--to", sides[1])
    assert "note: nested stack Child: TemplateURL child.yaml cannot be read" in result.output
