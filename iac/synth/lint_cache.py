"""The lint cache: cfn-lint's findings for a template, reused only when this user's iac wrote them.

`iac.out/.lint-cache.json` lives in the assembly, which anyone may have written: a committed iac.out/,
a CI cache restored from another job, a pull request. So the file is never believed on its word:

- An entry's key holds everything that decides the findings: the template's sha256, the region,
  cfn-lint's and iac's versions and the cfn-lint configuration files that apply (user and project
  `.cfnlintrc`). A different input is a different key, so a stale entry is never a hit.
- Each entry carries an HMAC-SHA256 of its key and findings, made with a secret that never enters
  the assembly: `lint-cache.key` in the user's private cache folder (IAC_CACHE_DIR, else
  $XDG_CACHE_HOME/iac, else ~/.cache/iac), created 0700 / 0600. The key is trusted only when it is
  a regular file owned by this user that no one else can read or write, in a folder no one else can
  write; otherwise the cache is not used at all (every stack is linted, nothing is saved).
- An entry whose MAC does not verify is ignored and its template linted again. A damaged file (not
  JSON, wrong types, a bad entry) is ignored whole. Either way one warning line says so.

`iac deploy` reads no entries at all (see synthesizer.validate_assembly): what gets deployed is
linted in that run, whatever a cache says.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

CACHE_FILE = ".lint-cache.json"
CACHE_FORMAT = 2
#: Formats an older iac wrote: ignored without a warning (nothing is wrong with them, they are just old).
OLD_FORMATS = (1,)
KEY_FILE = "lint-cache.key"
SEVERITIES = ("error", "warning", "informational")
#: The cache holds a few findings per stack; a bigger file is not one iac wrote.
MAX_CACHE_BYTES = 64 * 1024 * 1024
_KEY_BYTES = 32
_MAC_DOMAIN = b"iac lint cache 2\0"
#: The files cfn-lint reads its configuration from (ConfigFileArgs._find_config): home, then project.
_CFNLINTRC_NAMES = (".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml")
#: Configuration keys that name further files (rules, specs) whose contents the key cannot cover.
_EXTERNAL_CONFIG_KEYS = ("append_rules", "custom_rules", "override_spec", "registry_schemas")


class CacheDamaged(Exception):
    """The cache file is not one iac wrote: its entries cannot be read."""


@attrs.frozen(kw_only=True)
class LintFinding:
    """One cfn-lint match: rule id (E3002, W1020, ...), severity, message, template path and line."""

    rule_id: str
    severity: str
    message: str
    path: tuple[str | int, ...] = ()
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "severity": self.severity, "message": self.message,
                "path": list(self.path), "line": self.line}

    @classmethod
    def from_json(cls, data: Any) -> LintFinding:
        """A finding from its JSON form; CacheDamaged unless every field has the type iac writes."""
        if not isinstance(data, dict):
            raise CacheDamaged("a finding is not an object")
        rule_id, severity, message = data.get("rule_id"), data.get("severity"), data.get("message")
        path, line = data.get("path", []), data.get("line")
        if not (isinstance(rule_id, str) and isinstance(message, str) and severity in SEVERITIES):
            raise CacheDamaged("a finding lacks a rule id, a known severity or a message")
        if not isinstance(path, list) or not all(_is_path_part(part) for part in path):
            raise CacheDamaged("a finding's path is not a list of names and indexes")
        if line is not None and not _is_int(line):
            raise CacheDamaged("a finding's line is not a number")
        return cls(rule_id=rule_id, severity=severity, message=message, path=tuple(path), line=line)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_path_part(value: Any) -> bool:
    return isinstance(value, str) or _is_int(value)


# -- the key of an entry ----------------------------------------------------------------------------


def cache_key(body: str, region: str, *, context: str | None = None) -> str:
    """What decides cfn-lint's findings for `body`: its digest, the region, and `lint_context()`.

    Callers that key many templates pass `context`, computed once: reading versions costs milliseconds.
    """
    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{digest}:{region}:{lint_context() if context is None else context}"


def lint_context() -> str:
    """What decides findings besides the template and region: cfn-lint's and iac's versions, the rule config,
    and the date (cfn-lint's runtime rules judge by it, on iac's calendar: iac.synth.lint._on_iacs_calendar)."""
    from iac import clock
    from iac.synth.assembly import package_version

    return (f"cfn-lint {package_version('cfn-lint')}:iac {package_version('iac-cfn')}:{rule_config_digest()}"
            f":day {clock.today().isoformat()}")


def rule_config_digest() -> str:
    """A digest of the .cfnlintrc files cfn-lint will read (home and current folder), by their bytes.

    Reading the files is cheap; building cfn-lint's configuration is not (importing it costs ~0.7 s,
    more than a whole warm synth). A configuration that names rule or spec files elsewhere gets a
    unique digest: those files could change under an unchanged configuration, so it never hits.
    """
    hasher = hashlib.sha256()
    for path in _cfnlintrc_files():
        try:
            content = path.read_bytes()
        except OSError:
            continue
        if any(key.encode() in content for key in _EXTERNAL_CONFIG_KEYS):
            return f"config {secrets.token_hex(8)} (names files outside it: not cached)"
        hasher.update(str(path).encode() + b"\0" + hashlib.sha256(content).digest())
    return f"config {hasher.hexdigest()[:16]}"


def _cfnlintrc_files() -> list[Path]:
    """The first existing config file of each place cfn-lint looks in, in its order."""
    found: list[Path] = []
    try:
        folders = (Path.home(), Path.cwd())
    except (RuntimeError, OSError):  # no home folder, or the current one was removed: cfn-lint fails too
        return found
    for folder in folders:
        for name in _CFNLINTRC_NAMES:
            if (folder / name).is_file():
                found.append(folder / name)
                break
    return found


# -- the secret -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Secret:
    """The user's cache key, or why there is none this run (then the cache is not used)."""

    secret: bytes | None
    problem: str | None = None


