"""Layer 3 of validation: cfn-lint's full rule set, in process, on every serialized template.

cfn-lint is imported and its rules built only when a template actually needs linting (that costs
about a second); results are cached by template hash, region and cfn-lint version, so an unchanged
stack is never linted twice. Several stacks are linted in parallel worker processes (forked after
the rules are built, so each worker starts warm).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import Any

import attrs

from iac.synth.assembly import package_version

CACHE_FILE = ".lint-cache.json"
CACHE_FORMAT = 1
SEVERITIES = ("error", "warning", "informational")


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
    def from_json(cls, data: dict[str, Any]) -> LintFinding:
        return cls(rule_id=data["rule_id"], severity=data["severity"], message=data["message"],
                   path=tuple(data.get("path", ())), line=data.get("line"))


_rules: Any = None


def _linter_rules() -> Any:
    """cfn-lint's rule collection, built once per process (it is the expensive part)."""
    global _rules
    if _rules is None:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        _rules = Runner(ConfigMixIn(regions=["us-east-1"])).rules
    return _rules


def lint_template(body: str, region: str, *, filename: str | None = None) -> list[LintFinding]:
    """cfn-lint's findings for one template text (JSON or YAML) in `region`."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner.template.runner import run_template_by_data

    template, matches = decode_str(body)
    if not matches and template is not None:
        config = ConfigMixIn(regions=[region])  # fresh per template: a template's Metadata may tune it
        matches = list(run_template_by_data(template, config, _linter_rules()))
    return sorted((_finding(match) for match in matches or ()), key=lambda f: (f.line or 0, f.rule_id, f.message))


def _finding(match: Any) -> LintFinding:
    severity = getattr(match.rule, "severity", "error")
    # Plain str/int only: cfn-lint's str_node subclasses cannot be pickled back from a lint worker,
    # and a parse-error Match (from decode_str) has no `path` at all.
    return LintFinding(
        rule_id=str(match.rule.id),
        severity=severity if severity in SEVERITIES else "error",
        message=str(match.message),
        path=tuple(int(p) if isinstance(p, int) else str(p) for p in getattr(match, "path", None) or ()),
        line=match.linenumber,
    )


def cache_key(body: str, region: str) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return f"{digest}:{region}:{package_version('cfn-lint')}"


@attrs.define
class LintCache:
    """Findings by cache key; loaded from and saved into the assembly directory."""

    entries: dict[str, list[LintFinding]] = attrs.field(factory=dict)
    used: set[str] = attrs.field(factory=set)

    @classmethod
    def load(cls, directory: str | None) -> LintCache:
        if not directory:
            return cls()
        try:
            with open(os.path.join(directory, CACHE_FILE), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return cls()
        try:
            entries = {key: [LintFinding.from_json(f) for f in found] for key, found in data["entries"].items()}
        except (KeyError, TypeError, AttributeError):
            return cls()
        return cls(entries=entries)

    def get(self, key: str) -> list[LintFinding] | None:
        found = self.entries.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, findings: list[LintFinding]) -> None:
        self.entries[key] = findings
        self.used.add(key)

    def dumps(self) -> str:
        """Only the entries this run used, so the cache never grows past the app's stacks."""
        kept = {key: [f.to_json() for f in self.entries[key]] for key in sorted(self.used)}
        return json.dumps({"format": CACHE_FORMAT, "entries": kept}, indent=1) + "\n"


Progress = Callable[[int, int], None]


def lint_bodies(items: dict[str, tuple[str, str]], cache: LintCache, *, jobs: int | None = None,
                progress: Progress | None = None) -> dict[str, list[LintFinding]]:
    """Lint {name: (body, region)}; cached results are reused, the rest linted in parallel.

    `progress(done, total)` is called before the first template is linted and after each one.
    """
    results: dict[str, list[LintFinding]] = {}
    missing: dict[str, tuple[str, str, str]] = {}
    for name, (body, region) in items.items():
        key = cache_key(body, region)
        cached = cache.get(key)
        if cached is not None:
            results[name] = cached
        else:
            missing[name] = (key, body, region)
    if missing:
        for name, findings in _lint_all(missing, jobs, progress or _no_progress).items():
            results[name] = findings
            cache.put(missing[name][0], findings)
    return results


def _lint_all(missing: dict[str, tuple[str, str, str]], jobs: int | None, progress: Progress
              ) -> dict[str, list[LintFinding]]:
    import multiprocessing  # with the pool below: only when there is something to lint
    from concurrent.futures import ProcessPoolExecutor, as_completed

    total = len(missing)
    progress(0, total)
    _linter_rules()  # build before forking, so every worker inherits warm rules
    workers = min(jobs or _default_jobs(), total)
    results: dict[str, list[LintFinding]] = {}
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for name, (_, body, region) in missing.items():
            results[name] = lint_template(body, region)
            progress(len(results), total)
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {pool.submit(_lint_job, (body, region)): name for name, (_, body, region) in missing.items()}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            progress(len(results), total)
    return {name: results[name] for name in missing}


def _no_progress(done: int, total: int) -> None:
    pass


def _lint_job(job: tuple[str, str]) -> list[LintFinding]:
    return lint_template(*job)


def _default_jobs() -> int:
    configured = os.environ.get("IAC_LINT_JOBS")
    if configured and configured.isdigit():
        return max(1, int(configured))
    return os.cpu_count() or 1
