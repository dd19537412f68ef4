"""Tokens in ordinary Python strings: f-strings, `+` and Fn.sub become CloudFormation functions.

A token used as a string turns into a marker; synthesis must find every marker again, so the
written template never holds a Python repr or a "${Token[" marker.
"""

from __future__ import annotations

import json

import pytest

from iac import Aws, CfnResource, Fn, Stack, SynthError, Token
from iac.constructs.core import is_token
from iac.synth import synthesize, to_yaml

QUEUE = "AWS::SQS::Queue"


@pytest.fixture
def queue(stack):
    return CfnResource(stack, "Queue", type=QUEUE)


def value_of(app, name="Thing", key="Value", stack="Main"):
    return synthesize(app).template(stack)["Resources"][name]["Properties"][key]


def assert_no_marker_or_repr(app):
    for artifact in synthesize(app).stacks:
        for text in (artifact.body, to_yaml(artifact.template)):
            assert "${Token[" not in text
            assert "<Ref" not in text and "<GetAtt" not in text and "object at 0x" not in text


# -- f-strings -------------------------------------------------------------------------------


def test_an_f_string_with_tokens_becomes_fn_join(stack, app, queue, echo):
    echo(stack, "Thing", Value=f"alerts-{Aws.REGION}-{queue.get_att('QueueName')}")

    assert value_of(app) == {
        "Fn::Join": ["", ["alerts-", {"Ref": "AWS::Region"}, "-", {"Fn::GetAtt": ["Queue", "QueueName"]}]]
    }
    assert_no_marker_or_repr(app)


def test_an_f_string_holding_only_a_token_is_that_token(stack, app, queue, echo):
    echo(stack, "Thing", Value=f"{queue.ref}")

    assert value_of(app) == {"Ref": "Queue"}


