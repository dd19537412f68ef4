"""Assets pack only what is the user's code: links stay inside the asset, special files are refused,
iac's own output and tool folders are left out, the whole disk is never walked, and Lambda's size
limit is enforced before the bytes are read.

Cases that would hang before the fix (a FIFO, /dev/zero, walking "/") run in a subprocess with a
timeout, so a regression fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from iac import App, ConstructError, Stack
from iac.constructs.core.asset import MAX_UNZIPPED_BYTES, Asset, package_zip

HANG_TIMEOUT_SECONDS = 30
THIS_FILE = os.path.abspath(__file__)


def _entries(folder: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(package_zip(str(folder)))) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _asset_error(path: str | Path) -> ConstructError:
    """The error of an Asset made at a known line of this file, for path and location checks."""
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError) as caught:
        Asset(stack, "Code", path=str(path))
    error = caught.value
    assert error.path == "S/Code"
    assert error.location is not None and error.location.file == THIS_FILE
    return error


def _source(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "index.py").write_text("def main(event, context):\n    return 1\n")
    return folder


def _packing_in_subprocess(path: str, *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Make an Asset of `path` in a fresh interpreter, bounded in time: a hang is a failure, not a stall."""
    code = textwrap.dedent(f"""
        from iac import App, ConstructError, Stack
        from iac.constructs.core.asset import Asset
        try:
            Asset(Stack(App(), "S"), "Code", path={path!r})
        except ConstructError as error:
            print("REFUSED", error)
        else:
            print("PACKED")
    """)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=HANG_TIMEOUT_SECONDS)


# -- symbolic links ------------------------------------------------------------------------------

