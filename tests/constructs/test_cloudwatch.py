"""cloudwatch: metrics (and the Lambda metric helpers), alarms, and the arguments CloudWatch would refuse."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import awslambda, cloudwatch
from iac.specs import property_length, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => 1;")


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


def _function(stack: Stack, id: str = "Fn") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=INLINE)


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
    ({"treat_missing_data": "notbreaching"}, r"treat_missing_data: 'notbreaching' is not one of \['breaching', "
                                             r"'ignore'.*\(did you mean 'notBreaching'\?\)"),
    ({"comparison_operator": ">="}, r"comparison_operator: '>=' is not one of \['GreaterThanOrEqualToThreshold'"),
    ({"comparison_operator": "GreaterThanUpperThreshold"}, "compares with an anomaly detection band"),
    ({"evaluation_periods": 1.5}, r"evaluation_periods must be int, got float 1.5"),
    ({"threshold": "1"}, r"threshold must be float, got str '1'"),
    ({"alarm_name": "x" * 256}, r"alarm_name: 'x+' is too long \(AWS::CloudWatch::Alarm AlarmName"),
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
    ({"namespace": ":Shop"}, r"namespace ':Shop' does not match '\^\[\^:\]' \(AWS::CloudWatch::Alarm Namespace"),
    ({"dimensions": {"a:b": "c"}}, "dimension name 'a:b' must be 1-255 characters without ':'"),
])
def test_bad_metric_arguments_point_at_the_metric_line(props, message):
    settings = {"namespace": "Shop", "metric_name": "Orders", **props}

    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        cloudwatch.Metric(**settings)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_a_misspelt_alarm_argument_names_the_real_one(stack):
    metric = _function(stack).metric_errors()

    with pytest.raises(ConstructError, match="Alarm 'Bad' has no argument 'treshold'") as caught:
        line = _next_line()
        cloudwatch.Alarm(stack, "Bad", metric=metric, treshold=1, evaluation_periods=1)

    assert caught.value.hint == "did you mean threshold?"
    assert (caught.value.path, caught.value.location.line) == ("Main/Bad", line)


def test_evaluation_periods_are_bounded_by_the_schema(stack):
    minimum, _ = property_range("AWS::CloudWatch::Alarm", "EvaluationPeriods")
    assert minimum is not None
    metric = _function(stack).metric_errors()

    cloudwatch.Alarm(stack, "Least", metric=metric, threshold=1, evaluation_periods=int(minimum))
    with pytest.raises(ConstructError, match=rf"evaluation_periods: {int(minimum) - 1} is less than the minimum "
                                             rf"of {int(minimum)} \(AWS::CloudWatch::Alarm EvaluationPeriods"):
        cloudwatch.Alarm(stack, "TooFew", metric=metric, threshold=1, evaluation_periods=int(minimum) - 1)


def test_metric_names_are_bounded_by_the_schema():
    _, longest = property_length("AWS::CloudWatch::Alarm", "MetricName")
    assert longest is not None

    assert cloudwatch.Metric(namespace="Shop", metric_name="m" * longest).metric_name == "m" * longest
    with pytest.raises(ConstructError, match=f"metric_name must be a name of 1-{longest} characters"):
        cloudwatch.Metric(namespace="Shop", metric_name="m" * (longest + 1))


def test_a_metric_has_at_most_the_dimensions_the_schema_allows():
    _, most = property_length("AWS::CloudWatch::Alarm", "Dimensions")
    assert most is not None
    dimensions = {f"D{index}": "value" for index in range(most + 1)}

    with pytest.raises(ConstructError, match=f"a metric has at most {most} dimensions, got {most + 1}"):
        cloudwatch.Metric(namespace="Shop", metric_name="Orders", dimensions=dimensions)


def test_a_metric_period_may_be_a_duration(app, stack):
    metric = cloudwatch.Metric(namespace="Shop", metric_name="Orders", period=Duration.minutes(5))
    alarm = cloudwatch.Alarm(stack, "Orders", metric=metric, threshold=1, evaluation_periods=1)

    assert metric.period == 300
    assert _alarm_properties(app, alarm)["Period"] == 300
    with pytest.raises(ConstructError, match="period: 1500 milliseconds is not a whole number of seconds"):
        cloudwatch.Metric(namespace="Shop", metric_name="Orders", period=Duration.millis(1500))


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
