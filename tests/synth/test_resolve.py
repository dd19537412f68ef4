"""Cross-stack references: an Export in the producer, Fn::ImportValue in the consumer, and the
consumer depending on the producer in the manifest. Stacks that need each other are an error."""

from __future__ import annotations

import pytest

from iac import App, CfnResource, Condition, Fn, Mapping, Output, Parameter, Stack, SynthError

QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"


@pytest.fixture
def producer(app):
    return Stack(app, "Producer")


@pytest.fixture
def queue(producer):
    return CfnResource(producer, "Queue", type=QUEUE)


@pytest.fixture
def consumer(app):
    return Stack(app, "Consumer")


def subscribe(consumer, queue, id="Sub"):
    """A resource in `consumer` that refers to `queue` with both a GetAtt and a Ref."""
    return CfnResource(
        consumer, id, type="AWS::SNS::Subscription",
        properties={"Protocol": "sqs", "Endpoint": queue.get_att("Arn"), "TopicArn": queue.ref},
    )


def test_a_reference_to_another_stack_becomes_an_import_in_the_consumer(queue, consumer, app, assembly_of):
    subscribe(consumer, queue)

    properties = assembly_of(app).template("Consumer")["Resources"]["Sub"]["Properties"]

    assert properties["Endpoint"] == {"Fn::ImportValue": "Producer:ExportsOutputFnGetAttQueueArn"}
    assert properties["TopicArn"] == {"Fn::ImportValue": "Producer:ExportsOutputRefQueue"}


def test_the_producer_exports_each_referenced_value(queue, consumer, app, assembly_of):
    subscribe(consumer, queue)

    outputs = assembly_of(app).template("Producer")["Outputs"]

    assert outputs == {
        "ExportsOutputFnGetAttQueueArn": {
            "Value": {"Fn::GetAtt": ["Queue", "Arn"]},
            "Export": {"Name": "Producer:ExportsOutputFnGetAttQueueArn"},
        },
        "ExportsOutputRefQueue": {
            "Value": {"Ref": "Queue"},
            "Export": {"Name": "Producer:ExportsOutputRefQueue"},
        },
    }


def test_a_value_referenced_many_times_is_exported_once(queue, consumer, app, assembly_of):
    subscribe(consumer, queue, "One")
    subscribe(consumer, queue, "Two")

    assert len(assembly_of(app).template("Producer")["Outputs"]) == 2


def test_exports_are_added_after_the_producers_own_outputs(producer, queue, consumer, app, assembly_of):
    Output(producer, "Url", value=queue.ref)
    subscribe(consumer, queue)

    assert list(assembly_of(app).template("Producer")["Outputs"]) == [
        "Url", "ExportsOutputFnGetAttQueueArn", "ExportsOutputRefQueue",
    ]


def test_export_names_use_the_producers_stack_name(app, consumer, assembly_of):
    producer = Stack(app, "Producer", stack_name="prod-producer")
    queue = CfnResource(producer, "Queue", type=QUEUE)
    subscribe(consumer, queue)

    endpoint = assembly_of(app).template("Consumer")["Resources"]["Sub"]["Properties"]["Endpoint"]

    assert endpoint == {"Fn::ImportValue": "prod-producer:ExportsOutputFnGetAttQueueArn"}


def test_the_consumer_depends_on_the_producer_in_the_manifest(queue, consumer, app, assembly_of):
    subscribe(consumer, queue)

    stacks = assembly_of(app).manifest()["stacks"]

    assert stacks["Consumer"]["dependencies"] == ["Producer"]
    assert stacks["Producer"]["dependencies"] == []


def test_a_reference_inside_an_f_string_crosses_stacks_too(queue, consumer, app, assembly_of):
    CfnResource(consumer, "Topic", type=TOPIC, properties={"DisplayName": f"for-{queue.get_att('QueueName')}"})

    display_name = assembly_of(app).template("Consumer")["Resources"]["Topic"]["Properties"]["DisplayName"]

    assert display_name == {
        "Fn::Join": ["", ["for-", {"Fn::ImportValue": "Producer:ExportsOutputFnGetAttQueueQueueName"}]]
    }