def private_cache_dir() -> str:
    """IAC_CACHE_DIR, else $XDG_CACHE_HOME/iac (an absolute one, as the XDG spec says), else ~/.cache/iac."""
    explicit = os.environ.get("IAC_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iac")


def load_secret() -> Secret:
    """The key from the private cache folder, created on first use; never one another user could know."""
    folder = private_cache_dir()
    path = os.path.join(folder, KEY_FILE)
    try:
        _make_private_folder(folder)
        _check_folder(folder)
        try:
            return Secret(secret=_read_key(path))
        except FileNotFoundError:
            _create_key(path)
            return Secret(secret=_read_key(path))
    except _Untrusted as untrusted:
        return Secret(secret=None, problem=str(untrusted))
    except OSError as error:
        return Secret(secret=None, problem=f"cannot use {_shown(path)}: {error.strerror or error}")


class _Untrusted(Exception):
    """The key or its folder could have been read or replaced by someone else."""


def _make_private_folder(folder: str) -> None:
    """Create the folder (and missing parents) readable by this user only; an existing one is kept."""
    parent = os.path.dirname(folder)
    if not os.path.isdir(parent):
        os.makedirs(parent, mode=0o700, exist_ok=True)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass


def ownership_problem(shown: str, info: os.stat_result, *, kind: Callable[[int], bool], kind_name: str,
                      others_may_not: int, open_problem: str) -> str | None:
    """Why a file iac trusts (its cache folder, key, worker socket) could be someone else's, or None: not of
    the expected kind (`kind`, e.g. stat.S_ISDIR), not this user's, or with any of `others_may_not` mode bits."""
    if not kind(info.st_mode):
        return f"{shown} is not {kind_name}"
    if info.st_uid != os.geteuid():
        return f"{shown} is owned by another user"
    if info.st_mode & others_may_not:
        return f"{shown} {open_problem}"
    return None


def _check_folder(folder: str) -> None:
    problem = ownership_problem(_shown(folder), os.stat(folder), kind=stat.S_ISDIR, kind_name="a folder",
                                others_may_not=0o022, open_problem="is writable by others (chmod 700 it)")
    if problem:
        raise _Untrusted(problem)


