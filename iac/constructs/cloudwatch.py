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
from typing import Annotated, Any

import attrs

from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, UnitError
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::CloudWatch::Alarm"

#: Percentiles and trimmed statistics ("p99", "p99.9", "tm90", "TM(10%:90%)"): written as ExtendedStatistic.
_EXTENDED_STATISTIC = re.compile(r"^(?:(?:p|tm|wm|tc|ts)(?:100|\d{1,2}(?:\.\d{1,10})?)|(?:PR|TM|WM|TC|TS)\(.+\))$")
#: Periods below a minute are for high-resolution metrics; CloudWatch aggregates alarms over these only.
_SUB_MINUTE_PERIODS = (10, 30)
#: Operators that compare with an anomaly detection band (ThresholdMetricId), never with a Threshold.
_BAND_OPERATORS = ("GreaterThanUpperThreshold", "LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold")
#: How far back an alarm may look: a day for periods under an hour, a week otherwise.
_MAX_WINDOW_SHORT_PERIODS = 86_400
_MAX_WINDOW = 604_800


@functools.cache
def _schema_enum(*path: str) -> tuple[str, ...]:
    """An enum of the alarm's registry schema, so the checks follow AWS when cfn-lint is upgraded."""
    from iac.specs import property_enum  # only when a metric or alarm is built

    return tuple(property_enum(RESOURCE_TYPE, *path))


@functools.cache
def _schema_length(*path: str) -> tuple[int | None, int | None]:
    """(shortest, longest) of an alarm property (characters of a string, items of a list), from its schema."""
    from iac.specs import property_length

    return property_length(RESOURCE_TYPE, *path)


def statistics() -> tuple[str, ...]:
    return _schema_enum("Statistic")


def comparison_operators() -> tuple[str, ...]:
    return _schema_enum("ComparisonOperator")


def missing_data_treatments() -> tuple[str, ...]:
    return _schema_enum("TreatMissingData")


def units() -> tuple[str, ...]:
    return _schema_enum("Unit")


# -- metrics ---------------------------------------------------------------------------------

_METRIC_PROPERTIES = {"namespace": "Namespace", "metric_name": "MetricName"}