def test_adjacent_tokens_are_separate_join_parts(stack, app, queue, echo):
    echo(stack, "Thing", Value=f"{Aws.REGION}{Aws.ACCOUNT_ID}")

    assert value_of(app) == {"Fn::Join": ["", [{"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}]]}


def test_a_string_with_tokens_nested_deep_in_properties_is_resolved(stack, app, queue, echo):
    echo(stack, "Thing", Value={"List": [{"Name": f"q-{queue.ref}"}]})

    assert value_of(app) == {"List": [{"Name": {"Fn::Join": ["", ["q-", {"Ref": "Queue"}]]}}]}
    assert_no_marker_or_repr(app)


def test_an_intrinsic_inside_an_f_string_is_resolved(stack, app, echo):
    echo(stack, "Thing", Value=f"az-{Fn.select(0, Fn.get_azs())}")

    assert value_of(app) == {"Fn::Join": ["", ["az-", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]}


def test_a_string_built_from_joined_strings_is_flattened_into_one_join(stack, app, queue, echo):
    inner = f"{Aws.REGION}-{queue.ref}"
    echo(stack, "Thing", Value=f"prefix-{inner}-suffix")

    assert value_of(app) == {
        "Fn::Join": ["", ["prefix-", {"Ref": "AWS::Region"}, "-", {"Ref": "Queue"}, "-suffix"]]
    }


def test_str_of_a_token_is_a_marker_that_synthesis_resolves(stack, app, queue, echo):
    echo(stack, "Thing", Value=str(queue.ref))

    assert str(queue.ref).startswith("${Token[")
    assert value_of(app) == {"Ref": "Queue"}


def test_format_of_a_token_is_a_marker_too(stack, app, queue, echo):
    echo(stack, "Thing", Value=f"url={queue.ref}")

    assert value_of(app) == {"Fn::Join": ["", ["url=", {"Ref": "Queue"}]]}


def test_a_marker_in_a_template_key_is_refused(stack, app, queue, echo):
    echo(stack, "Thing", Value={f"key-{queue.ref}": 1})

    with pytest.raises(SynthError, match="cannot be used as a key"):
        synthesize(app)


# -- concatenation ---------------------------------------------------------------------------


def test_string_plus_token_becomes_fn_join(stack, app, queue, echo):
    echo(stack, "Thing", Value="arn-" + queue.get_att("Arn"))

    assert value_of(app) == {"Fn::Join": ["", ["arn-", {"Fn::GetAtt": ["Queue", "Arn"]}]]}


def test_token_plus_string_becomes_fn_join(stack, app, queue, echo):
    echo(stack, "Thing", Value=queue.ref + "/path")

    assert value_of(app) == {"Fn::Join": ["", [{"Ref": "Queue"}, "/path"]]}


def test_a_token_plus_a_number_is_a_type_error(queue):
    with pytest.raises(TypeError):
        _ = queue.ref + 1


def test_a_token_cannot_be_iterated(queue):
    with pytest.raises(TypeError, match="only known at deploy time .* use Fn.select"):
        list(Fn.split(",", queue.ref))


def test_is_token_recognises_tokens_and_strings_holding_them(queue):
    assert is_token(queue.ref)
    assert is_token(f"x-{queue.ref}")
    assert not is_token("plain")
    assert isinstance(Aws.REGION, Token)


# -- Fn.sub ----------------------------------------------------------------------------------


def test_fn_sub_writes_refs_in_its_template_as_dollar_name(stack, app, queue, echo):
    echo(stack, "Thing", Value=Fn.sub(f"https://{queue.ref}/{Aws.REGION}"))

    assert value_of(app) == {"Fn::Sub": "https://${Queue}/${AWS::Region}"}


def test_fn_sub_writes_get_att_in_its_template_as_dollar_name_dot_attribute(stack, app, queue, echo):
    echo(stack, "Thing", Value=Fn.sub(f"arn={queue.get_att('Arn')}"))

    assert value_of(app) == {"Fn::Sub": "arn=${Queue.Arn}"}


def test_fn_sub_turns_other_tokens_into_variables(stack, app, echo):
    echo(stack, "Thing", Value=Fn.sub(f"az={Fn.select(0, Fn.get_azs())}"))

    assert value_of(app) == {"Fn::Sub": ["az=${Token1}", {"Token1": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}]}


def test_fn_sub_keeps_the_users_variables_and_avoids_their_names(stack, app, echo):
    echo(stack, "Thing", Value=Fn.sub(f"${{Token1}}-{Fn.import_value('x')}", {"Token1": "mine"}))

    assert value_of(app) == {
        "Fn::Sub": ["${Token1}-${Token2}", {"Token1": "mine", "Token2": {"Fn::ImportValue": "x"}}]
    }


def test_fn_sub_variables_may_hold_tokens(stack, app, queue, echo):
    echo(stack, "Thing", Value=Fn.sub("${Url}", {"Url": queue.ref}))

    assert value_of(app) == {"Fn::Sub": ["${Url}", {"Url": {"Ref": "Queue"}}]}


def test_fn_sub_keeps_literal_dollar_expressions(stack, app, echo):
    echo(stack, "Thing", Value=Fn.sub("${!Literal} ${AWS::StackName}"))

    assert value_of(app) == {"Fn::Sub": "${!Literal} ${AWS::StackName}"}


def test_a_cross_stack_token_in_fn_sub_becomes_an_imported_variable(app, echo):
    producer = Stack(app, "Producer")
    queue = CfnResource(producer, "Queue", type=QUEUE)
    echo(Stack(app, "Main"), "Thing", Value=Fn.sub(f"url={queue.ref}"))

    assert value_of(app) == {
        "Fn::Sub": ["url=${Token1}", {"Token1": {"Fn::ImportValue": "Producer:ExportsOutputRefQueue"}}]
    }


# -- nothing of Python leaks into the template -------------------------------------------------


def test_the_serialized_template_has_no_marker_and_no_python_repr(stack, app, queue, echo):
    echo(
        stack, "Thing",
        A=f"{queue.ref}",
        B=f"x{queue.get_att('Arn')}y",
        C=["a" + Aws.REGION, Aws.URL_SUFFIX + "b"],
        D=Fn.sub(f"{queue.ref}-{Fn.base64('z')}"),
        E={"F": f"{Fn.join(',', [queue.ref, 'k'])}"},
    )

    assembly = synthesize(app)
    text = assembly.stack("Main").body + to_yaml(assembly.template("Main"))

    assert "${Token[" not in text
    assert "<Ref" not in text and "<GetAtt" not in text and "Intrinsic" not in text
    assert json.loads(assembly.stack("Main").body) == assembly.template("Main")


def test_an_app_is_freed_once_nothing_holds_it_even_after_its_tokens_became_strings():
    import gc
    import weakref

    from iac import App, CfnResource, Fn, Stack
    from iac.synth import synthesize

    def build() -> weakref.ref:
        app = App()
        stack = Stack(app, "S")
        queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
        CfnResource(stack, "Topic", type="AWS::SNS::Topic",
                    properties={"DisplayName": f"{queue.get_att('QueueName')}-{Fn.select(0, Fn.get_azs())}"})
        synthesize(app)
        return weakref.ref(app)

    apps = [build() for _ in range(3)]
    gc.collect()
    assert all(app() is None for app in apps)
