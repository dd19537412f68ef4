"""The core layer: construct tree, App, Stack, CfnResource (L1), tokens and template elements."""

from iac.constructs.core.app import App
from iac.constructs.core.aspects import Annotations, Aspects, IAspect
from iac.constructs.core.construct import Construct
from iac.constructs.core.element import CfnElement
from iac.constructs.core.elements import Condition, Mapping, Output, Parameter
from iac.constructs.core.intrinsics import Aws, Fn
from iac.constructs.core.removal import RemovalPolicies
from iac.constructs.core.resource import CfnResource
from iac.constructs.core.source import SourceLocation
from iac.constructs.core.stack import Stack
from iac.constructs.core.tags import Tags
from iac.constructs.core.tokens import Lazy, Token, is_token
from iac.constructs.core.units import Duration, Size

#: `RemovalPolicy.apply(scope, RETAIN | DESTROY | SNAPSHOT)`; the `removal_policy=` prop's type is
#: iac.constructs.core.removal.RemovalPolicy.
RemovalPolicy = RemovalPolicies

__all__ = [
    "Annotations",
    "App",
    "Aspects",
    "Aws",
    "CfnElement",
    "CfnResource",
    "Condition",
    "Construct",
    "Duration",
    "Fn",
    "IAspect",
    "Mapping",
    "Output",
    "Parameter",
    "RemovalPolicies",
    "RemovalPolicy",
    "Size",
    "SourceLocation",
    "Stack",
    "Tags",
    "Lazy",
    "Token",
    "is_token",
]