def test_a_linked_file_outside_the_asset_is_an_error_naming_link_and_target(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("AWS_SECRET_ACCESS_KEY=do-not-ship\n")
    (folder / "config.txt").symlink_to(secret)
    error = _asset_error(folder)
    assert "config.txt" in error.message and str(secret) in error.message
    assert "outside" in error.message


def test_a_linked_folder_outside_the_asset_is_an_error(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "id_rsa").write_text("private\n")
    (folder / "keys").symlink_to(elsewhere, target_is_directory=True)
    error = _asset_error(folder)
    assert "keys" in error.message and str(elsewhere) in error.message


def test_a_relative_link_climbing_out_of_the_asset_is_an_error(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (tmp_path / ".env").write_text("TOKEN=x\n")
    (folder / "lib").mkdir()
    (folder / "lib" / "env").symlink_to("../../.env")
    error = _asset_error(folder)
    assert os.path.join("lib", "env") in error.message


def test_a_linked_file_inside_the_asset_is_packed_with_its_content(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "main.py").symlink_to("index.py")
    entries = _entries(folder)
    assert entries["main.py"] == entries["index.py"] == (folder / "index.py").read_bytes()


def test_a_linked_folder_inside_the_asset_has_its_files_packed(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "shared").mkdir()
    (folder / "shared" / "util.py").write_text("X = 1\n")
    (folder / "vendor").symlink_to("shared", target_is_directory=True)
    entries = _entries(folder)
    assert entries["vendor/util.py"] == entries["shared/util.py"] == b"X = 1\n"


def test_a_link_back_to_a_containing_folder_is_a_loop_error_not_a_hang(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "lib").mkdir()
    (folder / "lib" / "again").symlink_to("..", target_is_directory=True)
    error = _asset_error(folder)
    assert os.path.join("lib", "again") in error.message and "loop" in error.message


def test_a_link_to_itself_is_an_error(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "self").symlink_to("self")
    error = _asset_error(folder)
    assert "self" in error.message


def test_a_dangling_link_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "gone.py").symlink_to("missing.py")
    error = _asset_error(folder)
    assert "gone.py" in error.message and "does not exist" in error.message


def test_an_asset_root_that_is_a_link_is_packed_from_its_target(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (tmp_path / "code").symlink_to(folder, target_is_directory=True)
    assert _entries(tmp_path / "code") == _entries(folder)


# -- special files -------------------------------------------------------------------------------

def test_a_fifo_in_the_asset_is_an_error_and_never_opened(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    os.mkfifo(folder / "pipe")
    result = _packing_in_subprocess(str(folder), cwd=tmp_path)
    assert result.stdout.startswith("REFUSED"), result.stdout + result.stderr
    assert "pipe" in result.stdout and "FIFO" in result.stdout


def test_a_fifo_as_the_asset_itself_is_an_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    result = _packing_in_subprocess(str(tmp_path / "pipe"), cwd=tmp_path)
    assert result.stdout.startswith("REFUSED"), result.stdout + result.stderr
    assert "pipe" in result.stdout and "FIFO" in result.stdout


def test_dev_zero_as_the_asset_is_an_error_not_an_endless_read(tmp_path: Path) -> None:
    result = _packing_in_subprocess("/dev/zero", cwd=tmp_path)
    assert result.stdout.startswith("REFUSED"), result.stdout + result.stderr
    assert "/dev/zero" in result.stdout and "device" in result.stdout


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "null").symlink_to("/dev/null")
    error = _asset_error(folder)
    assert "null" in error.message


def test_a_socket_in_the_asset_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _source(tmp_path)
    monkeypatch.chdir(folder)  # a relative socket path: tmp_path may be longer than AF_UNIX allows
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock")
        error = _asset_error(folder)
    assert "sock" in error.message and "socket" in error.message


# -- what is left out ----------------------------------------------------------------------------

def test_iac_out_inside_the_asset_is_left_out(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "iac.out").mkdir()
    (folder / "iac.out" / "asset.0.zip").write_bytes(b"PK old asset")
    assert set(_entries(folder)) == {"index.py"}


def test_a_folder_holding_an_iac_manifest_is_left_out_whatever_its_name(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "build").mkdir()
    (folder / "build" / "manifest.json").write_text(json.dumps({"version": "1.0", "tool": {"name": "iac"}}))
    (folder / "build" / "Main.template.json").write_text("{}")
    assert set(_entries(folder)) == {"index.py"}


def test_a_folder_with_someone_elses_manifest_is_packed(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "web").mkdir()
    (folder / "web" / "manifest.json").write_text(json.dumps({"name": "my-pwa", "tool": "webpack"}))
    assert "web/manifest.json" in _entries(folder)


def test_iac_staging_folders_are_left_out(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / ".iac.out.new-abc123").mkdir()
    (folder / ".iac.out.new-abc123" / "asset.1.zip").write_bytes(b"PK half written")
    assert set(_entries(folder)) == {"index.py"}


def test_a_staging_folder_of_any_out_name_is_left_out_by_its_marker(tmp_path: Path) -> None:
    from iac.constructs.core.asset import STAGING_MARKER_PREFIX

    folder = _source(tmp_path)
    staging = folder / ".build.123-0123abcd-0123456789abcdef"
    staging.mkdir()
    (staging / f"{STAGING_MARKER_PREFIX}0123456789abcdef").write_text("")
    (staging / "asset.1.zip").write_bytes(b"PK half written")
    assert set(_entries(folder)) == {"index.py"}


def test_tool_folders_are_left_out_and_node_modules_is_kept(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    for name in (".git", ".venv", "__pycache__", "node_modules"):
        (folder / name).mkdir()
        (folder / name / "x").write_text(name)
    assert set(_entries(folder)) == {"index.py", "node_modules/x"}


def test_an_excluded_link_is_not_followed_even_when_it_points_outside(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    assert set(_entries(folder)) == {"index.py"}


def test_the_assembly_itself_as_the_asset_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "iac.out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"tool": {"name": "iac"}}))
    (out / "asset.1.zip").write_bytes(b"PK")
    error = _asset_error(out)
    assert "assembly" in error.message


# -- asset roots that are never meant ------------------------------------------------------------

def test_the_root_of_the_disk_is_refused_without_walking_it(tmp_path: Path) -> None:
    result = _packing_in_subprocess("/", cwd=tmp_path)
    assert result.stdout.startswith("REFUSED"), result.stdout + result.stderr


def test_the_home_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("export TOKEN=x\n")
    monkeypatch.setenv("HOME", str(home))
    error = _asset_error(home)
    assert "home" in error.message


def test_an_ancestor_of_the_working_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "app" / "app.py").write_text("")
    monkeypatch.chdir(project / "app")
    error = _asset_error(project)
    assert "working directory" in error.message


def test_the_working_directory_itself_may_be_the_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _source(tmp_path)
    monkeypatch.chdir(folder)
    assert set(_entries(folder)) == {"index.py"}


# -- limits --------------------------------------------------------------------------------------

def test_the_lambda_limit_is_250_mib() -> None:
    assert MAX_UNZIPPED_BYTES == 250 * 1024 * 1024


def test_an_asset_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    with open(folder / "big.bin", "wb") as handle:  # sparse: no disk used, nothing read before refusing
        handle.truncate(MAX_UNZIPPED_BYTES + 1)
    error = _asset_error(folder)
    assert "250 MB" in error.message and "big.bin" in error.message


def test_bytes_are_counted_as_they_are_read(tmp_path: Path) -> None:
    """/proc files say they are empty and are not: the limit holds on the bytes read, not the size told."""
    maps = "/proc/self/maps"
    if not os.path.isfile(maps) or os.stat(maps).st_size:
        pytest.skip("needs Linux /proc files whose size is reported as 0")
    with pytest.raises(ConstructError, match="more than 100 bytes"):
        package_zip(maps, max_bytes=100)


def test_too_many_files_is_an_error(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    for index in range(3):
        (folder / f"f{index}.py").write_text("")
    with pytest.raises(ConstructError, match="more than 3 files"):
        package_zip(str(folder), max_files=3)


def test_control_characters_of_file_names_are_not_printed(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "evil\x1b]0;owned\x07").symlink_to("missing")
    error = _asset_error(folder)
    assert "\x1b" not in error.message and "\x07" not in error.message
