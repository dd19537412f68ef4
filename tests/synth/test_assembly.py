"""The cloud assembly: templates plus a manifest, written atomically to the output directory."""

from __future__ import annotations

import hashlib
import json
import os
import re
from importlib import metadata

import pytest

from iac import App, CfnResource, Stack, UsageError, ValidationError
from iac.synth import assembly as assembly_module
from iac.synth import synthesize

QUEUE = "AWS::SQS::Queue"


def two_stack_app(*, format: str = "json") -> App:
    app = App(path_metadata=False, format=format)
    network = Stack(app, "Network", tags={"team": "core"}, region="eu-west-1")
    queue = CfnResource(network, "Queue", type=QUEUE)
    CfnResource(Stack(app, "Service"), "Topic", type="AWS::SNS::Topic",
                properties={"DisplayName": queue.get_att("QueueName")})
    return app


def cyclic_app() -> App:
    app = App()
    stack = Stack(app, "Network")
    a = CfnResource(stack, "A", type=QUEUE)
    a.add_depends_on(CfnResource(stack, "B", type=QUEUE, depends_on=[a]))
    return app


@pytest.fixture
def out(tmp_path):
    return tmp_path / "iac.out"


# -- manifest --------------------------------------------------------------------------------


def test_the_manifest_describes_every_stack(out):
    synthesize(two_stack_app()).write(out)

    manifest = json.loads((out / "manifest.json").read_text())

    assert manifest["version"] == "1.0"
    assert manifest["tool"] == {"name": "iac", "version": metadata.version("iac-cfn")}
    assert list(manifest["stacks"]) == ["Network", "Service"]
    network = manifest["stacks"]["Network"]
    assert network["stack_name"] == "Network"
    assert network["construct_path"] == "Network"
    assert network["template"] == "Network.template.json"
    assert network["dependencies"] == []
    assert network["environment"] == {"account": None, "region": "eu-west-1"}
    assert network["tags"] == {"team": "core"}
    assert network["resources"] == 1
    assert manifest["stacks"]["Service"]["dependencies"] == ["Network"]
    assert manifest["assets"] == {}


def test_the_manifest_records_the_cfn_lint_version_and_schema_date(out):
    synthesize(two_stack_app()).write(out)

    schemas = json.loads((out / "manifest.json").read_text())["schemas"]

    assert schemas["cfn_lint"] == metadata.version("cfn-lint")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", schemas["schema_date"])
    assert schemas["aws_sam_translator"] == metadata.version("aws-sam-translator")


def test_the_manifest_holds_each_templates_sha256(out):
    synthesize(two_stack_app()).write(out)

    entry = json.loads((out / "manifest.json").read_text())["stacks"]["Network"]

    assert entry["template_sha256"] == hashlib.sha256((out / "Network.template.json").read_bytes()).hexdigest()


def test_each_stack_has_its_template_file(out):
    assembly = synthesize(two_stack_app())
    assembly.write(out)

    assert json.loads((out / "Network.template.json").read_text()) == assembly.template("Network")
    assert json.loads((out / "Service.template.json").read_text()) == assembly.template("Service")


def test_yaml_assemblies_write_yaml_template_files(out):
    synthesize(two_stack_app(), format="yaml").write(out)

    manifest = json.loads((out / "manifest.json").read_text())

    assert manifest["stacks"]["Network"]["template"] == "Network.template.yaml"
    assert (out / "Network.template.yaml").read_text().startswith("AWSTemplateFormatVersion: '2010-09-09'\n")
    assert not (out / "Network.template.json").exists()


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format 'toml'"):
        synthesize(two_stack_app(), format="toml")


def test_the_assembly_finds_stacks_by_artifact_id_or_stack_name():
    app = App()
    CfnResource(Stack(app, "Network", stack_name="prod-network"), "Queue", type=QUEUE)
    assembly = synthesize(app)

    assert assembly.stack("Network") is assembly.stack("prod-network")
    with pytest.raises(KeyError, match="no stack named 'Nope' in the assembly \\(stacks: Network\\)"):
        assembly.template("Nope")


def test_app_synth_writes_to_the_apps_outdir_and_returns_the_assembly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = two_stack_app()

    assembly = app.synth(lint=False)

    assert assembly.directory == str(tmp_path / "iac.out")
    assert (tmp_path / "iac.out" / "manifest.json").is_file()
    assert assembly.template("Service")["Resources"]["Topic"]["Type"] == "AWS::SNS::Topic"


def test_a_synth_that_writes_twice_is_byte_identical(tmp_path, tree_digest):
    synthesize(two_stack_app()).write(tmp_path / "one")
    synthesize(two_stack_app()).write(tmp_path / "two")

    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


# -- atomic replacement ------------------------------------------------------------------------


def test_a_new_synth_replaces_the_previous_assembly_entirely(out):
    synthesize(two_stack_app()).write(out)
    app = App()
    CfnResource(Stack(app, "Other"), "Queue", type=QUEUE)

    synthesize(app).write(out)

    assert sorted(os.listdir(out)) == ["Other.template.json", "manifest.json"]


