"""Synthesis: construct tree -> templates -> cloud assembly; template reading and writing."""

from iac.synth.assembly import CloudAssembly, StackArtifact
from iac.synth.loader import load as load_template
from iac.synth.loader import loads as loads_template
from iac.synth.serialize import to_json, to_yaml
from iac.synth.synthesizer import synthesize, synthesize_app

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
