"""`--out DIR` can never cost the user a file: iac replaces only a folder it wrote itself.

Refused (exit 2, nothing touched): the current directory, the app's folder, the home folder, the
filesystem root and any ancestor of them; a folder holding any file iac did not write (even next to
a manifest.json). Replaced: a missing or empty folder, or an assembly iac wrote. A user's symlink is
followed to the folder it names and stays a symlink; nothing outside what iac wrote is deleted
through it.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import pytest

from iac import App, CfnResource, Stack, UsageError
from iac.synth import synthesize

QUEUE = "AWS::SQS::Queue"

APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
"""


def one_stack_app(name: str = "Main") -> App:
    app = App(path_metadata=False)
    CfnResource(Stack(app, name), "Queue", type=QUEUE)
    return app


def write(out, name: str = "Main") -> None:
    synthesize(one_stack_app(name)).write(out)


@pytest.fixture
def project(tmp_path, write_app):
    """A project folder with its app file and a file of the user's beside it."""
    write_app(APP)
    (tmp_path / "notes.txt").write_text("mine\n")
    return tmp_path


# -- what is refused -----------------------------------------------------------------------------


@pytest.mark.parametrize("out", [".", "./", "..", "../..", "/"])
def test_the_current_directory_its_ancestors_and_root_are_refused_before_the_app_runs(
        project, run_iac, tree_digest, out):
    (project / "app.py").write_text((project / "app.py").read_text() + "open('ran', 'w').close()\n")
    before = tree_digest(project)

    result = run_iac("synth", "--no-lint", "--out", out, cwd=project)

    assert result.returncode == 2, result.stderr
    assert "refusing to write the assembly to" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "ran").exists()  # said before the app ran
    assert tree_digest(project) == before


def test_the_apps_own_folder_is_refused_when_run_from_elsewhere(tmp_path, write_app, run_iac, tree_digest):
    app = write_app(APP, name="infra/app.py")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = tree_digest(tmp_path)

    result = run_iac("synth", "--no-lint", "--app", app, "--out", app.parent, cwd=elsewhere)

    assert result.returncode == 2, result.stderr
    assert "it is the app's folder" in result.stderr
    assert tree_digest(tmp_path) == before


def test_an_ancestor_of_the_apps_folder_is_refused(tmp_path, write_app, run_iac):
    app = write_app(APP, name="deep/infra/app.py")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = run_iac("synth", "--no-lint", "--app", app, "--out", tmp_path / "deep", cwd=elsewhere)

    assert result.returncode == 2, result.stderr
    assert "it holds the app's folder" in result.stderr
    assert app.exists()


def test_app_synth_refuses_the_folder_of_the_file_that_built_the_stacks(tmp_path, write_app, run_iac):
    """`python app.py` with App(outdir=...) pointing at the app's folder, run from another directory."""
    app = write_app(APP.replace("App()", f"App(outdir={str(tmp_path / 'infra')!r})") + "    app.synth()\n",
                    name="infra/app.py")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = subprocess.run([sys.executable, str(app)], cwd=elsewhere, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert "refusing to replace" in result.stderr and "(app.py)" in result.stderr
    assert app.exists()


def test_write_refuses_the_folders_of_the_files_that_created_the_stacks(tmp_path, monkeypatch):
    """Even when such a folder looks empty (the code was generated and removed): it is the app's."""
    builder = tmp_path / "generated" / "build.py"
    builder.parent.mkdir()
    builder.write_text("from iac import App, CfnResource, Stack\n"
                       "def build():\n"
                       "    app = App(path_metadata=False)\n"
                       "    CfnResource(Stack(app, 'Main'), 'Queue', type='AWS::SQS::Queue')\n"
                       "    return app\n")
    monkeypatch.syspath_prepend(str(builder.parent))
    monkeypatch.delitem(sys.modules, "build", raising=False)
    module = importlib.import_module("build")
    assembly = synthesize(module.build())
    monkeypatch.delitem(sys.modules, "build")
    builder.unlink()

    with pytest.raises(UsageError, match="it is the app's folder"):
        assembly.write(builder.parent)
    with pytest.raises(UsageError, match="it holds the app's folder"):
        assembly.write(tmp_path)


def test_the_home_folder_and_its_ancestors_are_refused(tmp_path, monkeypatch):
    home = tmp_path / "home" / "user"
    home.mkdir(parents=True)
    (home / "precious").write_text("x")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)

    for out in (home, home.parent):
        with pytest.raises(UsageError, match="your home folder"):
            write(out)
    assert (home / "precious").read_text() == "x"


def test_the_current_directory_is_refused_in_process_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(UsageError, match=r"it is the current directory, and iac replaces the --out folder whole") \
            as caught:
        one_stack_app().synth(outdir=".", lint=False)

    assert "--out iac.out" in caught.value.hint
    assert os.listdir(tmp_path) == []


def test_a_folder_holding_a_manifest_json_that_is_not_iacs_is_refused(tmp_path, tree_digest):
    """A web app's public/ folder has a manifest.json too."""
    public = tmp_path / "public"
    public.mkdir()
    (public / "manifest.json").write_text('{"name": "My PWA", "stacks": {}}')
    (public / "index.html").write_text("<html></html>")
    before = tree_digest(public)

    with pytest.raises(UsageError, match=r"refusing to replace .*public: it holds files iac did not write "
                                         r"\(index.html, manifest.json\)"):
        write(public)

    assert tree_digest(public) == before


def test_an_iac_assembly_with_a_file_the_user_added_is_refused(tmp_path, tree_digest):
    out = tmp_path / "iac.out"
    write(out)
    (out / "my-notes.md").write_text("keep me")
    before = tree_digest(out)

    with pytest.raises(UsageError, match=r"it holds files iac did not write \(my-notes.md\)") as caught:
        write(out, "Other")

    assert "move those files away" in caught.value.hint
    assert tree_digest(out) == before