def _check_text(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    from iac.specs import property_pattern

    prop = _METRIC_PROPERTIES[attribute.name]
    shortest, longest = _schema_length(prop)
    if not isinstance(value, str) or len(value) < (shortest or 0) or (longest is not None and len(value) > longest):
        raise ValueError(f"{attribute.name} must be a name of {shortest or 0}-{longest} characters, got {value!r}")
    pattern = property_pattern(RESOURCE_TYPE, prop)
    if pattern is not None and not re.search(pattern, value):
        raise ValueError(f"{attribute.name} {value!r} does not match {pattern!r} ({RESOURCE_TYPE} {prop}, per its "
                         "schema)")


def _check_dimensions(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, dict):
        raise TypeError(f"dimensions must be a dict such as {{'FunctionName': fn.function_name}}, got {value!r}")
    _, most = _schema_length("Dimensions")
    if most is not None and len(value) > most:
        raise ValueError(f"a metric has at most {most} dimensions, got {len(value)}")
    shortest, longest = _schema_length("Dimensions", "Name")
    for name, dimension in value.items():
        # No colon: CloudWatch's own rule for dimension names, which the schema does not state.
        if not isinstance(name, str) or ":" in name or len(name) < (shortest or 0) or \
                (longest is not None and len(name) > longest):
            raise ValueError(f"dimension name {name!r} must be {shortest or 0}-{longest} characters without ':'")
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
    statistic="Sum", period=60)`; constructs give out ready-made ones (`fn.metric_errors()`). The
    period is in seconds, or a `Duration` (`Duration.minutes(5)`).
    `with_(period=300)` makes a copy with other settings.
    """

    namespace: str = attrs.field(validator=_check_text)
    metric_name: str = attrs.field(validator=_check_text)
    dimensions: dict[str, Any] = attrs.field(factory=dict, validator=_check_dimensions)
    statistic: str = attrs.field(default="Average", validator=_check_statistic)
    period: int = attrs.field(default=300, validator=_check_period)
    unit: str | None = attrs.field(default=None, validator=_check_unit)

    def __init__(self, *, namespace: str, metric_name: str, dimensions: dict[str, Any] | None = None,
                 statistic: str = "Average", period: int | Duration = 300, unit: str | None = None) -> None:
        try:
            seconds = period.to("seconds") if isinstance(period, Duration) else period
            self.__attrs_init__(namespace=namespace, metric_name=metric_name, dimensions=dict(dimensions or {}),
                                statistic=statistic, period=seconds, unit=unit)
        except UnitError as error:
            raise ConstructError(f"invalid metric: period: {error} (CloudWatch periods are whole seconds)",
                                 location=caller_location()) from None
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

def _static_threshold_operator(value: str) -> str | None:
    """The schema lists the anomaly-band operators too; CloudWatch takes them only with a band."""
    if value in _BAND_OPERATORS:
        static = [operator for operator in comparison_operators() if operator not in _BAND_OPERATORS]
        return (f"{value!r} compares with an anomaly detection band, which an Alarm on a threshold does not "
                f"have; use one of {', '.join(static)}")
    return None


class Alarm(Construct):
    """An `AWS::CloudWatch::Alarm` on one metric (the child `Resource`). `alarm_name` (Ref) is what
    CodeDeploy watches, `alarm_arn` what IAM and actions name.

    Args:
        metric: the `Metric` watched, with its statistic and period (`fn.metric_errors()`, or a
            `Metric(...)` of your own).
        threshold: the value the statistic is compared with.
        evaluation_periods: how many of the latest periods are evaluated (period x evaluation_periods
            may span at most a day for periods under an hour, a week otherwise).
        comparison_operator: how the statistic is compared with the threshold
            (GreaterThanOrEqualToThreshold by default; the anomaly-band operators need a band, which
            this alarm does not have).
        datapoints_to_alarm: "M out of N": how many breaching periods among the last
            evaluation_periods put the alarm in ALARM (default: all of them).
        treat_missing_data: how periods without data count ("notBreaching", "breaching", ...);
            CloudWatch's default is "missing".
        alarm_name: the alarm's name; CloudFormation generates one when omitted.
        alarm_description: what the alarm means, shown with it.
        actions_enabled: whether the alarm's actions run when its state changes (CloudWatch's
            default: they do).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        metric: Metric,
        threshold: Annotated[float, Cfn("Threshold")],
        evaluation_periods: Annotated[int, Cfn("EvaluationPeriods")],
        comparison_operator: Annotated[str, Cfn("ComparisonOperator"), Check(_static_threshold_operator)
                                       ] = "GreaterThanOrEqualToThreshold",
        datapoints_to_alarm: Annotated[int | None, Cfn("DatapointsToAlarm")] = None,
        treat_missing_data: Annotated[str | None, Cfn("TreatMissingData")] = None,
        alarm_name: Annotated[str | Token | None, Cfn("AlarmName")] = None,
        alarm_description: Annotated[str | Token | None, Cfn("AlarmDescription")] = None,
        actions_enabled: Annotated[bool | None, Cfn("ActionsEnabled")] = None,
    ) -> None:
        super().__init__(scope, id)
        self.metric = metric
        self._check_window(evaluation_periods, datapoints_to_alarm)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            **self.metric.alarm_properties(),
            "Threshold": threshold,
            "EvaluationPeriods": evaluation_periods,
            "DatapointsToAlarm": datapoints_to_alarm,
            "ComparisonOperator": comparison_operator,
            "TreatMissingData": treat_missing_data,
            "AlarmName": alarm_name,
            "AlarmDescription": alarm_description,
            "ActionsEnabled": actions_enabled,
        })

    def _check_window(self, evaluation_periods: int, datapoints_to_alarm: int | None) -> None:
        """What CloudWatch refuses across settings (no schema says it): M of N with M > N, or a window
        longer than CloudWatch keeps the metric's data at that period."""
        problem = None
        window = self.metric.period * evaluation_periods
        limit = _MAX_WINDOW_SHORT_PERIODS if self.metric.period < 3600 else _MAX_WINDOW
        if datapoints_to_alarm is not None and datapoints_to_alarm > evaluation_periods:
            problem = (f"datapoints_to_alarm ({datapoints_to_alarm}) cannot exceed evaluation_periods "
                       f"({evaluation_periods}): it counts breaching periods among them")
        elif window > limit:
            problem = (f"the alarm would look back {window} seconds (period {self.metric.period} x "
                       f"evaluation_periods {evaluation_periods}); CloudWatch allows {limit} "
                       f"({'one day' if limit == _MAX_WINDOW_SHORT_PERIODS else 'seven days'}"
                       f"{' for periods under an hour' if limit == _MAX_WINDOW_SHORT_PERIODS else ''})")
        if problem is not None:
            raise ConstructError(f"invalid argument for Alarm {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    @property
    def alarm_name(self) -> Token:
        """The alarm's name (its Ref): CodeDeploy and composite alarms refer to alarms by name."""
        return self.resource.ref

    @property
    def alarm_arn(self) -> Token:
        return self.resource.get_att("Arn")


__all__ = ["Alarm", "Metric", "comparison_operators", "missing_data_treatments", "statistics"]
