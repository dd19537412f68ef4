"""What every diff finding kind declares: a stable id, its kind and severity, a short description, a doc link."""

from __future__ import annotations

import attrs

from iac.synth.diff.model import Finding


@attrs.frozen(kw_only=True)
class DiffRule:
    """One kind of diff finding. The id is a contract: `--ignore ID` and `iac:acknowledge` metadata name it."""

    id: str
    kind: str  # data-at-risk | rename | deployability | widening
    severity: str  # error | warning
    title: str
    description: str
    url: str

    def finding(self, logical_id: str, message: str, fix: str | None = None) -> Finding:
        return Finding(id=self.id, kind=self.kind, severity=self.severity, logical_id=logical_id, message=message,
                       fix=fix, url=self.url)
