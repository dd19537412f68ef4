"""Assets: deterministic zips named by their content hash."""

from __future__ import annotations

import os
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from iac import App, ConstructError, Stack
from iac.constructs.core.asset import Asset, package_zip, resolve_asset_path
from iac.synth import synthesize


def _source(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    (folder / "lib").mkdir(parents=True)
    (folder / "index.js").write_text("exports.handler = async () => 1;\n")
    (folder / "lib" / "util.js").write_text("module.exports = 2;\n")
    return folder


def test_zip_bytes_do_not_change_when_a_file_is_touched(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    before = package_zip(str(folder))
    later = time.time() + 3600
    os.utime(folder / "index.js", (later, later))
    assert package_zip(str(folder)) == before


def test_zip_entries_are_sorted_with_fixed_timestamps_and_modes(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    (folder / "run.sh").write_text("#!/bin/sh\n")
    (folder / "run.sh").chmod(0o700)
    with zipfile.ZipFile(BytesIO(package_zip(str(folder)))) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["index.js", "lib/util.js", "run.sh"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert [(i.external_attr >> 16) & 0o777 for i in infos] == [0o644, 0o644, 0o755]


def test_zip_changes_when_content_changes(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    before = package_zip(str(folder))
    (folder / "index.js").write_text("exports.handler = async () => 2;\n")
    assert package_zip(str(folder)) != before


def test_asset_is_written_to_the_assembly_and_listed_in_the_manifest(tmp_path: Path) -> None:
    folder = _source(tmp_path)
    app = App()
    stack = Stack(app, "S")
    asset = Asset(stack, "Code", path=str(folder))
    from iac import CfnResource

    CfnResource(stack, "Holder", type="AWS::SSM::Parameter",
                properties={"Type": "String", "Value": asset.object_key})
    assembly = synthesize(app)
    out = tmp_path / "out"
    assembly.write(out)
    entry = assembly.manifest()["assets"][asset.sha256]
    assert entry["packaging"] == "zip" and entry["destination"]["key"] == f"{asset.sha256}.zip"
    assert (out / asset.file_name).read_bytes() == asset.data


def test_missing_asset_path_is_a_construct_error(tmp_path: Path) -> None:
    app = App()
    stack = Stack(app, "S")
    with pytest.raises(ConstructError, match="does not exist"):
        Asset(stack, "Code", path=str(tmp_path / "nope"))


def test_empty_folder_is_a_construct_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    app = App()
    stack = Stack(app, "S")
    with pytest.raises(ConstructError, match="holds no files"):
        Asset(stack, "Code", path=str(tmp_path / "empty"))


def test_relative_paths_are_relative_to_the_calling_file() -> None:
    assert resolve_asset_path("data", skip=1) == os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
