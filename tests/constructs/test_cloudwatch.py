"""cloudwatch: metrics (and the Lambda metric helpers), alarms, and the arguments CloudWatch would refuse."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import awslambda, cloudwatch
from iac.synth import synthesize
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => 1;")


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


def _function(stack: Stack, id: str = "Fn") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime="nodejs22.x", code=INLINE)


def _alarm_properties(app: App, alarm: cloudwatch.Alarm) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"][alarm.resource.logical_id]["Properties"]


def test_an_alarm_watches_its_metric_with_the_given_threshold(app, stack):
    fn = _function(stack)
    alarm = cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)

    assert _alarm_properties(app, alarm) == {
        "Namespace": "AWS/Lambda",
        "MetricName": "Errors",
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": fn.resource.logical_id}}],
        "Statistic": "Sum",
        "Period": 60,
        "Threshold": 1,
        "EvaluationPeriods": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    }


def test_optional_settings_are_written(app, stack):
    metric = cloudwatch.Metric(namespace="Shop", metric_name="Orders", statistic="Average", period=300,
                               unit="Count")
    alarm = cloudwatch.Alarm(stack, "FewOrders", metric=metric, threshold=10, evaluation_periods=3,
                             datapoints_to_alarm=2, comparison_operator="LessThanThreshold",
                             treat_missing_data="breaching", alarm_name="few-orders", alarm_description="why")

    props = _alarm_properties(app, alarm)
    assert (props["DatapointsToAlarm"], props["ComparisonOperator"], props["TreatMissingData"]) == (
        2, "LessThanThreshold", "breaching")
    assert (props["AlarmName"], props["AlarmDescription"], props["Unit"]) == ("few-orders", "why", "Count")
    assert "Dimensions" not in props


def test_a_percentile_is_an_extended_statistic(app, stack):
    fn = _function(stack)
    alarm = cloudwatch.Alarm(stack, "Slow", metric=fn.metric_duration(statistic="p99"), threshold=800,
                             evaluation_periods=5)

    props = _alarm_properties(app, alarm)
    assert props["ExtendedStatistic"] == "p99"
    assert "Statistic" not in props


@pytest.mark.parametrize("helper, name, statistic", [
    ("metric_errors", "Errors", "Sum"),
    ("metric_throttles", "Throttles", "Sum"),
    ("metric_invocations", "Invocations", "Sum"),
    ("metric_duration", "Duration", "Average"),
])
def test_function_metric_helpers(stack, resolve, helper, name, statistic):
    fn = _function(stack)
    metric = getattr(fn, helper)()

    assert (metric.namespace, metric.metric_name, metric.statistic, metric.period) == (
        "AWS/Lambda", name, statistic, 60)
    assert resolve(metric.dimensions["FunctionName"]) == {"Ref": fn.resource.logical_id}


def test_with_changes_a_copy(stack):
    metric = _function(stack).metric_errors()

    longer = metric.with_(period=300, statistic="Maximum")

    assert (longer.period, longer.statistic, metric.period) == (300, "Maximum", 60)


def test_alarm_name_and_arn_are_ref_and_getatt(stack, resolve):
    alarm = cloudwatch.Alarm(stack, "Errors", metric=_function(stack).metric_errors(), threshold=1,
                             evaluation_periods=1)

    assert resolve(alarm.alarm_name) == {"Ref": alarm.resource.logical_id}
    assert resolve(alarm.alarm_arn) == {"Fn::GetAtt": [alarm.resource.logical_id, "Arn"]}


@pytest.mark.parametrize("props, message", [
    ({"treat_missing_data": "notbreaching"}, "treat_missing_data must be one of breaching, ignore"),
    ({"comparison_operator": ">="}, "comparison_operator must be one of"),
    ({"evaluation_periods": 0}, "evaluation_periods must be a whole number"),
    ({"threshold": "1"}, "threshold must be a number"),
    ({"evaluation_periods": 2, "datapoints_to_alarm": 3}, "cannot exceed evaluation_periods"),
    ({"evaluation_periods": 1441}, "CloudWatch allows 86400"),
])
def test_bad_alarm_arguments_point_at_the_alarm_line(stack, props, message):
    metric = _function(stack).metric_errors()
    settings = {"threshold": 1, "evaluation_periods": 1, **props}

    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        cloudwatch.Alarm(stack, "Bad", metric=metric, **settings)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


@pytest.mark.parametrize("props, message", [
    ({"period": 45}, "use 10, 30, or a multiple of 60"),
    ({"statistic": "Avg"}, "statistic 'Avg' is not one CloudWatch knows"),
    ({"unit": "Apples"}, "unit 'Apples' is not a CloudWatch unit"),
    ({"dimensions": {"FunctionName": None}}, "must have a string value"),
    ({"namespace": ""}, "namespace must be a name"),
])
def test_bad_metric_arguments_point_at_the_metric_line(props, message):
    settings = {"namespace": "Shop", "metric_name": "Orders", **props}

    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        cloudwatch.Metric(**settings)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_an_hourly_alarm_may_look_back_a_week(stack):
    metric = cloudwatch.Metric(namespace="Shop", metric_name="Orders", period=3600)

    cloudwatch.Alarm(stack, "Weekly", metric=metric, threshold=1, evaluation_periods=168)

    with pytest.raises(ConstructError, match="seven days"):
        cloudwatch.Alarm(stack, "TooLong", metric=metric, threshold=1, evaluation_periods=169)


def test_alarms_pass_cfn_lint_without_findings():
    app = App()
    stack = Stack(app, "Main")
    fn = _function(stack)
    cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1,
                     treat_missing_data="notBreaching")
    cloudwatch.Alarm(stack, "Slow", metric=fn.metric_duration(statistic="p99"), threshold=800,
                     evaluation_periods=5, datapoints_to_alarm=3)
    cloudwatch.Alarm(stack, "Throttled", metric=fn.metric_throttles().with_(period=10), threshold=1,
                     evaluation_periods=3)

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []
