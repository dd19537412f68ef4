"""L3 patterns: whole architectures wired together with safe defaults, each a few lines to use."""

from typing import TYPE_CHECKING

from iac.constructs import lazy_exports

if TYPE_CHECKING:
    from iac.constructs.patterns.delivery import DeliveryPipeline
    from iac.constructs.patterns.fargate import LoadBalancedFargateService
    from iac.constructs.patterns.static_site import StaticWebsite

#: Where each public name lives (the imports above, for the run time): imported on first use.
_HOMES = {
    ".delivery": ("DeliveryPipeline",),
    ".fargate": ("LoadBalancedFargateService",),
    ".static_site": ("StaticWebsite",),
}

if not TYPE_CHECKING:  # type checkers read the imports above
    __getattr__, __dir__ = lazy_exports(__name__, _HOMES)

__all__ = ["DeliveryPipeline", "LoadBalancedFargateService", "StaticWebsite"]
