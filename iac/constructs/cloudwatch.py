"""CloudWatch: metrics and the alarms that watch them.

    errors = cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)

A `Metric` is a value, not a resource: constructs that emit metrics hand them out
(`fn.metric_errors()`), and an `Alarm` turns one into an `AWS::CloudWatch::Alarm`. Alarms are what
CodeDeploy watches to stop and roll back a deployment, so every argument CloudWatch would refuse at
deploy time (a period it cannot aggregate over, an evaluation window longer than it keeps, a
statistic it does not know) is refused here, at the line that wrote it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import attrs

from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::CloudWatch::Alarm"

#: CloudWatch's documented values, used only if the registry schema has no enum for them.
DOCUMENTED_STATISTICS = ("Average", "Maximum", "Minimum", "SampleCount", "Sum")
DOCUMENTED_COMPARISONS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanOrEqualToThreshold",
                          "LessThanThreshold")
DOCUMENTED_MISSING_DATA = ("breaching", "ignore", "missing", "notBreaching")

#: Percentiles and trimmed statistics ("p99", "p99.9", "tm90", "TM(10%:90%)"): written as ExtendedStatistic.
_EXTENDED_STATISTIC = re.compile(r"^(?:(?:p|tm|wm|tc|ts)(?:100|\d{1,2}(?:\.\d{1,10})?)|(?:PR|TM|WM|TC|TS)\(.+\))$")
#: Periods below a minute are for high-resolution metrics; CloudWatch aggregates alarms over these only.
_SUB_MINUTE_PERIODS = (10, 30)
#: How far back an alarm may look: a day for periods under an hour, a week otherwise.
_MAX_WINDOW_SHORT_PERIODS = 86_400
_MAX_WINDOW = 604_800
_DIMENSION_NAME = re.compile(r"^[^:]{1,255}$")
MAX_DIMENSIONS = 30


@functools.cache
def _schema_enum(property_name: str, documented: tuple[str, ...]) -> tuple[str, ...]:
    """An enum of the alarm's registry schema, so the checks follow AWS when cfn-lint is upgraded."""
    from iac.specs import resource_schema  # only when a metric or alarm is built

    schema = resource_schema(RESOURCE_TYPE)
    enum = schema.document.get("properties", {}).get(property_name, {}).get("enum") if schema else None
    return tuple(enum) if enum else documented


def statistics() -> tuple[str, ...]:
    return _schema_enum("Statistic", DOCUMENTED_STATISTICS)


def comparison_operators() -> tuple[str, ...]:
    return _schema_enum("ComparisonOperator", DOCUMENTED_COMPARISONS)


def missing_data_treatments() -> tuple[str, ...]:
    return _schema_enum("TreatMissingData", DOCUMENTED_MISSING_DATA)


def units() -> tuple[str, ...]:
    return _schema_enum("Unit", ())


# -- metrics ---------------------------------------------------------------------------------

def _check_text(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, str) or not value or len(value) > 255:
        raise ValueError(f"{attribute.name} must be a name of 1-255 characters, got {value!r}")
    if attribute.name == "namespace" and value.startswith(":"):
        raise ValueError(f"namespace {value!r} must not start with ':'")


def _check_dimensions(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"dimensions must be a dict such as {{'FunctionName': fn.function_name}}, got {value!r}")
    if len(value) > MAX_DIMENSIONS:
        raise ValueError(f"a metric has at most {MAX_DIMENSIONS} dimensions, got {len(value)}")
    for name, dimension in value.items():
        if not isinstance(name, str) or not _DIMENSION_NAME.match(name):
            raise ValueError(f"dimension name {name!r} must be 1-255 characters without ':'")
        if dimension is None or not (isinstance(dimension, str | Token) or is_token(dimension)):
            raise TypeError(f"dimension {name!r} must have a string value (or a reference), got {dimension!r}")


def _check_statistic(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, str) and (value in statistics() or _EXTENDED_STATISTIC.match(value)):
        return
    raise ValueError(f"statistic {value!r} is not one CloudWatch knows: use one of {', '.join(statistics())}, "
                     "or a percentile such as 'p99'")


