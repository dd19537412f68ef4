"""The requirement `iac init` writes reproduces the install of the running iac, for every way pip installs.

Each case is a real dist-info folder, as pip leaves it (METADATA, RECORD and, for a direct URL,
direct_url.json per PEP 610), read through importlib.metadata like the installed iac is.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from iac.cli import install_source as module
from iac.cli.install_source import install_source

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "9" * 64


def dist_info(root: Path, *, version: str = "1.4.2", direct_url: dict[str, Any] | str | None = None,
              record: bool = True, name: str = "iac_cfn") -> metadata.Distribution:
    """A dist-info folder below `root`, as an installer writes it."""
    folder = root / f"{name}-{version}.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(f"Metadata-Version: 2.4\nName: iac-cfn\nVersion: {version}\n")
    if record:
        (folder / "RECORD").write_text(f"{folder.name}/METADATA,,\n")
    if direct_url is not None:
        text = direct_url if isinstance(direct_url, str) else json.dumps(direct_url)
        (folder / "direct_url.json").write_text(text)
    return metadata.PathDistribution(folder)


# -- each install kind -------------------------------------------------------------------------------------


def test_from_an_index_pins_the_installed_version(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path))
    assert (source.kind, source.requirement, source.portable) == ("index", "iac-cfn==1.4.2", True)
    assert "1.4.2" in source.reason and "package index" in source.reason


def test_from_a_local_wheel_names_that_file(tmp_path: Path) -> None:
    wheel = tmp_path / "wheels" / "iac_cfn-1.4.2-py3-none-any.whl"
    distribution = dist_info(tmp_path / "site", direct_url={"url": wheel.as_uri(), "archive_info": {
        "hashes": {"sha256": SHA256}}})
    source = install_source(distribution=distribution)
    assert source.kind == "archive"
    assert source.requirement == f"iac-cfn @ {wheel.as_uri()}"  # a local file needs no hash to be the same file
    assert source.location == str(wheel)
    assert not source.portable and "on this machine only" in source.reason


def test_from_a_local_sdist_names_that_file(tmp_path: Path) -> None:
    sdist = tmp_path / "iac_cfn-1.4.2.tar.gz"
    source = install_source(distribution=dist_info(tmp_path / "site", direct_url={
        "url": sdist.as_uri(), "archive_info": {}}))
    assert (source.kind, source.requirement) == ("archive", f"iac-cfn @ {sdist.as_uri()}")


def test_from_a_downloaded_archive_keeps_its_hash_and_is_portable(tmp_path: Path) -> None:
    url = "https://files.example.com/iac_cfn-1.4.2-py3-none-any.whl"
    source = install_source(distribution=dist_info(tmp_path, direct_url={
        "url": url, "archive_info": {"hashes": {"sha256": SHA256}}}))
    assert source.requirement == f"iac-cfn @ {url}#sha256={SHA256}"
    assert source.portable


def test_the_legacy_hash_field_is_used_when_hashes_is_missing(tmp_path: Path) -> None:
    url = "https://files.example.com/iac_cfn-1.4.2.tar.gz"
    source = install_source(distribution=dist_info(tmp_path, direct_url={
        "url": url, "archive_info": {"hash": f"sha256={SHA256}"}}))
    assert source.requirement == f"iac-cfn @ {url}#sha256={SHA256}"


def test_from_an_editable_checkout_names_the_folder_and_says_editable(tmp_path: Path) -> None:
    checkout = tmp_path / "src" / "iac"
    source = install_source(distribution=dist_info(tmp_path / "site", direct_url={
        "url": checkout.as_uri(), "dir_info": {"editable": True}}))
    assert (source.kind, source.requirement) == ("checkout", f"iac-cfn @ {checkout.as_uri()}")
    assert source.editable and not source.portable
    assert source.location == str(checkout)
    assert "editable" in source.reason and str(checkout) in source.reason


def test_from_a_checkout_installed_without_editable(tmp_path: Path) -> None:
    checkout = tmp_path / "iac"
    source = install_source(distribution=dist_info(tmp_path / "site", direct_url={
        "url": checkout.as_uri(), "dir_info": {}}))
    assert (source.kind, source.editable) == ("checkout", False)
    assert source.requirement == f"iac-cfn @ {checkout.as_uri()}"
    assert "editable" not in source.reason


def test_a_subdirectory_of_the_checkout_is_kept(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path / "site", direct_url={
        "url": "file:///repos/tools", "dir_info": {}, "subdirectory": "iac"}))
    assert source.requirement == "iac-cfn @ file:///repos/tools#subdirectory=iac"


def test_from_git_pins_the_commit(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path, direct_url={
        "url": "https://github.com/example/iac.git",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"}}))
    assert source.kind == "vcs"
    assert source.requirement == f"iac-cfn @ git+https://github.com/example/iac.git@{COMMIT}"
    assert source.portable and "same commit" in source.reason


def test_a_vcs_url_with_a_subdirectory_keeps_it_after_the_commit(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path, direct_url={
        "url": "ssh://git@example.com/tools.git", "subdirectory": "iac",
        "vcs_info": {"vcs": "git", "commit_id": COMMIT}}))
    assert source.requirement == f"iac-cfn @ git+ssh://git@example.com/tools.git@{COMMIT}#subdirectory=iac"


def test_a_local_git_repository_is_not_portable(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path / "site", direct_url={
        "url": (tmp_path / "repo").as_uri(), "vcs_info": {"vcs": "git", "commit_id": COMMIT}}))
    assert source.requirement == f"iac-cfn @ git+{(tmp_path / 'repo').as_uri()}@{COMMIT}"
    assert not source.portable


def test_a_password_in_the_url_is_never_written(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path, direct_url={
        "url": "https://deploy:s3cret@git.example.com:8443/iac.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}))
    assert "s3cret" not in source.requirement and "deploy" not in source.requirement
    assert source.requirement == f"iac-cfn @ git+https://git.example.com:8443/iac.git@{COMMIT}"


@pytest.mark.parametrize("recorded", ["{not json", "[]", '{"url": 3}', '{"dir": {}}'])
def test_an_unreadable_direct_url_falls_back_to_the_version_pin(tmp_path: Path, recorded: str) -> None:
    source = install_source(distribution=dist_info(tmp_path, direct_url=recorded))
    assert (source.kind, source.requirement) == ("index", "iac-cfn==1.4.2")


def test_a_direct_url_of_no_known_kind_falls_back_to_the_version_pin(tmp_path: Path) -> None:
    source = install_source(distribution=dist_info(tmp_path, direct_url={"url": "https://example.com/x"}))
    assert source.requirement == "iac-cfn==1.4.2"


# -- finding the installed iac ------------------------------------------------------------------------------


def test_a_build_left_egg_info_is_passed_over_for_the_installed_dist_info(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "iac_cfn.egg-info").mkdir(parents=True)  # what `python -m build` leaves, first on sys.path
    (checkout / "iac_cfn.egg-info" / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: iac-cfn\nVersion: 9.9\n")
    dist_info(tmp_path / "site", direct_url={"url": checkout.as_uri(), "dir_info": {"editable": True}})
    monkeypatch.setattr(sys, "path", [str(checkout), str(tmp_path / "site")])
    source = install_source()
    assert (source.kind, source.requirement, source.version) == ("checkout", f"iac-cfn @ {checkout.as_uri()}", "1.4.2")


def test_iac_run_from_its_source_tree_uninstalled_names_that_tree(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "iac-src"
    (tree / "iac").mkdir(parents=True)
    (tree / "iac" / "__init__.py").write_text("")
    (tree / "pyproject.toml").write_text('[project]\nname = "iac-cfn"\nversion = "2.0.0"\n')
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty")])
    monkeypatch.setattr("iac.__file__", str(tree / "iac" / "__init__.py"))
    source = install_source()
    assert (source.kind, source.requirement) == ("checkout", f"iac-cfn @ {tree.as_uri()}")
    assert not source.portable


def test_no_metadata_and_no_source_tree_names_iac_without_a_version(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lib" / "iac").mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty")])
    monkeypatch.setattr("iac.__file__", str(tmp_path / "lib" / "iac" / "__init__.py"))
    source = install_source()
    assert (source.kind, source.requirement) == ("unknown", "iac-cfn")
    assert "unknown" in source.reason


def test_the_running_iac_is_found() -> None:
    """Whatever way this test run's iac was installed, the answer is a requirement naming iac-cfn."""
    source = install_source()
    assert source.requirement.startswith(module.DISTRIBUTION)
    assert source.kind != "unknown"
