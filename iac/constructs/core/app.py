"""App: the root of the construct tree; `app.synth()` writes the cloud assembly."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from iac.constructs.core.construct import Construct
from iac.errors import ConstructError

#: The formats a template can be written in.
TEMPLATE_FORMATS = ("json", "yaml")

#: Set by the `iac` package to `iac.synth.synthesize_app`. Core sits below synth and must not
#: import it (data flows constructs -> synth -> cli); the package top wires the two together.
_synthesizer: Callable[..., Any] | None = None

#: When the CLI runs an app, the Apps it creates are collected here and `app.synth()` does not
#: write: the CLI decides where and how the assembly is written.
_captured: list[App] | None = None


def set_synthesizer(synthesizer: Callable[..., Any]) -> None:
    global _synthesizer
    _synthesizer = synthesizer


@contextlib.contextmanager
def capture_apps() -> Iterator[list[App]]:
    """Collect every App created inside the block (used by the CLI to run an app file)."""
    global _captured
    previous, _captured = _captured, []
    try:
        yield _captured
    finally:
        _captured = previous


class App(Construct):
    """The root construct. `App(outdir="iac.out")`; stacks are its children.

    Args:
        outdir: the folder `app.synth()` writes the cloud assembly to (`iac synth --out` overrides it).
        format: the templates' format, "json" or "yaml".
        path_metadata: put `{"iac:path": construct path}` in every resource's Metadata, so tools that read
            the template (iac diff, cfn-lint findings, the console) can point back at the construct.
    """

    def __init__(self, *, outdir: str = "iac.out", format: str = "json", path_metadata: bool = True) -> None:
        super().__init__(None, "")
        if format not in TEMPLATE_FORMATS:
            raise ConstructError(f"App(format={format!r}) is not a template format; use one of "
                                 f"{', '.join(TEMPLATE_FORMATS)}", location=self.location)
        self.outdir = outdir
        self.format = format
        #: Put {"iac:path": construct path} in every resource's Metadata, so tools reading the
        #: template (and `iac validate` on files) can name the construct behind each resource.
        self.path_metadata = path_metadata
        self.captured_assembly: Any = None
        if _captured is not None:
            _captured.append(self)

    @property
    def stacks(self) -> list[Any]:
        """Every Stack of the app, in creation order."""
        return [node for node in self.walk() if getattr(node, "is_stack", False)]

    def synth(self, *, outdir: str | None = None, format: str | None = None, lint: bool = True,
              strict: bool = False) -> Any:
        """Validate, write the cloud assembly to `outdir` and return it (`assembly.template(name)`).

        `lint=False` skips cfn-lint (schema validation always runs); `strict=True` fails on warnings.
        Under `iac synth` the CLI owns validation and output: this returns the unvalidated assembly
        without writing, and the CLI validates and writes it with its own options.
        """
        if _synthesizer is None:  # pragma: no cover - only if iac.constructs is loaded without iac
            raise RuntimeError("iac.synth is not loaded; import iac first")
        if _captured is not None:
            self.captured_assembly = _synthesizer(self, outdir=None, format=format or self.format, lint=False,
                                                  validate=False)
            return self.captured_assembly
        return _synthesizer(self, outdir=outdir or self.outdir, format=format or self.format, lint=lint,
                            strict=strict)

    def __repr__(self) -> str:
        return "<App>"