def test_an_iac_assembly_with_a_subfolder_is_refused(tmp_path):
    out = tmp_path / "iac.out"
    write(out)
    (out / "src").mkdir()
    (out / "src" / "code.py").write_text("x = 1\n")

    with pytest.raises(UsageError, match=r"\(src\)"):
        write(out)

    assert (out / "src" / "code.py").exists()


def test_a_manifest_that_lists_a_file_as_iacs_cannot_claim_a_folder_or_a_symlink(tmp_path):
    out = tmp_path / "iac.out"
    write(out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"] += ["src", "link"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "src").mkdir()
    (out / "link").symlink_to(tmp_path)

    with pytest.raises(UsageError, match=r"\(link, src\)"):
        write(out)


def test_names_in_the_message_have_control_characters_escaped(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "evil\x1b]0;pwned\x07").write_text("x")

    with pytest.raises(UsageError) as caught:
        write(out)

    assert "\x1b" not in caught.value.message and "\x07" not in caught.value.message
    assert "evil\\x1b]0;pwned\\x07" in caught.value.message


def test_the_refusal_through_the_cli_is_one_block_with_a_hint(project, run_iac, tree_digest):
    (project / "src").mkdir()
    (project / "src" / "manifest.json").write_text("{}")
    (project / "src" / "handler.py").write_text("def handler(e, c): pass\n")
    before = tree_digest(project / "src")

    result = run_iac("synth", "--no-lint", "--out", "src", cwd=project)

    assert result.returncode == 2
    assert "error: refusing to replace" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(project / "src") == before


# -- what is replaced ----------------------------------------------------------------------------


def test_the_manifest_carries_iacs_marker_and_lists_every_file(tmp_path):
    out = tmp_path / "iac.out"
    write(out)

    manifest = json.loads((out / "manifest.json").read_text())

    assert manifest["iac_assembly"] == 1
    assert manifest["files"] == sorted(set(os.listdir(out)) - {"manifest.json"})


def test_an_assembly_iac_wrote_is_replaced(tmp_path):
    out = tmp_path / "iac.out"
    write(out)

    write(out, "Other")

    assert sorted(os.listdir(out)) == ["Other.template.json", "manifest.json"]


def test_an_assembly_written_before_the_marker_existed_is_replaced(tmp_path):
    out = tmp_path / "iac.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({
        "version": "1.0", "tool": {"name": "iac", "version": "0.1.0"},
        "stacks": {"Main": {"template": "Main.template.json"}},
        "assets": {"abc": {"file": "asset.abc.zip"}},
    }))
    for name in ("Main.template.json", "asset.abc.zip", ".lint-cache.json"):
        (out / name).write_text("{}")

    write(out, "Other")

    assert sorted(os.listdir(out)) == ["Other.template.json", "manifest.json"]


def test_a_missing_folder_below_the_current_directory_is_fine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    one_stack_app().synth(outdir="build/iac.out", lint=False)

    assert (tmp_path / "build" / "iac.out" / "manifest.json").is_file()


# -- symlinks ------------------------------------------------------------------------------------


def test_a_symlinked_out_is_followed_and_stays_a_symlink(tmp_path):
    real = tmp_path / "elsewhere" / "assembly"
    write(real)
    link = tmp_path / "iac.out"
    link.symlink_to(real)

    write(link, "Other")

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert sorted(os.listdir(real)) == ["Other.template.json", "manifest.json"]


def test_a_symlink_to_a_users_folder_is_refused_and_nothing_is_deleted_through_it(tmp_path, tree_digest):
    code = tmp_path / "code"
    code.mkdir()
    (code / "manifest.json").write_text("{}")
    (code / "main.py").write_text("print(1)\n")
    link = tmp_path / "iac.out"
    link.symlink_to(code)
    before = tree_digest(code)

    with pytest.raises(UsageError, match=r"refusing to replace .*iac.out: it holds files iac did not write"):
        write(link)

    assert tree_digest(code) == before and link.is_symlink()


def test_a_symlink_to_the_current_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("x = 1\n")
    os.symlink(".", tmp_path / "iac.out")

    with pytest.raises(UsageError, match="it is the current directory"):
        one_stack_app().synth(outdir="iac.out", lint=False)

    assert (tmp_path / "app.py").exists()


def test_a_symlink_to_a_home_ancestor_is_refused(tmp_path, monkeypatch):
    home = tmp_path / "home" / "user"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    os.symlink(tmp_path / "home", tmp_path / "work" / "out")

    with pytest.raises(UsageError, match="it holds your home folder"):
        write(tmp_path / "work" / "out")


def test_a_symlink_loop_is_a_usage_error(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")

    with pytest.raises(UsageError, match="symlink loop"):
        write(tmp_path / "a")


def test_a_dangling_symlink_is_followed_to_where_it_points(tmp_path):
    link = tmp_path / "iac.out"
    link.symlink_to(tmp_path / "new" / "assembly")

    write(link)

    assert (tmp_path / "new" / "assembly" / "manifest.json").is_file() and link.is_symlink()


def test_deploy_refuses_the_current_directory_before_the_app_runs(project, run_iac, tree_digest):
    (project / "app.py").write_text((project / "app.py").read_text() + "open('ran', 'w').close()\n")
    before = tree_digest(project)

    result = run_iac("deploy", "--no-lint", "--out", ".", cwd=project,
                     env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y", "AWS_DEFAULT_REGION": "us-east-1",
                          "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})

    assert result.returncode == 2, result.stderr
    assert "refusing to write the assembly to" in result.stderr and "it is the current directory" in result.stderr
    assert not (project / "ran").exists()
    assert tree_digest(project) == before
