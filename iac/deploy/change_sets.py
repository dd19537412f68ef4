"""Change sets: the stack as deployed, whether it can be changed, and CloudFormation's own plan.

A new stack gets a CREATE change set, a deployed one an UPDATE change set. CloudFormation answers
a template that changes nothing with a FAILED change set whose reason says so: that is "no changes",
not an error. Capabilities are read from the template: IAM resources need CAPABILITY_IAM, IAM
resources with names CAPABILITY_NAMED_IAM, a Transform (macros, SAM) CAPABILITY_AUTO_EXPAND.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import attrs

from iac.constructs.core.capabilities import required_capabilities
from iac.deploy.events import is_missing_stack
from iac.deploy.polling import Poller
from iac.deploy.session import aws_errors, error_code, error_message
from iac.errors import DeployError
from iac.synth.loader import loads
from iac.synth.template import resources, section

CREATE, UPDATE = "CREATE", "UPDATE"
#: How CloudFormation words a change set that changes nothing.
NO_CHANGE_REASONS = ("didn't contain changes", "No updates are to be performed")
#: Stacks CloudFormation cannot update until someone acts: status -> what to do.
STUCK_STATUSES = {
    "UPDATE_ROLLBACK_FAILED": "CloudFormation could not roll back the last update; continue the rollback "
                              "(aws cloudformation continue-update-rollback --stack-name {stack}), then deploy again",
    "ROLLBACK_COMPLETE": "its creation failed and was rolled back, so it cannot be updated; delete it "
                         "(iac destroy {stack}) and deploy again",
    "ROLLBACK_FAILED": "its creation failed and the rollback failed too; delete it (iac destroy {stack}) and "
                       "deploy again",
    "DELETE_FAILED": "a deletion failed; delete it again (iac destroy {stack}) or fix what blocked it",
    "IMPORT_ROLLBACK_FAILED": "an import rolled back and failed; see the stack's events in the console",
}
CHANGE_SET_TIMEOUT_SECONDS = 900
#: Templates larger than this must be uploaded to S3 and passed by URL.
TEMPLATE_BODY_LIMIT = 51_200


@attrs.frozen(kw_only=True)
class DeployedStack:
    name: str
    stack_id: str
    status: str
    reason: str | None = None
    outputs: dict[str, str] = attrs.field(factory=dict)
    parameters: dict[str, str] = attrs.field(factory=dict)
    termination_protection: bool = False

    @property
    def is_new(self) -> bool:
        """Created by a change set that was never executed: it has no resources and no template yet."""
        return self.status == "REVIEW_IN_PROGRESS"

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> DeployedStack:
        return cls(
            name=str(data["StackName"]),
            stack_id=str(data["StackId"]),
            status=str(data["StackStatus"]),
            reason=data.get("StackStatusReason"),
            outputs={o["OutputKey"]: str(o.get("OutputValue", "")) for o in data.get("Outputs") or []},
            parameters={p["ParameterKey"]: str(p.get("ParameterValue", "")) for p in data.get("Parameters") or []},
            termination_protection=bool(data.get("EnableTerminationProtection")),
        )


@attrs.frozen(kw_only=True)
class ChangeSet:
    """A change set as DescribeChangeSet tells it (`changes` in its own shape)."""

    name: str
    stack_name: str
    change_set_id: str
    stack_id: str
    type: str
    status: str
    reason: str | None = None
    changes: tuple[dict[str, Any], ...] = ()

    @property
    def no_changes(self) -> bool:
        return self.status == "FAILED" and any(r in (self.reason or "") for r in NO_CHANGE_REASONS)


def describe_stack(cfn: Any, name: str) -> DeployedStack | None:
    """The stack as CloudFormation has it now, or None when it does not exist."""
    with aws_errors():
        try:
            stacks = cfn.describe_stacks(StackName=name).get("Stacks") or []
        except Exception as error:
            if is_missing_stack(error):
                return None
            raise
    return DeployedStack.from_api(stacks[0]) if stacks else None


def check_deployable(stack: DeployedStack | None) -> None:
    """Refuse a stack CloudFormation is busy with, or that must be repaired before it can change."""
    if stack is None or stack.is_new:
        return
    if stack.status.endswith("_IN_PROGRESS"):
        raise DeployError(
            f"stack {stack.name} is {stack.status}: CloudFormation is still working on it",
            hint=f"wait until it finishes (aws cloudformation describe-stack-events --stack-name {stack.name}), "
                 "then run iac again")
    if stack.status in STUCK_STATUSES:
        raise DeployError(f"stack {stack.name} is {stack.status}",
                          hint=STUCK_STATUSES[stack.status].format(stack=stack.name))


def deployed_template(cfn: Any, stack: DeployedStack | None) -> dict[str, Any] | None:
    """The template the stack was last deployed with (GetTemplate), None for a stack not deployed yet."""
    if stack is None or stack.is_new:
        return None
    with aws_errors():
        body = cfn.get_template(StackName=stack.stack_id, TemplateStage="Original").get("TemplateBody")
    if isinstance(body, str):
        return loads(body, file=f"<deployed template of {stack.name}>")
    return json.loads(json.dumps(body or {}, default=str))  # botocore hands JSON templates back parsed


def capabilities(template: dict[str, Any]) -> list[str]:
    """The capabilities CloudFormation will ask for, read from the template."""
    return required_capabilities(
        ((str(resource.get("Type", "")), section(resource, "Properties")) for resource in resources(template).values()),
        transformed=bool(template.get("Transform")) or _has_key(template, "Fn::Transform"),
    )


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


def new_change_set_name(purpose: str = "deploy") -> str:
    return f"iac-{purpose}-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{secrets.token_hex(2)}"


def create_change_set(cfn: Any, *, stack_name: str, change_set_type: str, template: dict[str, str],
                      parameters: list[dict[str, Any]], capabilities: list[str], tags: dict[str, str],
                      name: str, description: str = "iac deploy", role_arn: str | None = None) -> str:
    """Ask CloudFormation for a change set; `template` is {"TemplateBody": ...} or {"TemplateURL": ...}."""
    arguments: dict[str, Any] = {
        "StackName": stack_name,
        "ChangeSetName": name,
        "ChangeSetType": change_set_type,
        "Parameters": parameters,
        "Capabilities": capabilities,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "Description": description,
        **template,
        **({"RoleARN": role_arn} if role_arn else {}),  # the role CloudFormation acts as; else the caller's
    }
    with aws_errors():
        try:
            answer = cfn.create_change_set(**arguments)
        except Exception as error:
            if error_code(error) == "ValidationError":  # the template or a parameter, in CloudFormation's words
                raise DeployError(f"CloudFormation refused the change set for {stack_name}: {error_message(error)}") \
                    from None
            raise
    return str(answer["Id"])


def wait_for_change_set(cfn: Any, *, stack_name: str, change_set_id: str, change_set_type: str,
                        poller: Poller) -> ChangeSet:
    """Wait until the change set is made (or failed); a failure that means "nothing to change" is
    returned (`no_changes`), any other raises DeployError with CloudFormation's reason."""
    started = time.monotonic()
    attempt = 0
    while True:
        pages = list(_change_set_pages(cfn, stack_name, change_set_id))
        first = pages[0]
        status = str(first.get("Status", ""))
        if status in ("CREATE_COMPLETE", "FAILED"):
            change_set = ChangeSet(
                name=str(first.get("ChangeSetName", "")),
                stack_name=str(first.get("StackName", stack_name)),
                change_set_id=str(first.get("ChangeSetId", change_set_id)),
                stack_id=str(first.get("StackId", "")),
                type=change_set_type,
                status=status,
                reason=first.get("StatusReason"),
                changes=tuple(change for page in pages for change in page.get("Changes") or []),
            )
            if status == "FAILED" and not change_set.no_changes:
                raise DeployError(f"CloudFormation could not create the change set for {stack_name}: "
                                  f"{change_set.reason or 'no reason given'}",
                                  hint="fix the template or parameters and deploy again")
            return change_set
        if time.monotonic() - started > CHANGE_SET_TIMEOUT_SECONDS:
            raise DeployError(f"the change set for {stack_name} is still {status} after "
                              f"{CHANGE_SET_TIMEOUT_SECONDS // 60} minutes")
        poller.pause(attempt)
        attempt += 1


