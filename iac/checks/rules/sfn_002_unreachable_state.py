from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._workflow import READS, TYPES, definition, machines, transitions


def check(resource: TemplateResource) -> Iterator[Finding]:
    top, prop = definition(resource)
    if top is None:
        return
    for machine, where in machines(top):
        states = machine.get("States")
        if not isinstance(states, dict) or machine.get("StartAt") not in states:
            continue  # IAC-SFN-001 says what is wrong
        reached = {machine["StartAt"]}
        waiting = [machine["StartAt"]]
        while waiting:
            state = states.get(waiting.pop())
            for _, target in transitions(state) if isinstance(state, dict) else ():
                if isinstance(target, str) and target in states and target not in reached:
                    reached.add(target)
                    waiting.append(target)
        for name in states:
            if name not in reached:
                yield resource.finding(f"{where}state {name!r} is unreachable from StartAt "
                                       f"{machine['StartAt']!r}", prop)


RULE = Rule(
    id="IAC-SFN-002",
    severity="error",
    pack="workflow",
    description="A Step Functions state cannot be reached from StartAt",
    why="Step Functions refuses a definition with a state no transition leads to, so the deployment fails; "
        "it is usually a Next that names the wrong state.",
    fix="Make a state's Next, a Choice rule or a Catch lead to it, or remove it.",
    url="https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html",
    resource_types=TYPES,
    check=check,
    reads=READS,
)
