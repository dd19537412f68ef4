"""iac: AWS infrastructure as Python classes, synthesized to CloudFormation.

    from iac import App, Stack, CfnResource
    app = App()
    stack = Stack(app, "Hello")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    app.synth()
"""

from typing import TYPE_CHECKING, Any

from iac.constructs import lazy_exports
from iac.constructs.core import (
    Annotations,
    App,
    Aspects,
    Aws,
    CfnElement,
    CfnResource,
    Condition,
    Construct,
    Duration,
    Fn,
    Lazy,
    Mapping,
    Output,
    Parameter,
    RemovalPolicy,
    Size,
    Stack,
    Tags,
    Token,
)
from iac.constructs.core.app import set_synthesizer
from iac.errors import ConstructError, IacError, SynthError, TemplateError, UsageError, ValidationError

if TYPE_CHECKING:
    from iac.checks.suppress import suppress
    from iac.synth import CloudAssembly
    from iac.synth import synthesize_app as synthesize_app  # an attribute of iac, not in __all__
    from iac.synth.language_extensions import ForEach

#: Names whose modules (the synthesis machinery, the checks) are imported when first used: building a
#: tree needs neither, and `import iac` costs the core's modules only (issue 21).
_HOMES = {
    ".checks.suppress": ("suppress",),
    ".synth": ("CloudAssembly", "synthesize_app"),
    ".synth.language_extensions": ("ForEach",),
}

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES)


def _synthesize_app(app: App, **options: Any) -> Any:
    """App.synth(): iac.synth.synthesize_app, imported on the first synth."""
    from iac.synth import synthesize_app as synthesize

    return synthesize(app, **options)


set_synthesizer(_synthesize_app)

__all__ = [
    "Annotations",
    "App",
    "Aspects",
    "Aws",
    "CfnElement",
    "CfnResource",
    "CloudAssembly",
    "Condition",
    "Construct",
    "ConstructError",
    "Duration",
    "Fn",
    "ForEach",
    "IacError",
    "Lazy",
    "Mapping",
    "Output",
    "Parameter",
    "RemovalPolicy",
    "Size",
    "Stack",
    "SynthError",
    "Tags",
    "TemplateError",
    "Token",
    "UsageError",
    "ValidationError",
    "suppress",
]
