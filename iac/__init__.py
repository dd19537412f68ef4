"""iac: AWS infrastructure as Python classes, synthesized to CloudFormation.

    from iac import App, Stack, CfnResource
    app = App()
    stack = Stack(app, "Hello")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    app.synth()
"""

from iac.checks.suppress import suppress
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
from iac.synth import CloudAssembly, synthesize_app
from iac.synth.language_extensions import ForEach

set_synthesizer(synthesize_app)

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
