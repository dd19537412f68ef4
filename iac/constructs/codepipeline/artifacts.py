"""Artifacts: the files one action of a pipeline produces and later ones read."""

from __future__ import annotations

import re

import attrs

from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

# -- artifacts ----------------------------------------------------------------------------------------

#: CodePipeline's API: artifact names are 1-100 letters, digits, '_' or '-' (the schema gives no pattern).
_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


class Artifact:
    """Files one action produces and later ones use: `Artifact("Source")`. Compared by identity:
    two artifacts with the same name in one pipeline are an error."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not _ARTIFACT_NAME.match(name):
            raise ConstructError(f"Artifact: artifact name {name!r} must be 1-100 letters, digits, '_' or '-'",
                                 location=caller_location())
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"Artifact({self._name!r})"

    def at_path(self, file: str) -> ArtifactPath:
        """A file inside the artifact, e.g. `built.at_path("App.template.json")`."""
        if not isinstance(file, str) or not file or file.startswith("/") or "::" in file:
            raise ConstructError(f"at_path needs a relative file name inside artifact {self.name!r}, got {file!r}",
                                 location=caller_location())
        return ArtifactPath(self, file)


@attrs.frozen
class ArtifactPath:
    """A file in an artifact; CodePipeline writes it "Artifact::file"."""

    artifact: Artifact
    file: str

    def __str__(self) -> str:
        return f"{self.artifact.name}::{self.file}"
