"""Where the running iac was installed from, as the requirement that installs the same iac again.

`iac init` writes this requirement into a new project's pyproject.toml. A bare `iac-cfn>=x.y` only
works where iac is on a package index; iac installed from a wheel file, a checkout or a Git URL
must be named the same way, or `pip install` of the project fails on a fresh machine. pip records how
it installed a distribution in the dist-info's `direct_url.json` (PEP 610); its absence means an
index. The answer also says whether another machine can follow it (a `file://` path it may not have).
"""

from __future__ import annotations

import json
import os
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import attrs

DISTRIBUTION = "iac-cfn"

Kind = Literal["index", "archive", "checkout", "vcs", "unknown"]


@attrs.frozen(kw_only=True)
class InstallSource:
    """How this iac was installed and the PEP 508 requirement that reproduces it."""

    kind: Kind
    requirement: str
    #: a wheel, sdist or folder on this machine, shown to the user (None for an index or a URL)
    location: str | None = None
    editable: bool = False
    #: whether a machine without this one's files can install the requirement (index, VCS or web URL)
    portable: bool = True
    version: str | None = None

    @property
    def reason(self) -> str:
        """One sentence: why the requirement has this form."""
        if self.kind == "index":
            return f"iac {self.version} was installed from a package index, so the project pins that release"
        if self.kind == "archive":
            return (f"iac was installed from {self.location}, so the project installs that same file"
                    + ("" if self.portable else " (on this machine only)"))
        if self.kind == "checkout":
            how = "an editable install of" if self.editable else "installed from"
            return (f"iac is {how} the checkout {self.location}, so the project installs iac from that folder "
                    "(on this machine only)")
        if self.kind == "vcs":
            return "iac was installed from a version control URL, so the project installs the same commit"
        return "where iac was installed from is unknown, so the project names iac without a version"


def install_source(*, distribution: metadata.Distribution | None = None) -> InstallSource:
    """The install source of `distribution` (default: the installed iac-cfn)."""
    if distribution is None:
        # An installer writes RECORD (PEP 627); the iac_cfn.egg-info a build leaves in a checkout has none,
        # and it comes first on sys.path when Python starts in that checkout (`python -m iac`).
        installed = (found for found in metadata.distributions(name=DISTRIBUTION)
                     if found.read_text("RECORD") is not None)
        distribution = next(installed, None)
        if distribution is None:
            return _not_installed()
    version = distribution.version
    recorded = distribution.read_text("direct_url.json")
    if recorded is None:
        return InstallSource(kind="index", requirement=f"{DISTRIBUTION}=={version}", version=version)
    try:
        direct = json.loads(recorded)
    except ValueError:
        direct = None
    if not isinstance(direct, dict) or not isinstance(direct.get("url"), str):
        # an installer wrote something this reader does not understand: the version is still a faithful pin
        return InstallSource(kind="index", requirement=f"{DISTRIBUTION}=={version}", version=version)
    return _from_direct_url(direct, url=_without_password(direct["url"]), version=version)


def _from_direct_url(direct: dict[str, Any], *, url: str, version: str) -> InstallSource:
    fragment = f"#subdirectory={direct['subdirectory']}" if direct.get("subdirectory") else ""
    local = url.startswith("file:")
    where = _path_of(url) if local else None
    if isinstance(direct.get("vcs_info"), dict):
        vcs_info = direct["vcs_info"]
        vcs = str(vcs_info.get("vcs", "git"))
        prefixed = url if url.startswith(f"{vcs}+") else f"{vcs}+{url}"
        commit = vcs_info.get("commit_id")
        pinned = f"{prefixed}@{commit}" if commit else prefixed
        return InstallSource(kind="vcs", requirement=f"{DISTRIBUTION} @ {pinned}{fragment}", location=where,
                             portable=not local, version=version)
    if isinstance(direct.get("dir_info"), dict):
        return InstallSource(kind="checkout", requirement=f"{DISTRIBUTION} @ {url}{fragment}", location=where,
                             editable=bool(direct["dir_info"].get("editable")), portable=False, version=version)
    if isinstance(direct.get("archive_info"), dict):
        digest = "" if local or fragment or "#" in url else _hash_fragment(direct["archive_info"])
        return InstallSource(kind="archive", requirement=f"{DISTRIBUTION} @ {url}{fragment}{digest}",
                             location=where or url, portable=not local, version=version)
    return InstallSource(kind="index", requirement=f"{DISTRIBUTION}=={version}", version=version)


def _hash_fragment(archive_info: dict[str, Any]) -> str:
    """`#sha256=...` for a downloaded archive, so that the project gets exactly those bytes again."""
    hashes = archive_info.get("hashes")
    if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
        return f"#sha256={hashes['sha256']}"
    legacy = archive_info.get("hash")
    if isinstance(legacy, str) and "=" in legacy:
        return f"#{legacy}"
    return ""


def _without_password(url: str) -> str:
    """The URL without a password: it would be written into the project's files (a `git@` user stays)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _path_of(url: str) -> str:
    from urllib.request import url2pathname

    return url2pathname(urlsplit(url).path)


def _not_installed() -> InstallSource:
    """iac imported from a source tree that no installer recorded (e.g. PYTHONPATH=checkout)."""
    import iac

    root = Path(iac.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    try:
        name = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError):
        name = None
    if name == DISTRIBUTION:
        return InstallSource(kind="checkout", requirement=f"{DISTRIBUTION} @ {root.as_uri()}",
                             location=os.fspath(root), portable=False)
    return InstallSource(kind="unknown", requirement=DISTRIBUTION)
