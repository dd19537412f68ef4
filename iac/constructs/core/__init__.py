"""The core layer: construct tree, App, Stack, CfnResource (L1), tokens and template elements."""

from iac.constructs.core.app import App
from iac.constructs.core.construct import Construct
from iac.constructs.core.element import CfnElement
from iac.constructs.core.elements import Condition, Mapping, Output, Parameter
from iac.constructs.core.intrinsics import Aws, Fn
from iac.constructs.core.resource import CfnResource
from iac.constructs.core.source import SourceLocation
from iac.constructs.core.stack import Stack
from iac.constructs.core.tokens import Lazy, Token, is_token
from iac.constructs.core.units import Duration, Size

__all__ = [
    "App",
    "Aws",
    "CfnElement",
    "CfnResource",
    "Condition",
    "Construct",
    "Duration",
    "Fn",
    "Mapping",
    "Output",
    "Parameter",
    "Size",
    "SourceLocation",
    "Stack",
    "Lazy",
    "Token",
    "is_token",
]
