"""`iac tree` and `iac ls --long`: the construct tree and the stacks' resources, as the samples show them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pseudo_terminal import run_on_terminal

from iac import App, CfnResource, Construct, Output, Stack
from iac.cli.inspect_commands import render_tree
from iac.constructs import dynamodb
from iac.synth.tree import construct_label, construct_tree

REPO = Path(__file__).resolve().parents[2]
SERVERLESS_APP = REPO / "samples" / "serverless_api" / "app.py"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

NESTED_APP = """
    from iac import App, CfnResource, Construct, Stack

    class Mailbox(Construct):
        def __init__(self, scope, id):
            super().__init__(scope, id)
            CfnResource(self, "Queue", type="AWS::SQS::Queue")

    app = App()
    prod = Construct(app, "Prod")
    Mailbox(Stack(prod, "Mail", region="eu-west-1", account="123456789012", stack_name="mail-prod"), "Inbox")
    CfnResource(Stack(app, "Other"), "Topic", type="AWS::SNS::Topic")
"""


def on_terminal(cwd: Path, *args: str, no_color: bool = False) -> str:
    """Run the real `iac` with stdout on a pseudo-terminal; return what it printed there."""
    status, shown = run_on_terminal(cwd, *args, streams=("stdout",), env={"NO_COLOR": "1"} if no_color else None)
    assert status == 0
    return shown


# -- iac tree ---------------------------------------------------------------------------------------------


def test_tree_of_the_hello_sample(invoke, hello_app):
    result = invoke("tree", "--app", hello_app)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Network       Stack (2 resources)",
        "├── Queue     AWS::SQS::Queue         Queue",
        "├── Topic     AWS::SNS::Topic         Topic",
        "└── QueueUrl  Output                  QueueUrl",
        "Service       Stack (1 resource)",
        "└── Sub       AWS::SNS::Subscription  Sub",
    ]


def test_tree_of_the_serverless_sample_shows_every_resource_of_its_template(invoke, tmp_path):
    result = invoke("tree", "--app", SERVERLESS_APP)
    assert result.exit_code == 0, result.output
    synth = invoke("synth", "--app", SERVERLESS_APP, "--out", tmp_path / "out", "--no-lint")
    assert synth.exit_code == 0, synth.output
    template = json.loads((tmp_path / "out" / "ServerlessApi.template.json").read_text())
    lines = result.stdout.splitlines()
    for logical_id, entry in template["Resources"].items():
        assert any(re.search(rf"  {re.escape(entry['Type'])} +{logical_id}$", line) for line in lines), logical_id
    assert lines[0] == "ServerlessApi                                   Stack (14 resources)"
    assert lines[1].split() == ["├──", "MyTable", "dynamodb.SimpleTable"]
    assert lines[2].split() == ["│", "└──", "Resource", "AWS::DynamoDB::Table", "MyTable794EDED1"]
    assert any(re.fullmatch(r"│   ├── Code +Asset asset\.[0-9a-f]{12}…", line) for line in lines)
    assert ["│", "└──", "Endpoint", "Output", "ApiEndpoint"] in [line.split() for line in lines]
    assert lines[-1].split()[:3] == ["└──", "Account", "AWS::ApiGateway::Account"]  # the account's log role


def test_tree_shows_nested_constructs_own_classes_and_stacks_below_plain_constructs(invoke, write_app):
    write_app(NESTED_APP)
    result = invoke("tree")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Prod",
        "└── Mail           Stack (1 resource)",
        "    └── Inbox      Mailbox",
        "        └── Queue  AWS::SQS::Queue     InboxQueue00CDE639",
        "Other              Stack (1 resource)",
        "└── Topic          AWS::SNS::Topic     Topic",
    ]


def test_tree_selects_stacks_by_name_or_glob(invoke, write_app):
    write_app(NESTED_APP)
    assert invoke("tree", "Other").stdout.splitlines()[0].startswith("Other")
    selected = invoke("tree", "Prod-*").stdout
    assert "Mail" in selected and "Other" not in selected
    assert "Mail" in invoke("tree", "mail-prod").stdout  # the CloudFormation stack name works too


def test_tree_of_an_unknown_stack_is_a_usage_error(invoke, hello_app):
    result = invoke("tree", "Nope", "--app", hello_app)
    assert result.exit_code == 2
    assert "error: no stack matches 'Nope' (stacks: Network, Service)" in result.stderr


def test_tree_locations_point_at_the_users_lines(invoke, hello_app):
    lines = invoke("tree", "--locations", "--app", hello_app).stdout.splitlines()
    assert re.search(r"^├── Queue +AWS::SQS::Queue +Queue +\S*samples/hello/app\.py:13$", lines[1])
    assert re.search(r"^Network +Stack \(2 resources\) +\S*samples/hello/app\.py:12$", lines[0])


def test_tree_is_coloured_on_a_terminal_unless_no_color(tmp_path, hello_app):
    coloured = on_terminal(tmp_path, "tree", "--app", str(hello_app))
    plain = on_terminal(tmp_path, "tree", "--app", str(hello_app), no_color=True)
    assert ANSI.search(coloured)
    assert not ANSI.search(plain)
    assert ANSI.sub("", coloured) == plain
    assert "└── Sub" in plain


def test_render_tree_paints_only_when_asked():
    app = App()
    CfnResource(Stack(app, "S"), "Queue", type="AWS::SQS::Queue")
    trees = construct_tree(app)
    assert not ANSI.search(render_tree(trees))
    assert ANSI.sub("", render_tree(trees, color=True)) == render_tree(trees)


def test_construct_labels_name_the_service_module_of_iac_constructs():
    class Mine(Construct):
        pass

    assert construct_label(dynamodb.Table) == "dynamodb.Table"
    assert construct_label(Stack) == "Stack"
    assert construct_label(Output) == "Output"
    assert construct_label(Mine) == "Mine"


# -- iac ls ---------------------------------------------------------------------------------------------


def test_ls_long_of_the_hello_sample(invoke, hello_app):
    result = invoke("ls", "--long", "--app", hello_app)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Network  2 resources\n"
        "  Queue  AWS::SQS::Queue  Network/Queue\n"
        "  Topic  AWS::SNS::Topic  Network/Topic\n"
        "\n"
        "Service  1 resource, depends on Network\n"
        "  Sub  AWS::SNS::Subscription  Service/Sub\n"
    )


def test_ls_long_of_the_serverless_sample_lists_each_resource_with_its_construct(invoke):
    result = invoke("ls", "-l", "--app", SERVERLESS_APP)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ServerlessApi  14 resources"
    rows = [line.split() for line in lines[1:]]
    assert len(rows) == 14
    assert ["MyTable794EDED1", "AWS::DynamoDB::Table", "ServerlessApi/MyTable/Resource"] in rows
    assert ["GetFunctionC96F89C4", "AWS::Lambda::Function", "ServerlessApi/GetFunction/Resource"] in rows


def test_ls_long_shows_stack_name_environment_and_selection(invoke, write_app):
    write_app(NESTED_APP)
    result = invoke("ls", "-l", "Prod-Mail")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Prod-Mail  1 resource, stack name mail-prod, in 123456789012/eu-west-1",
        "  InboxQueue00CDE639  AWS::SQS::Queue  Prod/Mail/Inbox/Queue",
    ]


def test_ls_selects_stacks(invoke, hello_app):
    assert invoke("ls", "Serv*", "--app", hello_app).stdout == "Service\n"
    result = invoke("ls", "Nope", "--app", hello_app)
    assert result.exit_code == 2
    assert "no stack matches 'Nope'" in result.stderr


@pytest.mark.parametrize("command", ["tree", "ls", "init", "synth", "diff", "validate"])
def test_every_command_help_has_examples(invoke, command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"iac {command}" in result.stdout.split("Examples:")[1]
