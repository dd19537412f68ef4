from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "ReservedConcurrentExecutions" not in resource.properties:
        yield resource.finding("the function has no ReservedConcurrentExecutions: it shares the account's "
                               "concurrency with every other function")


RULE = Rule(
    id="IAC-LAMBDA-001",
    severity="info",
    pack="compute",
    description="A Lambda function has no reserved concurrency",
    why="Without a limit one function (a retry storm, a flood of requests) can take the account's whole "
        "concurrency and throttle every other function, and its bill has no ceiling; with one, it always "
        "keeps what it needs.",
    fix="Set ReservedConcurrentExecutions to what the function may use at most.",
    url="https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
    resource_types=("AWS::Lambda::Function",),
    check=check,
    reads={"AWS::Lambda::Function": ("ReservedConcurrentExecutions",)},
)
