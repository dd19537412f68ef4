"""CfnResource: any resource type, its properties and every attribute CloudFormation allows beside them."""

from __future__ import annotations

import pytest

from iac import CfnResource, Condition, ConstructError, Fn, Parameter

QUEUE = "AWS::SQS::Queue"
GROUP = "AWS::AutoScaling::AutoScalingGroup"


def resources(template_of, app) -> dict:
    return template_of(app)["Resources"]


# -- type and properties ----------------------------------------------------------------------


def test_type_and_properties_are_written_as_given(stack, app, template_of):
    CfnResource(stack, "Queue", type=QUEUE, properties={"VisibilityTimeout": 60, "FifoQueue": True})

    assert resources(template_of, app)["Queue"] == {
        "Type": QUEUE,
        "Properties": {"VisibilityTimeout": 60, "FifoQueue": True},
    }


def test_a_resource_without_properties_has_no_properties_key(stack, app, template_of):
    CfnResource(stack, "Queue", type=QUEUE)

    assert resources(template_of, app)["Queue"] == {"Type": QUEUE}


@pytest.mark.parametrize(
    "type_", ["Custom::MyThing", "Custom::my-thing_2", "AWS::SQS::Queue", "Org::Service::Thing::MODULE"]
)
def test_any_resource_type_of_the_right_shape_is_accepted(stack, type_):
    assert CfnResource(stack, "Thing", type=type_).resource_type == type_


@pytest.mark.parametrize("bad_type", ["SQS::Queue", "AWS::SQS", "aws sqs queue", "", 3])
def test_a_malformed_type_is_refused(stack, bad_type):
    with pytest.raises(ConstructError, match="is not a CloudFormation resource type|type must be str, got int 3"):
        CfnResource(stack, "Thing", type=bad_type)


def test_properties_must_be_a_dict(stack):
    with pytest.raises(ConstructError, match=r"properties must be dict\[str, Any\] \| Token \| None, got list"):
        CfnResource(stack, "Queue", type=QUEUE, properties=[("VisibilityTimeout", 60)])


def test_properties_set_to_none_are_left_out(stack, app, template_of, echo):
    echo(stack, "Thing", Kept=1, Unset=None, Nested={"Kept": "a", "Unset": None})

    properties = resources(template_of, app)["Thing"]["Properties"]

    assert "Unset" not in properties
    assert properties["Nested"] == {"Kept": "a"}