def test_an_output_of_the_consumer_can_refer_to_the_producer(queue, consumer, app, assembly_of):
    CfnResource(consumer, "Topic", type=TOPIC)
    Output(consumer, "ProducerQueue", value=queue.ref)

    assembly = assembly_of(app)

    assert assembly.template("Consumer")["Outputs"]["ProducerQueue"] == {
        "Value": {"Fn::ImportValue": "Producer:ExportsOutputRefQueue"}
    }
    assert assembly.stack("Consumer").dependencies == ("Producer",)


def test_a_parameter_of_another_stack_is_exported_like_a_resource(producer, queue, consumer, app, assembly_of):
    delay = Parameter(producer, "Delay", type="Number", default=1)
    CfnResource(consumer, "Queue", type=QUEUE, properties={"DelaySeconds": delay.value})

    assembly = assembly_of(app)

    assert assembly.template("Producer")["Outputs"]["ExportsOutputRefDelay"]["Value"] == {"Ref": "Delay"}
    assert assembly.template("Consumer")["Resources"]["Queue"]["Properties"]["DelaySeconds"] == {
        "Fn::ImportValue": "Producer:ExportsOutputRefDelay"
    }


def test_depends_on_a_resource_of_another_stack_becomes_a_stack_dependency(queue, consumer, app, assembly_of):
    CfnResource(consumer, "Topic", type=TOPIC, depends_on=[queue])

    assembly = assembly_of(app)

    assert assembly.template("Consumer")["Resources"]["Topic"] == {"Type": TOPIC}
    assert assembly.manifest()["stacks"]["Consumer"]["dependencies"] == ["Producer"]
    assert "Outputs" not in assembly.template("Producer")


def test_stacks_are_listed_dependencies_first(app, assembly_of):
    last = Stack(app, "Last")
    middle = Stack(app, "Middle")
    first = Stack(app, "First")
    queue = CfnResource(first, "Queue", type=QUEUE)
    topic = CfnResource(middle, "Topic", type=TOPIC, properties={"DisplayName": queue.get_att("QueueName")})
    CfnResource(last, "Other", type=TOPIC, properties={"DisplayName": topic.get_att("TopicName")})

    assembly = assembly_of(app)

    assert [artifact.name for artifact in assembly.stacks] == ["First", "Middle", "Last"]
    assert list(assembly.manifest()["stacks"]) == ["First", "Middle", "Last"]


def test_independent_stacks_keep_their_creation_order(app, assembly_of):
    for name in ("Zeta", "Alpha", "Mid"):
        CfnResource(Stack(app, name), "Queue", type=QUEUE)

    assert [artifact.name for artifact in assembly_of(app).stacks] == ["Zeta", "Alpha", "Mid"]


def test_stacks_that_refer_to_each_other_are_an_error_naming_both(app, assembly_of):
    one, two = Stack(app, "One"), Stack(app, "Two")
    a = CfnResource(one, "A", type=TOPIC)
    b = CfnResource(two, "B", type=TOPIC, properties={"DisplayName": a.get_att("TopicName")})
    a.properties["DisplayName"] = b.get_att("TopicName")

    with pytest.raises(SynthError) as caught:
        assembly_of(app)

    message = caught.value.message
    assert "stacks depend on each other: One -> Two -> One" in message
    assert "One/A refers to Two/B" in message
    assert "Two/B refers to One/A" in message


def test_a_cycle_through_three_stacks_names_every_stack(app, assembly_of):
    stacks = [Stack(app, name) for name in ("One", "Two", "Three")]
    topics = [CfnResource(stack, "Topic", type=TOPIC) for stack in stacks]
    for topic, target in zip(topics, topics[1:] + topics[:1], strict=True):
        topic.properties["DisplayName"] = target.get_att("TopicName")

    with pytest.raises(SynthError, match="stacks depend on each other: One -> Two -> Three -> One"):
        assembly_of(app)


