"""Choosing stacks (iac/cli/selection.py) and parameters (iac/cli/parameters.py): one set of rules,
the same through every command that takes STACK: ls, tree, synth, diff (also --template, --from/--to,
--live), deploy and destroy.

The app has three stacks, each with a name of each kind: `Prod-Network` (stack name `prod-network`,
path `Prod/Network`), `Prod-Service` (`prod-service`, `Prod/Service`, depending on the network) and
`Tools`. Deploy and destroy run against the local moto server (tests/local_aws.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from iac.cli.parameters import GivenParameter, parameters_by_stack, parse_parameters
from iac.cli.selection import StackNames, select
from iac.errors import UsageError

Invoke = Callable[..., Result]

APP = """
    from iac import App, CfnResource, Construct, Parameter, Stack

    app = App()
    prod = Construct(app, "Prod")
    network = Stack(prod, "Network", stack_name="prod-network")
    env = Parameter(network, "Env", default="dev")
    queue = CfnResource(network, "Queue", type="AWS::SQS::Queue",
                        properties={"Tags": [{"Key": "env", "Value": env.value}]})
    topic = CfnResource(network, "Topic", type="AWS::SNS::Topic")
    service = Stack(prod, "Service", stack_name="prod-service")
    size = Parameter(service, "Size", default="1")
    CfnResource(service, "Sub", type="AWS::SNS::Subscription",
                properties={"TopicArn": topic.ref, "Protocol": "sqs", "Endpoint": queue.get_att("Arn")})
    CfnResource(service, "Jobs", type="AWS::SQS::Queue", properties={"Tags": [{"Key": "size", "Value": size.value}]})
    tools = Stack(app, "Tools")
    CfnResource(tools, "Bucket", type="AWS::S3::Bucket")