def _check_period(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0 and \
            (value in _SUB_MINUTE_PERIODS or value % 60 == 0):
        return
    raise ValueError(f"period {value!r} is not one CloudWatch alarms accept: use 10, 30, or a multiple of 60 "
                     "seconds")


def _check_unit(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and units() and value not in units():
        raise ValueError(f"unit {value!r} is not a CloudWatch unit; use one of {', '.join(units())}")


@attrs.frozen(kw_only=True, init=False)
class Metric:
    """One CloudWatch metric and how to aggregate it: namespace, name, dimensions, statistic, period.

    `Metric(namespace="AWS/Lambda", metric_name="Errors", dimensions={"FunctionName": fn.function_name},
    statistic="Sum", period=60)`; constructs give out ready-made ones (`fn.metric_errors()`).
    `with_(period=300)` makes a copy with other settings.
    """

    namespace: str = attrs.field(validator=_check_text)
    metric_name: str = attrs.field(validator=_check_text)
    dimensions: dict[str, Any] = attrs.field(factory=dict, validator=_check_dimensions)
    statistic: str = attrs.field(default="Average", validator=_check_statistic)
    period: int = attrs.field(default=300, validator=_check_period)
    unit: str | None = attrs.field(default=None, validator=_check_unit)

    def __init__(self, *, namespace: str, metric_name: str, dimensions: dict[str, Any] | None = None,
                 statistic: str = "Average", period: int = 300, unit: str | None = None) -> None:
        try:
            self.__attrs_init__(namespace=namespace, metric_name=metric_name, dimensions=dict(dimensions or {}),
                                statistic=statistic, period=period, unit=unit)
        except (TypeError, ValueError) as error:
            raise ConstructError(f"invalid metric: {error}", location=caller_location()) from None

    def with_(self, **changes: Any) -> Metric:
        """A copy with some settings changed, e.g. `fn.metric_duration().with_(statistic="p99")`."""
        values = {field.name: getattr(self, field.name) for field in attrs.fields(Metric)}
        unknown = sorted(set(changes) - set(values))
        if unknown:
            raise ConstructError(f"Metric has no setting {', '.join(unknown)}; settings: {', '.join(values)}",
                                 location=caller_location())
        return Metric(**{**values, **changes})

    @property
    def is_extended(self) -> bool:
        """Percentiles and trimmed statistics go to ExtendedStatistic, the five plain ones to Statistic."""
        return self.statistic not in statistics()

    def alarm_properties(self) -> dict[str, Any]:
        """The metric part of an AWS::CloudWatch::Alarm's properties."""
        return {
            "Namespace": self.namespace,
            "MetricName": self.metric_name,
            "Dimensions": [{"Name": name, "Value": value} for name, value in sorted(self.dimensions.items())]
            or None,
            "ExtendedStatistic" if self.is_extended else "Statistic": self.statistic,
            "Period": self.period,
            "Unit": self.unit,
        }


# -- alarms ----------------------------------------------------------------------------------

def _positive_int(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None and attribute.name == "datapoints_to_alarm":
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number of at least 1, got {value!r}")


def _check_threshold(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"threshold must be a number, got {value!r}")


def _one_of(choices: Any) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        allowed = choices()
        if value is not None and value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {', '.join(allowed)}; got {value!r}")

    return check


def _optional_text(limit: int) -> Any:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if value is None or is_token(value):
            return
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(f"{attribute.name} must be a string of at most {limit} characters, got {value!r}")

    return check


@attrs.define(kw_only=True)
class AlarmProps:
    metric: Metric = attrs.field(validator=attrs.validators.instance_of(Metric))
    threshold: float = attrs.field(validator=_check_threshold)
    evaluation_periods: int = attrs.field(validator=_positive_int)
    comparison_operator: str = attrs.field(default="GreaterThanOrEqualToThreshold",
                                           validator=_one_of(comparison_operators))
    datapoints_to_alarm: int | None = attrs.field(default=None, validator=_positive_int)
    treat_missing_data: str | None = attrs.field(default=None, validator=_one_of(missing_data_treatments))
    alarm_name: Any = attrs.field(default=None, validator=_optional_text(255))
    alarm_description: Any = attrs.field(default=None, validator=_optional_text(1024))
    actions_enabled: bool | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(bool)))

    def __attrs_post_init__(self) -> None:
        if self.datapoints_to_alarm is not None and self.datapoints_to_alarm > self.evaluation_periods:
            raise ValueError(f"datapoints_to_alarm ({self.datapoints_to_alarm}) cannot exceed evaluation_periods "
                             f"({self.evaluation_periods}): it counts breaching periods among them")
        window = self.metric.period * self.evaluation_periods
        limit = _MAX_WINDOW_SHORT_PERIODS if self.metric.period < 3600 else _MAX_WINDOW
        if window > limit:
            raise ValueError(f"the alarm would look back {window} seconds (period {self.metric.period} x "
                             f"evaluation_periods {self.evaluation_periods}); CloudWatch allows {limit} "
                             f"({'one day' if limit == _MAX_WINDOW_SHORT_PERIODS else 'seven days'}"
                             f"{' for periods under an hour' if limit == _MAX_WINDOW_SHORT_PERIODS else ''})")


class Alarm(Construct):
    """An `AWS::CloudWatch::Alarm` on one metric (the child `Resource`).

    Props: metric, threshold, evaluation_periods, comparison_operator (GreaterThanOrEqualToThreshold),
    datapoints_to_alarm ("M out of N": M breaching periods among the last evaluation_periods),
    treat_missing_data ("missing", "notBreaching", "breaching" or "ignore"), alarm_name,
    alarm_description, actions_enabled. `alarm_name` (Ref) is what CodeDeploy watches, `alarm_arn`
    what IAM and actions name.
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: AlarmProps = self._build_props(AlarmProps, props)
        self.metric = self.props.metric
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            **self.metric.alarm_properties(),
            "Threshold": self.props.threshold,
            "EvaluationPeriods": self.props.evaluation_periods,
            "DatapointsToAlarm": self.props.datapoints_to_alarm,
            "ComparisonOperator": self.props.comparison_operator,
            "TreatMissingData": self.props.treat_missing_data,
            "AlarmName": self.props.alarm_name,
            "AlarmDescription": self.props.alarm_description,
            "ActionsEnabled": self.props.actions_enabled,
        })

    @property
    def alarm_name(self) -> Token:
        """The alarm's name (its Ref): CodeDeploy and composite alarms refer to alarms by name."""
        return self.resource.ref

    @property
    def alarm_arn(self) -> Token:
        return self.resource.get_att("Arn")


__all__ = ["Alarm", "Metric", "comparison_operators", "missing_data_treatments", "statistics"]