def _change_set_pages(cfn: Any, stack_name: str, change_set_id: str) -> Iterator[dict[str, Any]]:
    token: str | None = None
    extra = {"IncludePropertyValues": True} if _supports(cfn, "DescribeChangeSet", "IncludePropertyValues") else {}
    while True:
        with aws_errors():
            page = cfn.describe_change_set(ChangeSetName=change_set_id, StackName=stack_name, **extra,
                                           **({"NextToken": token} if token else {}))
        yield page
        token = page.get("NextToken")
        if not token or page.get("Status") not in ("CREATE_COMPLETE",):
            return


def _supports(client: Any, operation: str, parameter: str) -> bool:
    """Whether the installed botocore knows `parameter` (newer API members are sent only when it does)."""
    try:
        return parameter in client.meta.service_model.operation_model(operation).input_shape.members
    except Exception:  # a stand-in client without a model
        return False


def execute_change_set(cfn: Any, change_set: ChangeSet) -> None:
    with aws_errors():
        cfn.execute_change_set(ChangeSetName=change_set.change_set_id, StackName=change_set.stack_name)


def delete_change_set(cfn: Any, change_set: ChangeSet) -> None:
    """Remove a change set that will not be executed (best effort: a leftover does no harm)."""
    try:
        cfn.delete_change_set(ChangeSetName=change_set.change_set_id, StackName=change_set.stack_name)
    except Exception:  # cleaning up must not hide the real outcome
        pass


def stack_parameters(template: dict[str, Any], given: dict[str, str],
                     deployed: DeployedStack | None) -> list[dict[str, Any]]:
    """Parameter values for the change set: the given ones; a parameter not given that the deployed
    stack already has keeps its previous value; others take the template's default."""
    declared = section(template, "Parameters")
    values: list[dict[str, Any]] = []
    for name in declared:
        if name in given:
            values.append({"ParameterKey": name, "ParameterValue": given[name]})
        elif deployed is not None and not deployed.is_new and name in deployed.parameters:
            values.append({"ParameterKey": name, "UsePreviousValue": True})
    return values