"""

ALL = ["Prod-Network", "Prod-Service", "Tools"]
NO_MATCH = "no stack matches 'prod-netwrk' (stacks: Prod-Network (prod-network), Prod-Service (prod-service), Tools)"


@pytest.fixture
def app(write_app: Callable[..., Path]) -> Path:
    return write_app(APP)


def _usage_error(result: Result, *texts: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in texts:
        assert text in result.output


# -- the rules, on names alone --------------------------------------------------------------------

NAMES = [
    StackNames(name="Prod-Network", stack_name="prod-network", path="Prod/Network"),
    StackNames(name="Prod-Service", stack_name="prod-service", path="Prod/Service"),
    StackNames(name="Cache[blue]", stack_name="Cache-blue", path="Cache[blue]"),
    StackNames(name="Cacheb", stack_name="Cacheb", path="Cacheb"),
]


def _picked(*patterns: str) -> list[str]:
    return [n.name for n in select(NAMES, patterns, names=lambda n: n)]


def test_no_pattern_picks_every_stack_in_order() -> None:
    assert _picked() == [n.name for n in NAMES]


def test_a_pattern_matches_the_assembly_name_or_the_stack_name_exactly() -> None:
    assert _picked("Prod-Network") == _picked("prod-network") == ["Prod-Network"]


def test_an_exact_name_wins_over_the_same_text_read_as_a_glob() -> None:
    assert _picked("Cache[blue]") == ["Cache[blue]"]  # as a glob, [blue] would pick Cacheb
    assert _picked("Cache[b]") == ["Cacheb"]


def test_a_glob_matches_names_case_sensitively() -> None:
    assert _picked("prod-*") == ["Prod-Network", "Prod-Service"]
    assert _picked("*-Service") == ["Prod-Service"]
    with pytest.raises(UsageError):
        _picked("PROD-*")


def test_the_construct_path_matches_exactly_or_as_a_glob() -> None:
    assert _picked("Prod/Service") == ["Prod-Service"]
    assert _picked("Prod/*") == ["Prod-Network", "Prod-Service"]


def test_several_patterns_pick_the_union_in_the_given_order() -> None:
    assert _picked("Cacheb", "prod-service", "Prod-*") == ["Prod-Network", "Prod-Service", "Cacheb"]


def test_a_pattern_that_matches_nothing_lists_the_stacks_and_offers_the_nearest() -> None:
    with pytest.raises(UsageError) as raised:
        _picked("Prod-Network", "prod-netwrk")
    assert raised.value.exit_status == 2
    assert raised.value.message.startswith("no stack matches 'prod-netwrk' (stacks: Prod-Network (prod-network), ")
    assert raised.value.hint is not None and raised.value.hint.startswith("did you mean prod-network?")


def test_a_wrong_case_is_not_a_match_but_the_hint_gives_the_right_one() -> None:
    with pytest.raises(UsageError) as raised:
        _picked("prod/network")
    assert raised.value.hint is not None and raised.value.hint.startswith("did you mean Prod/Network?")


def test_nothing_close_gets_no_guess_and_a_long_list_is_cut() -> None:
    many = [StackNames(name=f"S{i}", stack_name=f"S{i}", path=f"S{i}") for i in range(30)]
    with pytest.raises(UsageError) as raised:
        select(many, ["zzzzzz"], names=lambda n: n)
    assert raised.value.message.endswith("S11 and 18 more)")
    assert raised.value.hint is not None and raised.value.hint.startswith("a stack is named by")


# -- iac ls and iac tree ----------------------------------------------------------------------------

@pytest.mark.parametrize(("patterns", "listed"), [
    (("prod-network",), ["Prod-Network"]),          # stack name, exactly
    (("Prod-Service",), ["Prod-Service"]),          # assembly name
    (("Prod-*",), ["Prod-Network", "Prod-Service"]),  # glob
    (("Prod/Network",), ["Prod-Network"]),          # construct path
    (("Tools", "prod-service", "Prod/Network"), ALL),  # several: in dependency order
    ((), ALL),
])
def test_ls_selects_stacks(invoke: Invoke, app: Path, patterns: tuple[str, ...], listed: list[str]) -> None:
    result = invoke("ls", *patterns)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == listed


def test_ls_of_an_unknown_stack_is_a_usage_error(invoke: Invoke, app: Path) -> None:
    _usage_error(invoke("ls", "prod-netwrk"), NO_MATCH, "did you mean prod-network?")


def test_tree_selects_by_stack_name_path_and_glob(invoke: Invoke, app: Path) -> None:
    assert invoke("tree", "prod-network").stdout.splitlines()[:2] == ["Prod", "└── Network    Stack (2 resources)"]
    assert invoke("tree", "Prod/Service").stdout.splitlines()[1].startswith("└── Service")
    both = invoke("tree", "Prod/*").stdout
    assert "Network" in both and "Service" in both and "Tools" not in both
    assert [line for line in invoke("tree", "Tools", "prod-service").stdout.splitlines()
            if "Stack (" in line][0].lstrip("└─ ").startswith("Service")
    _usage_error(invoke("tree", "prod-netwrk"), NO_MATCH)


# -- iac synth --------------------------------------------------------------------------------------

def _summary_stacks(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [line.split()[0] for line in result.stdout.splitlines()[1:]]


def test_synth_summary_shows_the_selected_stacks(invoke: Invoke, app: Path) -> None:
    assert _summary_stacks(invoke("synth", "--no-lint", "prod-service")) == ["Prod-Service"]
    assert _summary_stacks(invoke("synth", "--no-lint", "Prod/*")) == ["Prod-Network", "Prod-Service"]
    assert _summary_stacks(invoke("synth", "--no-lint", "T*", "Prod/Network")) == ["Prod-Network", "Tools"]


def test_synth_print_takes_any_kind_of_name(invoke: Invoke, app: Path) -> None:
    for pattern in ("prod-network", "Prod-Network", "Prod/Network", "prod-net*"):
        result = invoke("synth", "--no-lint", "--print", pattern)
        assert result.exit_code == 0, result.output
        assert "Queue" in json.loads(result.stdout)["Resources"]


def test_synth_of_an_unknown_stack_writes_nothing(invoke: Invoke, app: Path, tmp_path: Path) -> None:
    _usage_error(invoke("synth", "--no-lint", "prod-netwrk"), NO_MATCH)
    assert not (tmp_path / "iac.out").exists()


# -- iac diff ---------------------------------------------------------------------------------------

@pytest.fixture
def synthesized(invoke: Invoke, app: Path) -> Path:
    assert invoke("synth", "--no-lint", "-q").exit_code == 0
    return app


def _diffed(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return re.findall(r"^Stack (\S+)", result.stdout, re.MULTILINE)


@pytest.mark.parametrize(("patterns", "diffed"), [
    (("prod-network",), ["Prod-Network"]),  # the stack name: what `iac diff` used not to know
    (("Prod/Service",), ["Prod-Service"]),
    (("prod-*",), ["Prod-Network", "Prod-Service"]),
    (("Tools", "Prod-Network"), ["Prod-Network", "Tools"]),
    ((), ALL),
])
def test_diff_selects_stacks(invoke: Invoke, synthesized: Path, patterns: tuple[str, ...],
                             diffed: list[str]) -> None:
    assert _diffed(invoke("diff", *patterns)) == diffed


def test_diff_of_an_unknown_stack_is_a_usage_error(invoke: Invoke, synthesized: Path) -> None:
    _usage_error(invoke("diff", "prod-netwrk"), NO_MATCH, "did you mean prod-network?")


def test_diff_selects_a_removed_stack_by_its_stack_name(invoke: Invoke, synthesized: Path) -> None:
    source = synthesized.read_text()
    synthesized.write_text(source.replace('Stack(prod, "Service", stack_name="prod-service")',
                                          'Stack(prod, "Service2", stack_name="prod-service-2")'))
    result = invoke("diff", "prod-service", "--json")
    assert result.exit_code == 0, result.output
    [stack] = json.loads(result.stdout)["stacks"]
    assert stack["StackName"] == "Prod-Service"
    assert {c["ResourceChange"]["Action"] for c in stack["Changes"]} == {"Remove"}


def test_diff_template_takes_a_path_and_needs_exactly_one_stack(invoke: Invoke, synthesized: Path,
                                                                 tmp_path: Path) -> None:
    baseline = tmp_path / "iac.out" / "Prod-Network.template.json"
    assert _diffed(invoke("diff", "Prod/Network", "--template", baseline)) == ["Prod-Network"]
    _usage_error(invoke("diff", "Prod/*", "--template", baseline), "--template compares one stack; 2 selected")
    _usage_error(invoke("diff", "prod-netwrk", "--template", baseline), NO_MATCH)


def test_diff_from_to_checks_a_stack_pattern_against_the_file(invoke: Invoke, synthesized: Path,
                                                               tmp_path: Path) -> None:
    old = new = tmp_path / "iac.out" / "Tools.template.json"
    assert _diffed(invoke("diff", "--from", old, "--to", new, "Tools")) == ["Tools"]
    _usage_error(invoke("diff", "--from", old, "--to", new, "Network"), "no stack matches 'Network' (stacks: Tools)")


# -- parameters -------------------------------------------------------------------------------------

def test_parameters_parse_with_and_without_a_stack() -> None:
    assert parse_parameters(("Env=prod", "Prod/Network:Url=a=b", "p:q:Size=3")) == [
        GivenParameter(stack=None, name="Env", value="prod"),
        GivenParameter(stack="Prod/Network", name="Url", value="a=b"),
        GivenParameter(stack="p:q", name="Size", value="3"),
    ]
    for bad in ("Env", "=x", ":Env=x", "Net:=x"):
        with pytest.raises(UsageError, match=r"\[STACK:\]NAME=VALUE"):
            parse_parameters((bad,))


TEMPLATES = {"Prod-Network": {"Parameters": {"Env": {}, "Size": {}}}, "Prod-Service": {"Parameters": {"Size": {}}},
             "Cache[blue]": {}, "Cacheb": {}}


def _values(*items: str) -> dict[str, dict[str, str]]:
    return parameters_by_stack(parse_parameters(items), NAMES, names=lambda n: n,
                               template=lambda n: TEMPLATES[n.name], doing="deployed")


def test_a_parameter_without_a_stack_goes_to_every_stack_that_declares_it() -> None:
    assert _values("Size=3", "Env=prod") == {"Prod-Network": {"Size": "3", "Env": "prod"},
                                             "Prod-Service": {"Size": "3"}, "Cache[blue]": {}, "Cacheb": {}}


def test_a_parameter_for_a_stack_wins_whatever_the_order_and_takes_any_name_of_it() -> None:
    for stack in ("prod-service", "Prod-Service", "Prod/Service", "*-service"):
        values = _values(f"{stack}:Size=5", "Size=3")
        assert (values["Prod-Network"], values["Prod-Service"]) == ({"Size": "3"}, {"Size": "5"})
    assert _values("Prod/*:Size=7")["Prod-Network"] == {"Size": "7"}


def test_a_parameter_for_a_stack_not_chosen_or_not_declaring_it_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^--parameters names stack 'Nope', which is not being deployed \(stacks: "):
        _values("Nope:Env=prod")
    with pytest.raises(UsageError, match=r"^parameter 'Env' is not declared by stack Prod-Service$"):
        _values("Prod/Service:Env=prod")
    with pytest.raises(UsageError, match=r"^parameter 'Evn' is not declared by the stacks being deployed$") as raised:
        _values("Evn=prod")
    assert raised.value.hint == "declared: Env, Size"


def _parameter_changes(result: Result) -> dict[str, set[str]]:
    assert result.exit_code == 0, result.output
    return {s["StackName"]: {c["ResourceChange"]["LogicalResourceId"] for c in s["Changes"]}
            for s in json.loads(result.stdout)["stacks"]}


def test_diff_parameters_take_a_stack_as_deploy_does(invoke: Invoke, synthesized: Path) -> None:
    changed = _parameter_changes(invoke("diff", "--json", "-p", "Size=2"))
    assert not changed["Prod-Network"] and changed["Prod-Service"] and not changed["Tools"]
    changed = _parameter_changes(invoke("diff", "--json", "-p", "Prod/Network:Env=prod"))
    assert changed["Prod-Network"] and not changed["Prod-Service"]
    _usage_error(invoke("diff", "Tools", "-p", "Env=prod"),
                 "parameter 'Env' is not declared by the stacks being compared")
    _usage_error(invoke("diff", "Tools", "-p", "prod-network:Env=prod"),
                 "--parameters names stack 'prod-network', which is not being compared (stacks: Tools)")


# -- iac deploy and iac destroy (moto) --------------------------------------------------------------

@pytest.fixture
def aws(invoke: Invoke, moto: str) -> Invoke:
    return lambda *args: invoke(*args, "--endpoint-url", moto)


def _deployed(moto_client: Callable[[str], Any]) -> dict[str, dict[str, str]]:
    """{stack name: {parameter: value}} of every stack moto holds (deleted ones left out)."""
    cfn = moto_client("cloudformation")
    return {
        stack["StackName"]: {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters") or []}
        for stack in cfn.describe_stacks()["Stacks"] if stack["StackStatus"] != "DELETE_COMPLETE"
    }


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_deploy_deploys_only_the_stacks_chosen_by_any_name(aws: Invoke, app: Path,
                                                           moto_client: Callable[[str], Any]) -> None:
    _ok(aws("deploy", "--no-lint", "prod-network", "-p", "Env=prod"))
    assert _deployed(moto_client) == {"prod-network": {"Env": "prod"}}
    result = _ok(aws("deploy", "--no-lint", "Tools", "Prod/Serv*", "-p", "prod-service:Size=2"))
    lines = re.sub(r"\x1b\[[0-9;]*m", "", result.output).splitlines()
    assert lines[-2:] == ["prod-service: deployed", "Tools: deployed"]  # in the assembly's order, not the patterns'
    assert _deployed(moto_client) == {"prod-network": {"Env": "prod"}, "prod-service": {"Size": "2"}, "Tools": {}}


def test_deploy_of_an_unknown_stack_deploys_nothing(aws: Invoke, app: Path,
                                                    moto_client: Callable[[str], Any]) -> None:
    _usage_error(aws("deploy", "--no-lint", "prod-netwrk"), NO_MATCH, "did you mean prod-network?")
    _usage_error(aws("deploy", "--no-lint", "Tools", "-p", "Prod/Network:Env=prod"),
                 "--parameters names stack 'Prod/Network', which is not being deployed (stacks: Tools)")
    assert _deployed(moto_client) == {}


def test_destroy_deletes_only_the_stacks_chosen(aws: Invoke, app: Path, moto_client: Callable[[str], Any]) -> None:
    _ok(aws("deploy", "--no-lint"))
    _usage_error(aws("destroy", "--force", "prod-netwrk"), NO_MATCH)
    _ok(aws("destroy", "--force", "Prod/Service", "Tool*"))
    assert set(_deployed(moto_client)) == {"prod-network"}
    _ok(aws("destroy", "--force", "prod-network"))
    assert _deployed(moto_client) == {}


def test_diff_live_chooses_stacks_and_parameters_by_the_same_rules(aws: Invoke, app: Path) -> None:
    _ok(aws("deploy", "--no-lint"))
    result = _ok(aws("diff", "--live", "--json", "Prod/Network", "-p", "prod-*:Env=prod"))
    [stack] = json.loads(result.stdout)["stacks"]
    assert stack["StackName"] == "prod-network"
    # iac's prediction got the value (moto's change set lists no Queue change, so iac says it predicted one)
    assert "prod-network: iac predicted a change to Queue" in result.stderr
    unchanged = _ok(aws("diff", "--live", "Prod/Network"))
    assert "iac predicted a change to Queue" not in unchanged.stderr
    _usage_error(aws("diff", "--live", "prod-netwrk"), NO_MATCH)