def test_mutual_depends_on_between_stacks_is_an_error_too(app, assembly_of):
    a = CfnResource(Stack(app, "One"), "A", type=TOPIC)
    b = CfnResource(Stack(app, "Two"), "B", type=TOPIC, depends_on=[a])
    a.add_depends_on(b)

    with pytest.raises(SynthError, match="One needs Two: One/A depends on Two/B"):
        assembly_of(app)


def test_a_condition_used_in_another_stack_is_an_error(producer, queue, consumer, app, assembly_of):
    is_prod = Condition(producer, "IsProd", expression=Fn.equals(Parameter(producer, "Env").value, "prod"))
    CfnResource(consumer, "Topic", type=TOPIC, properties={"DisplayName": Fn.if_(is_prod, "a", "b")})

    expected = "condition 'Producer/IsProd' is in stack 'Producer'; a condition can only be used inside its own stack"
    with pytest.raises(SynthError, match=expected) as caught:
        assembly_of(app)

    assert caught.value.path == "Consumer/Topic"


def test_a_condition_of_another_stack_as_a_resource_condition_is_an_error(producer, queue, consumer, app, assembly_of):
    is_prod = Condition(producer, "IsProd", expression=Fn.equals(Parameter(producer, "Env").value, "prod"))
    CfnResource(consumer, "Topic", type=TOPIC, condition=is_prod)

    with pytest.raises(SynthError, match="condition 'Producer/IsProd' is in stack 'Producer', not in 'Consumer'"):
        assembly_of(app)


def test_a_mapping_used_in_another_stack_is_an_error(producer, queue, consumer, app, assembly_of):
    names = Mapping(producer, "Names", mapping={"prod": {"Topic": "alerts"}})
    CfnResource(consumer, "Topic", type=TOPIC, properties={"DisplayName": names.find_in_map("prod", "Topic")})

    expected = "mapping 'Producer/Names' is in stack 'Producer'; a mapping can only be used inside its own stack"
    with pytest.raises(SynthError, match=expected):
        assembly_of(app)


def test_a_resource_of_another_app_cannot_be_referenced(app, consumer, assembly_of):
    other_queue = CfnResource(Stack(App(), "Elsewhere"), "Queue", type=QUEUE)
    CfnResource(consumer, "Topic", type=TOPIC, properties={"DisplayName": other_queue.ref})

    with pytest.raises(SynthError, match="belongs to another App"):
        assembly_of(app)


def test_a_construct_used_as_a_value_is_an_error_with_a_hint(stack, app, assembly_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    CfnResource(stack, "Topic", type=TOPIC, properties={"DisplayName": queue})

    with pytest.raises(SynthError, match="'Main/Queue' was used as a value") as caught:
        assembly_of(app)

    assert ".ref" in caught.value.hint


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object()], ids=["nan", "inf", "object"])
def test_values_a_template_cannot_hold_are_an_error(stack, app, assembly_of, value):
    CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": value})

    with pytest.raises(SynthError, match="cannot be written to a template") as caught:
        assembly_of(app)

    assert caught.value.path == "Main/Queue"


def test_exports_whose_output_ids_would_collide_are_an_error_not_a_wrong_value(producer, consumer, app, assembly_of):
    table = CfnResource(producer, "Table", type="AWS::DynamoDB::Table")
    stream = CfnResource(producer, "TableStream", type="AWS::Kinesis::Stream")
    CfnResource(consumer, "Topic", type=TOPIC, properties={"DisplayName": table.get_att("StreamArn")})
    CfnResource(consumer, "Other", type=TOPIC, properties={"DisplayName": stream.get_att("Arn")})

    # Both would be ExportsOutputFnGetAttTableStreamArn: the stream's Arn must never import the table's.
    with pytest.raises(SynthError, match="ExportsOutputFnGetAttTableStreamArn") as caught:
        assembly_of(app)

    assert caught.value.path == "Consumer/Other"
