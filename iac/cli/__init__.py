"""The `iac` command line (thin layer over iac.synth)."""

from iac.cli.main import cli, main

__all__ = ["cli", "main"]