def test_properties_can_be_changed_after_creation(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    queue.properties["DelaySeconds"] = 5

    assert resources(template_of, app)["Queue"]["Properties"] == {"DelaySeconds": 5}


# -- references ------------------------------------------------------------------------------


def test_ref_and_get_att_refer_to_the_resource_by_logical_id(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    CfnResource(stack, "Topic", type="AWS::SNS::Topic",
                properties={"Subscription": [{"Endpoint": queue.get_att("Arn"), "Protocol": "sqs"}],
                            "DisplayName": queue.ref})

    properties = resources(template_of, app)["Topic"]["Properties"]

    assert properties["DisplayName"] == {"Ref": "Queue"}
    assert properties["Subscription"][0]["Endpoint"] == {"Fn::GetAtt": ["Queue", "Arn"]}


def test_get_att_returns_the_same_token_for_the_same_attribute(stack):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    assert queue.get_att("Arn") is queue.get_att("Arn")
    assert queue.get_att("Arn") is not queue.get_att("QueueName")


@pytest.mark.parametrize("bad_name", ["", None, 3])
def test_get_att_needs_an_attribute_name(stack, bad_name):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    with pytest.raises(ConstructError, match="get_att needs an attribute name"):
        queue.get_att(bad_name)


# -- DependsOn -------------------------------------------------------------------------------


def test_depends_on_a_resource_writes_its_logical_id(stack, app, template_of):
    first = CfnResource(stack, "First", type=QUEUE)
    CfnResource(stack, "Second", type=QUEUE, depends_on=[first])

    assert resources(template_of, app)["Second"]["DependsOn"] == ["First"]


def test_depends_on_accepts_a_logical_id_string(stack, app, template_of):
    CfnResource(stack, "First", type=QUEUE)
    CfnResource(stack, "Second", type=QUEUE, depends_on=["First"])

    assert resources(template_of, app)["Second"]["DependsOn"] == ["First"]


def test_depends_on_a_single_logical_id_string_is_one_dependency(stack, app, template_of):
    CfnResource(stack, "First", type=QUEUE)
    CfnResource(stack, "Second", type=QUEUE, depends_on="First")

    assert resources(template_of, app)["Second"]["DependsOn"] == ["First"]


def test_depends_on_a_single_resource_is_one_dependency(stack, app, template_of):
    first = CfnResource(stack, "First", type=QUEUE)
    CfnResource(stack, "Second", type=QUEUE, depends_on=first)

    assert resources(template_of, app)["Second"]["DependsOn"] == ["First"]


def test_add_depends_on_keeps_order_and_ignores_repeats(stack, app, template_of):
    a = CfnResource(stack, "A", type=QUEUE)
    b = CfnResource(stack, "B", type=QUEUE)
    c = CfnResource(stack, "C", type=QUEUE)
    c.add_depends_on(b, a)
    c.add_depends_on(b)

    assert c.depends_on == [b, a]
    assert resources(template_of, app)["C"]["DependsOn"] == ["B", "A"]


def test_a_resource_cannot_depend_on_itself(stack):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    with pytest.raises(ConstructError, match="cannot depend on itself"):
        queue.add_depends_on(queue)


def test_depends_on_takes_only_resources_or_logical_ids(stack):
    parameter = Parameter(stack, "Size")

    with pytest.raises(ConstructError, match="depends_on must be .*; item 0 is Parameter"):
        CfnResource(stack, "Queue", type=QUEUE, depends_on=[parameter])


# -- DeletionPolicy and UpdateReplacePolicy ----------------------------------------------------


@pytest.mark.parametrize("policy", ["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"])
def test_every_deletion_policy_is_written(stack, app, template_of, policy):
    CfnResource(stack, "Volume", type="AWS::EC2::Volume",
                properties={"AvailabilityZone": "eu-west-1a", "Size": 10}, deletion_policy=policy)

    assert resources(template_of, app)["Volume"]["DeletionPolicy"] == policy


@pytest.mark.parametrize("policy", ["Delete", "Retain", "Snapshot"])
def test_every_update_replace_policy_is_written(stack, app, template_of, policy):
    CfnResource(stack, "Volume", type="AWS::EC2::Volume",
                properties={"AvailabilityZone": "eu-west-1a", "Size": 10}, update_replace_policy=policy)

    assert resources(template_of, app)["Volume"]["UpdateReplacePolicy"] == policy


@pytest.mark.parametrize("policy", ["Keep", "retain", "", "RetainExceptOnCreate"])
def test_an_unknown_update_replace_policy_is_a_construct_error(stack, policy):
    with pytest.raises(ConstructError, match="update_replace_policy must be one of Delete, Retain, Snapshot"):
        CfnResource(stack, "Queue", type=QUEUE, update_replace_policy=policy)


@pytest.mark.parametrize("policy", ["Keep", "retain", ""])
def test_an_unknown_deletion_policy_is_a_construct_error_at_the_users_line(stack, policy):
    with pytest.raises(ConstructError, match="deletion_policy must be one of") as caught:
        CfnResource(stack, "Queue", type=QUEUE, deletion_policy=policy)

    assert caught.value.path == "Main/Queue"
    assert caught.value.location.file == __file__


# -- other resource attributes ----------------------------------------------------------------


def test_update_and_creation_policies_are_written(stack, app, template_of):
    CfnResource(
        stack, "Group", type=GROUP,
        properties={"MinSize": "1", "MaxSize": "2", "AvailabilityZones": ["eu-west-1a"]},
        update_policy={"AutoScalingRollingUpdate": {"MaxBatchSize": 1}},
        creation_policy={"ResourceSignal": {"Count": 1, "Timeout": "PT5M"}},
    )

    entry = resources(template_of, app)["Group"]

    assert entry["UpdatePolicy"] == {"AutoScalingRollingUpdate": {"MaxBatchSize": 1}}
    assert entry["CreationPolicy"] == {"ResourceSignal": {"Count": 1, "Timeout": "PT5M"}}


def test_update_policy_must_be_a_dict(stack):
    with pytest.raises(ConstructError, match=r"update_policy must be dict\[str, Any\] \| Token \| None, got str"):
        CfnResource(stack, "Group", type=GROUP, update_policy="rolling")


def test_condition_object_is_written_by_its_logical_id(stack, app, template_of):
    is_prod = Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    CfnResource(stack, "Queue", type=QUEUE, condition=is_prod)

    assert resources(template_of, app)["Queue"]["Condition"] == "IsProd"


def test_condition_may_be_given_as_a_name(stack, app, template_of):
    Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    CfnResource(stack, "Queue", type=QUEUE, condition="IsProd")

    assert resources(template_of, app)["Queue"]["Condition"] == "IsProd"


def test_metadata_from_options_and_add_metadata_is_written(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE, metadata={"Owner": "core"})
    queue.add_metadata("Reviewed", True)

    assert resources(template_of, app)["Queue"]["Metadata"] == {"Owner": "core", "Reviewed": True}


def test_attributes_are_written_in_a_fixed_order(stack, app, template_of):
    first = CfnResource(stack, "First", type=QUEUE)
    Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": 1}, depends_on=[first],
                condition="IsProd", deletion_policy="Retain", update_replace_policy="Retain",
                metadata={"A": 1})

    assert list(resources(template_of, app)["Queue"]) == [
        "Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata",
    ]


# -- overrides -------------------------------------------------------------------------------


def test_add_override_creates_the_intermediate_objects(stack, app, template_of, echo):
    thing = echo(stack, "Thing")
    thing.add_override("Properties.A.B", 1)

    assert resources(template_of, app)["Thing"]["Properties"]["A"] == {"B": 1}


def test_add_override_merges_into_existing_objects_and_wins(stack, app, template_of, echo):
    thing = echo(stack, "Thing", A={"Keep": 1, "B": "old"})
    thing.add_override("Properties.A.B", "new")

    assert resources(template_of, app)["Thing"]["Properties"]["A"] == {"Keep": 1, "B": "new"}


def test_add_override_replaces_a_non_object_on_the_way(stack, app, template_of, echo):
    thing = echo(stack, "Thing", A="scalar")
    thing.add_override("Properties.A.B", 1)

    assert resources(template_of, app)["Thing"]["Properties"]["A"] == {"B": 1}


def test_an_escaped_dot_is_part_of_the_key(stack, app, template_of, echo):
    thing = echo(stack, "Thing")
    thing.add_override(r"Properties.Labels.app\.kubernetes\.io/name.Value", "web")

    assert resources(template_of, app)["Thing"]["Properties"]["Labels"] == {
        "app.kubernetes.io/name": {"Value": "web"}
    }


def test_add_override_reaches_attributes_outside_properties(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    queue.add_override("DeletionPolicy", "Retain")

    assert resources(template_of, app)["Queue"]["DeletionPolicy"] == "Retain"


def test_add_property_override_is_add_override_below_properties(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    queue.add_property_override("RedrivePolicy.maxReceiveCount", 3)

    assert resources(template_of, app)["Queue"]["Properties"] == {"RedrivePolicy": {"maxReceiveCount": 3}}


def test_add_deletion_override_removes_a_key(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": 1, "VisibilityTimeout": 60},
                        deletion_policy="Retain")
    queue.add_deletion_override("Properties.DelaySeconds")
    queue.add_deletion_override("DeletionPolicy")

    assert resources(template_of, app)["Queue"] == {"Type": QUEUE, "Properties": {"VisibilityTimeout": 60}}


def test_add_property_deletion_override_removes_a_nested_property(stack, app, template_of, echo):
    thing = echo(stack, "Thing", A={"B": 1, "C": 2})
    thing.add_property_deletion_override("A.B")

    assert resources(template_of, app)["Thing"]["Properties"]["A"] == {"C": 2}


def test_deleting_a_path_that_does_not_exist_changes_nothing(stack, app, template_of):
    queue = CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": 1})
    queue.add_deletion_override("Properties.Missing.Deeper")

    assert resources(template_of, app)["Queue"] == {"Type": QUEUE, "Properties": {"DelaySeconds": 1}}


def test_overrides_apply_in_the_order_they_were_added(stack, app, template_of, echo):
    thing = echo(stack, "Thing")
    thing.add_override("Properties.A", 1)
    thing.add_deletion_override("Properties.A")
    thing.add_override("Properties.B", 2)

    properties = resources(template_of, app)["Thing"]["Properties"]

    assert "A" not in properties and properties["B"] == 2


def test_overrides_leave_the_resources_own_properties_untouched(stack, echo):
    thing = echo(stack, "Thing", A={"B": 1})
    thing.add_override("Properties.A.B", 2)

    assert thing.render()["Properties"]["A"] == {"B": 2}
    assert thing.properties["A"] == {"B": 1}


def test_overrides_may_hold_tokens(stack, app, template_of, echo):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    thing = echo(stack, "Thing", Arn=queue.get_att("Arn"))
    thing.add_override("Properties.Nested.Url", queue.ref)

    properties = resources(template_of, app)["Thing"]["Properties"]

    assert properties["Arn"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert properties["Nested"] == {"Url": {"Ref": "Queue"}}


@pytest.mark.parametrize("bad_path", ["", "Properties..A", "Properties.", ".Properties"])
def test_an_override_path_with_an_empty_component_is_refused(stack, bad_path):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    with pytest.raises(ConstructError, match="override path"):
        queue.add_override(bad_path, 1)
