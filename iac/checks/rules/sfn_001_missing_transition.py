from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import is_true
from iac.checks._workflow import READS, TERMINAL, TYPES, definition, machines, transitions


def check(resource: TemplateResource) -> Iterator[Finding]:
    top, prop = definition(resource)
    if top is None:
        return
    for machine, where in machines(top):
        states = machine.get("States")
        if not isinstance(states, dict):
            continue
        if machine.get("StartAt") not in states:
            yield resource.finding(f"{where}StartAt {machine.get('StartAt')!r} names no state", prop)
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            for what, target in transitions(state):
                if target not in states:
                    yield resource.finding(f"{where}state {name!r}: {what} {target!r} names no state", prop)
            kind = state.get("Type")
            if kind not in TERMINAL and kind != "Choice" and "Next" not in state and not is_true(state.get("End")):
                yield resource.finding(f"{where}state {name!r} has neither Next nor End: true", prop)


RULE = Rule(
    id="IAC-SFN-001",
    severity="error",
    pack="workflow",
    description="A Step Functions state goes to a state that does not exist, or nowhere",
    why="Step Functions refuses the definition (MISSING_TRANSITION_TARGET) when the stack is deployed, after "
        "everything before the state machine was created.",
    fix="Name an existing state in StartAt, Next, Default and each Choice and Catch, and end the last state "
        "with End: true (or a Succeed or Fail state).",
    url="https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html",
    resource_types=TYPES,
    check=check,
    reads=READS,
)