def _read_key(path: str) -> bytes:
    """The key's bytes, after checking through the open file that it is this user's and private."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if os.path.islink(path):
            raise _Untrusted(f"{_shown(path)} is a symlink") from error
        raise
    try:
        problem = ownership_problem(
            _shown(path), os.fstat(descriptor), kind=stat.S_ISREG, kind_name="a regular file", others_may_not=0o077,
            open_problem="is readable or writable by others (chmod 600 it, or delete it)")
        if problem:
            raise _Untrusted(problem)
        text = os.read(descriptor, 4 * _KEY_BYTES)
    finally:
        os.close(descriptor)
    try:
        secret = bytes.fromhex(text.decode("ascii").strip())
    except ValueError:
        secret = b""
    if len(secret) != _KEY_BYTES:
        raise _Untrusted(f"{_shown(path)} is not a key iac wrote (delete it: iac makes a new one)")
    return secret


def _create_key(path: str) -> None:
    """Write a new key atomically: a private temporary file, hard-linked to the name if it is still free.

    link(2) never replaces a file, so processes racing to create the key all end up reading the one
    that won; a reader never sees a half-written key.
    """
    temporary = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            os.write(descriptor, (secrets.token_hex(_KEY_BYTES) + "\n").encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        os.unlink(temporary)


def _shown(path: str) -> str:
    from iac.synth.assembly_dir import printable

    return printable(path)


# -- the cache --------------------------------------------------------------------------------------


@attrs.define
class LintCache:
    """Findings by cache key: in memory, or loaded from and saved into an assembly folder.

    `secret` signs what `dumps` writes; without one (an in-memory cache, or an untrusted key) nothing
    is saved. `notice` is the one line to warn with when a cache on disk could not be used. `fresh`:
    this run lints every template itself (`read_entries=False`: deploy), not through the lint worker.
    """

    entries: dict[str, list[LintFinding]] = attrs.field(factory=dict)
    used: set[str] = attrs.field(factory=set)
    secret: bytes | None = None
    notice: str | None = None
    fresh: bool = False

    @classmethod
    def load(cls, directory: str | None, *, read_entries: bool = True) -> LintCache:
        """The cache of the assembly in `directory`: only the entries this user's key signed.

        With `read_entries=False` nothing is read (every template is linted, in this process) but the
        results are still signed and saved, so the next synth is warm.
        """
        fresh = not read_entries
        if not directory:
            return cls(fresh=fresh)
        key = load_secret()
        if key.secret is None:
            return cls(notice=f"lint cache not used: {key.problem}; every stack is linted", fresh=fresh)
        if fresh:
            return cls(secret=key.secret, fresh=True)
        path = os.path.join(directory, CACHE_FILE)
        try:
            entries, rejected = _verified_entries(_read_cache_file(path), key.secret)
        except CacheDamaged as damage:
            return cls(secret=key.secret, notice=f"ignoring the lint cache {_shown(path)}: {damage}")
        notice = None
        if rejected:
            notice = (f"ignoring {rejected} lint cache entr{'y' if rejected == 1 else 'ies'} in {_shown(path)} "
                      "not signed with your key (written elsewhere or edited); linting those stacks")
        return cls(entries=entries, secret=key.secret, notice=notice)

    def get(self, key: str) -> list[LintFinding] | None:
        found = self.entries.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, findings: list[LintFinding]) -> None:
        self.entries[key] = findings
        self.used.add(key)

    def dumps(self) -> str | None:
        """Only the entries this run used, each signed; None when there is no key to sign with."""
        if self.secret is None:
            return None
        kept = {}
        for key in sorted(self.used):
            findings = [finding.to_json() for finding in self.entries[key]]
            kept[key] = {"findings": findings, "mac": _mac(self.secret, key, findings)}
        return json.dumps({"format": CACHE_FORMAT, "entries": kept}, indent=1) + "\n"

    def warn(self) -> None:
        """Say, once, why the cache on disk was not (all) used."""
        if self.notice:
            sys.stderr.write(f"warning: {self.notice}\n")
            self.notice = None


def _mac(secret: bytes, key: str, findings: list[dict[str, Any]]) -> str:
    """HMAC-SHA256 binding an entry's findings to its key (canonical JSON, so a reload verifies)."""
    canonical = json.dumps(findings, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    message = _MAC_DOMAIN + key.encode("utf-8", "surrogatepass") + b"\0" + canonical.encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _read_cache_file(path: str) -> Any:
    """The parsed file; None when there is none (or it is an older iac's format)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CacheDamaged(f"cannot be read ({error.strerror or error})") from error
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise CacheDamaged("not a regular file")
        raw = handle.read(MAX_CACHE_BYTES + 1)
    if len(raw) > MAX_CACHE_BYTES:
        raise CacheDamaged("far too large")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise CacheDamaged("not valid JSON") from error
    if isinstance(data, dict) and data.get("format") in OLD_FORMATS:
        return None
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or not _is_int(data.get("format")):
        raise CacheDamaged(f"not a lint cache of format {CACHE_FORMAT}")
    return data


def _verified_entries(data: Any, secret: bytes) -> tuple[dict[str, list[LintFinding]], int]:
    """(entries whose MAC verifies, how many did not); CacheDamaged for anything iac would not write."""
    if data is None:
        return {}, 0
    entries = data.get("entries")
    if not isinstance(entries, dict):
        raise CacheDamaged("its entries are not an object")
    verified: dict[str, list[LintFinding]] = {}
    rejected = 0
    for key, entry in entries.items():
        findings = _entry_findings(entry)
        expected = _mac(secret, key, entry["findings"]).encode("ascii")
        if hmac.compare_digest(str(entry.get("mac")).encode("utf-8", "surrogatepass"), expected):
            verified[key] = findings
        else:
            rejected += 1
    return verified, rejected


def _entry_findings(entry: Any) -> list[LintFinding]:
    if not isinstance(entry, dict) or not isinstance(entry.get("findings"), list):
        raise CacheDamaged("an entry has no list of findings")
    mac = entry.get("mac")
    if mac is not None and not isinstance(mac, str):
        raise CacheDamaged("an entry's signature is not text")
    return [LintFinding.from_json(finding) for finding in entry["findings"]]