def test_a_failing_synth_leaves_the_previous_assembly_byte_for_byte_unchanged(out, tree_digest):
    two_stack_app().synth(outdir=str(out), lint=False)
    before = tree_digest(out)

    with pytest.raises(ValidationError, match="dependency cycle"):
        cyclic_app().synth(outdir=str(out), lint=False)

    assert tree_digest(out) == before


def test_a_synth_failing_schema_validation_leaves_the_previous_assembly_unchanged(out, tree_digest):
    two_stack_app().synth(outdir=str(out), lint=False)
    before = tree_digest(out)
    app = App()
    CfnResource(Stack(app, "Network"), "Queue", type=QUEUE, properties={"VisiblityTimeout": 60})

    with pytest.raises(ValidationError, match="VisiblityTimeout"):
        app.synth(outdir=str(out), lint=False)

    assert tree_digest(out) == before


def test_a_write_that_fails_halfway_leaves_the_previous_assembly_and_no_debris(out, tree_digest, monkeypatch):
    synthesize(two_stack_app()).write(out)
    before = tree_digest(out)
    written = []

    real_write = assembly_module._write_file

    def fail_on_second_file(path, content):
        written.append(path)
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        real_write(path, content)

    monkeypatch.setattr(assembly_module, "_write_file", fail_on_second_file)
    app = App()
    CfnResource(Stack(app, "One"), "Queue", type=QUEUE)
    CfnResource(Stack(app, "Two"), "Queue", type=QUEUE)

    with pytest.raises(UsageError, match="No space left on device"):  # said as input error, not a traceback
        synthesize(app).write(out)

    assert tree_digest(out) == before
    assert os.listdir(out.parent) == ["iac.out"]


def test_a_successful_write_leaves_no_temporary_directories(out):
    synthesize(two_stack_app()).write(out)
    synthesize(two_stack_app()).write(out)

    assert os.listdir(out.parent) == ["iac.out"]


def test_a_non_empty_directory_without_a_manifest_is_not_replaced(out, tree_digest):
    out.mkdir()
    (out / "precious.py").write_text("print('my code')\n")
    before = tree_digest(out)

    with pytest.raises(UsageError, match=r"refusing to replace .*iac.out: it holds files iac did not write \(precious"):
        synthesize(two_stack_app()).write(out)

    assert tree_digest(out) == before


def test_an_empty_directory_is_replaced(out):
    out.mkdir()

    synthesize(two_stack_app()).write(out)

    assert (out / "manifest.json").is_file()


def test_an_output_path_that_is_a_file_is_refused(out):
    out.write_text("not a directory")

    with pytest.raises(UsageError, match="exists and is not a directory"):
        synthesize(two_stack_app()).write(out)


def test_missing_parent_directories_are_created(tmp_path):
    target = tmp_path / "a" / "b" / "iac.out"

    synthesize(two_stack_app()).write(target)

    assert (target / "manifest.json").is_file()


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_assembly_gets_ordinary_permissions_not_0700(out, umask_022):
    synthesize(two_stack_app()).write(out)

    assert out.stat().st_mode & 0o777 == 0o755
    for name in os.listdir(out):
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


@pytest.mark.parametrize("manifest", ['{"stacks": []}', '{"stacks": {"S": {}}}', '{"stacks": {"S": "x"}}'])
def test_a_malformed_manifest_is_a_template_error(tmp_path, manifest):
    from iac.errors import TemplateError
    from iac.synth.assembly import read_assembly

    (tmp_path / "manifest.json").write_text(manifest)
    with pytest.raises(TemplateError, match="cannot read"):
        read_assembly(tmp_path)


def test_a_bad_output_dir_is_refused_before_synthesis_starts(tmp_path, monkeypatch):
    import iac.synth.synthesizer as synthesizer_module
    from iac.synth import synthesize_app

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "code.py").write_text("x = 1\n")
    monkeypatch.setattr(synthesizer_module, "synthesize", lambda *a, **k: pytest.fail("synthesized anyway"))
    with pytest.raises(UsageError, match="refusing to replace"):
        synthesize_app(two_stack_app(), outdir=str(tmp_path / "src"))


@pytest.mark.parametrize("template", ["../../etc/passwd", "/etc/passwd", "sub/Main.template.json", ".."])
def test_a_manifest_cannot_point_at_a_file_outside_its_assembly(tmp_path, template):
    from iac.errors import TemplateError
    from iac.synth.assembly import read_assembly

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Main.template.json").write_text('{"Resources": {}}')
    (tmp_path / "manifest.json").write_text(json.dumps({"stacks": {"Main": {"template": template}}}))

    with pytest.raises(TemplateError, match=r"cannot read .*manifest.json: .*not a file name in the assembly"):
        read_assembly(tmp_path)


def test_reading_an_assembly_from_a_file_is_a_template_error(tmp_path):
    from iac.errors import TemplateError
    from iac.synth.assembly import read_assembly

    (tmp_path / "afile").write_text("x")

    with pytest.raises(TemplateError, match="is not a cloud assembly: it is a file, not a folder"):
        read_assembly(tmp_path / "afile")
