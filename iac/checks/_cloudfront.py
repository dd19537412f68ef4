"""A CloudFront distribution's settings as the CloudFront rules read them: its cache behaviors (the
default one and those of CacheBehaviors), each with where it is in the template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iac.checks._model import TemplatePath, TemplateResource
from iac.checks._values import is_intrinsic


def distribution_config(resource: TemplateResource) -> dict[str, Any] | None:
    """The distribution's DistributionConfig, or None when it is not written out (computed, missing)."""
    config = resource.properties.get("DistributionConfig")
    return config if isinstance(config, dict) and not is_intrinsic(config) else None


def cache_behaviors(resource: TemplateResource) -> Iterator[tuple[TemplatePath, dict[str, Any]]]:
    """(property path below Properties, behavior) for DefaultCacheBehavior and each of CacheBehaviors."""
    config = distribution_config(resource)
    if config is None:
        return
    default = config.get("DefaultCacheBehavior")
    if isinstance(default, dict):
        yield ("DistributionConfig", "DefaultCacheBehavior"), default
    behaviors = config.get("CacheBehaviors")
    for index, behavior in enumerate(behaviors if isinstance(behaviors, list) else ()):
        if isinstance(behavior, dict):
            yield ("DistributionConfig", "CacheBehaviors", index), behavior
