"""Synthesis: construct tree -> templates -> cloud assembly; template reading and writing."""

from typing import TYPE_CHECKING, Any

from iac.constructs import lazy_exports

if TYPE_CHECKING:
    from iac.synth.assembly import CloudAssembly, StackArtifact
    from iac.synth.loader import load as load_template
    from iac.synth.loader import loads as loads_template
    from iac.synth.serialize import to_json, to_yaml
    from iac.synth.synthesizer import synthesize, synthesize_app

#: Imported on first use, as the template readers are (with PyYAML: a synth writes templates, never reads
#: them): `from iac.synth.phases import ...` (the CLI's progress line, `iac --version`) loads phases alone.
_HOMES = {
    ".assembly": ("CloudAssembly", "StackArtifact"),
    ".serialize": ("to_json", "to_yaml"),
    ".synthesizer": ("synthesize", "synthesize_app"),
}

if not TYPE_CHECKING:  # type checkers read the imports above
    _exported, __dir__ = lazy_exports(__name__, _HOMES)

    def __getattr__(name: str) -> Any:
        if name in ("load_template", "loads_template"):
            from iac.synth import loader

            return loader.load if name == "load_template" else loader.loads
        return _exported(name)


__all__ = [
    "CloudAssembly",
    "StackArtifact",
    "load_template",
    "loads_template",
    "synthesize",
    "synthesize_app",
    "to_json",
    "to_yaml",
]
