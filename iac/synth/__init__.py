"""Synthesis: construct tree -> templates -> cloud assembly; template reading and writing."""

from typing import TYPE_CHECKING, Any

from iac.synth.assembly import CloudAssembly, StackArtifact
from iac.synth.serialize import to_json, to_yaml
from iac.synth.synthesizer import synthesize, synthesize_app

if TYPE_CHECKING:
    from iac.synth.loader import load as load_template
    from iac.synth.loader import loads as loads_template


def __getattr__(name: str) -> Any:
    """The template readers, imported on first use (with PyYAML): a synth writes templates, never reads them."""
    if name in ("load_template", "loads_template"):
        from iac.synth import loader

        return loader.load if name == "load_template" else loader.loads
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
