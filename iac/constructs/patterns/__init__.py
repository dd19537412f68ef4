"""L3 patterns: whole architectures wired together with safe defaults, each a few lines to use."""

from iac.constructs.patterns.delivery import DeliveryPipeline
from iac.constructs.patterns.fargate import LoadBalancedFargateService
from iac.constructs.patterns.static_site import StaticWebsite

__all__ = ["DeliveryPipeline", "LoadBalancedFargateService", "StaticWebsite"]
