"""The role CloudFormation deploys a delivered iac stack with, derived from the registry schemas, and the
permissions boundary every role that stack creates must carry."""

from __future__ import annotations

import functools
import hashlib
from typing import TYPE_CHECKING, Any

from iac.checks import SUPPRESS_KEY, finds
from iac.constructs import iam
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Stack, is_token
from iac.constructs.core.tokens import stable_key
from iac.constructs.deployment_permissions import ScopedPermissions, action_resource_types, scope_actions

if TYPE_CHECKING:
    from iac.constructs.codepipeline.actions import ActionScope
    from iac.constructs.codepipeline.pipeline import Pipeline


CLOUDFORMATION_SERVICE = "cloudformation.amazonaws.com"
#: The boundary every role a derived deployment role creates must carry lives under this IAM path, which no
#: stack's generated names ("<stack>-<logical id>-<suffix>") can reach.
BOUNDARY_PATH = "/iac-boundary/"
#: What would change or remove the boundary policy itself (each a new default version or none).
BOUNDARY_POLICY_EDITS = ("iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                         "iam:SetDefaultPolicyVersion")
#: Taking a boundary off an identity frees it of the boundary; nobody under the boundary may.
BOUNDARY_REMOVALS = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
#: What creates an identity or gives one permissions: under the boundary, allowed only for identities that
#: carry it (IAM's iam:PermissionsBoundary condition key names the identity's boundary). Deleting or
#: detaching a policy only takes permissions away, and must stay possible on a role made before the boundary.
BOUNDED_IAM_CHANGES = ("iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
                       "iam:AttachUserPolicy", "iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy")
#: Of those, what a deployment role does to the stack's roles.
BOUNDED_DEPLOYMENT_ACTIONS = frozenset({"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
                                        "iam:PutRolePolicy"})


# -- the deployment role, derived from the registry schemas --------------------------------------------

HANDLER_OPERATIONS = ("create", "read", "update", "delete")
#: IAM actions that create the role AWS services use in the account (account-wide, AWS-named).
SERVICE_LINKED_ROLE_ACTIONS = ("iam:CreateServiceLinkedRole",)
#: The kinds of IAM resource a deployment role manages for its stack (named "<stack name>-*").
IDENTITY_KINDS = ("role", "policy", "instance-profile")


@functools.cache
def _known_actions() -> dict[str, frozenset[str]]:
    """IAM service prefix -> its actions (lower case), from the policy data cfn-lint checks with."""
    from iac.specs import additional_spec

    return {service: frozenset(entry.get("Actions", {})) for service, entry in additional_spec("Policies").items()}


@functools.cache
def handler_permissions(resource_type: str, region: str) -> tuple[str, ...]:
    """The IAM actions CloudFormation needs to create, read, update and delete a `resource_type`,
    as its registry schema's handlers list them (actions IAM does not know are left out)."""
    from iac import specs

    known = _known_actions()
    found: set[str] = set()
    for operation in HANDLER_OPERATIONS:
        for action in specs.handler_permissions(resource_type, operation, region=region):
            service, _, name = action.partition(":")
            if name.lower() in known.get(service.lower(), ()):
                found.add(action)
    return tuple(sorted(found))


def passed_to(*services: Any) -> dict[str, Any]:
    """The condition that lets iam:PassRole hand a role to these services only: a role passed to any
    service would let the holder run code as that role wherever a service accepts one."""
    unique = iam._unique_sorted(services)
    return {"StringEquals": {"iam:PassedToService": unique[0] if len(unique) == 1 else unique}}


def _plain(value: Any) -> Any:
    """A property as the construct will write it (a Lazy computed now), for reading what a stack holds."""
    while isinstance(value, Lazy):
        value = value.producer()
    return value


def _trusted_services(resource: CfnResource) -> list[Any]:
    """The services a role's trust policy lets assume it: the ones a deployer passes it to."""
    document = _plain(resource.properties.get("AssumeRolePolicyDocument"))
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    found: list[Any] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict) and statement.get("Effect", "Allow") == "Allow":
            found.extend(iam._as_list(principal.get("Service")))
    return found


class DeploymentBoundary(Construct):
    """The permissions boundary of every role a pipeline's derived deployment roles create (and of those
    roles themselves): a managed policy of the pipeline's stack, `<pipeline>/DeploymentBoundary`.

    It allows everything the role's own policies allow, so the delivered app works as written, and denies
    what would get out from under it: creating a role or user, or changing the policies of one, unless that
    identity carries this boundary; removing a boundary; editing or deleting this policy. So a push to the
    pipeline's source can create roles, but none that can do more than the boundary or make one that can.
    It lives under the path /iac-boundary/, out of reach of the names "<stack>-*" a deployment role manages,
    and has a fixed name (with the region: IAM is global), so the delivered stack names its ARN without an
    export from the pipeline's stack.

    Args:
        pipeline: the pipeline whose deployments the boundary binds (made by its `deployment_boundary()`).
    """

    def __init__(self, pipeline: Pipeline, id: str) -> None:
        super().__init__(pipeline, id)
        self.pipeline = pipeline
        self.policy_name = Fn.sub(_boundary_name(pipeline))
        self.arn = Fn.sub(f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:policy{BOUNDARY_PATH}{_boundary_name(pipeline)}")
        self.resource = CfnResource(self, "Resource", type="AWS::IAM::ManagedPolicy", properties={
            "ManagedPolicyName": self.policy_name,
            "Path": BOUNDARY_PATH,
            "Description": f"permissions boundary of the roles the deployments of pipeline {pipeline.path} create",
            "PolicyDocument": Lazy(lambda: self.document().to_json()),
        })
        self.stacks: list[Stack] = []

    @property
    def managed_policy(self) -> iam.ManagedPolicy:
        return iam.ManagedPolicy.from_managed_policy_arn(self.arn)

    def document(self) -> iam.PolicyDocument:
        every_identity = [Fn.sub(f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:{kind}/*") for kind in ("role", "user")]
        return iam.PolicyDocument([
            iam.PolicyStatement(actions=["*"], resources=["*"]),
            iam.PolicyStatement(effect="Deny", actions=list(BOUNDED_IAM_CHANGES), resources=every_identity,
                                conditions={"StringNotEquals": {"iam:PermissionsBoundary": self.arn}}),
            iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_REMOVALS), resources=["*"]),
            iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_POLICY_EDITS), resources=[self.arn]),
        ])

    def apply_to(self, stack: Stack, scope: ActionScope) -> None:
        """Every iam.Role of `stack` gets this boundary (the deployment role may create no other)."""
        boundary = iam.PermissionsBoundary.of(stack)
        current = boundary.policy
        if current is not None and stable_key(current.managed_policy_arn) != stable_key(self.arn):
            raise scope.error(f"stack {stack.path} already has another permissions boundary, but the deployment role "
                              f"of {scope.path} may create roles only with the boundary of pipeline "
                              f"{self.pipeline.path}",
                              hint="deliver the stack through one pipeline, or pass deployment_role= yourself")
        boundary.apply(self.managed_policy)
        if stack not in self.stacks:
            self.stacks.append(stack)

    def validate(self) -> list[str]:
        """A role the boundary does not reach (an L1 AWS::IAM::Role) would fail the deployment in the pipeline,
        at CreateRole; say so before anything is deployed."""
        return [message for stack in self.stacks for message in self._unbounded_roles(stack)]

    def _unbounded_roles(self, stack: Stack) -> list[str]:
        messages = []
        for node in stack.walk():
            if not isinstance(node, CfnResource) or node.resource_type != "AWS::IAM::Role":
                continue
            found = _plain(node.properties.get("PermissionsBoundary"))
            if found is None or stable_key(found) != stable_key(self.arn):
                where = f" (created at {node.location.file}:{node.location.line})" if node.location else ""
                messages.append(f"role {node.path}{where} has no permissions boundary, or another one; pipeline "
                                f"{self.pipeline.path} deploys stack {stack.path} with a role that creates roles only "
                                "with its boundary: use iac.constructs.iam.Role, which picks the boundary up, or set "
                                "PermissionsBoundary to release.pipeline.deployment_boundary().arn")
        return messages


def _boundary_name(pipeline: Pipeline) -> str:
    """`<pipeline stack>-${AWS::Region}-<pipeline logical id>`, within IAM's 128 characters."""
    name = f"{pipeline.stack.stack_name}-${{AWS::Region}}-{pipeline.resource.logical_id}"
    if len(name) + 20 > 128:  # the region is at most 20 characters
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:99]}-{digest}"
    return name


class _DeploymentRole(Construct):
    """The role CloudFormation deploys an iac stack with: the actions its resource types' handlers
    need, worked out when the template is written (the stack may still grow after the pipeline is
    made). IAM actions apply only to roles, policies and instance profiles whose names CloudFormation
    derives from the deployed stack's name (or that the stack names itself), plus AWS's
    service-linked roles, so the stack cannot change any other identity; roles it creates or gives
    policies must carry the pipeline's boundary, and it passes roles only to the services that the
    stack's roles trust."""

    def __init__(self, scope: Construct, id: str, *, stack: Stack, stack_name: Any,
                 boundary: DeploymentBoundary) -> None:
        super().__init__(scope, id)
        self.target = stack
        self.stack_name = stack_name
        self.boundary = boundary
        self.role = iam.Role(self, "Resource", assumed_by=iam.ServicePrincipal(CLOUDFORMATION_SERVICE),
                             description=f"CloudFormation deploys stack {stack_name} with this role"
                             if isinstance(stack_name, str) else None,
                             permissions_boundary=iam.ManagedPolicy.from_managed_policy_arn(boundary.resource.ref))
        self.policy = CfnResource(self, "Policy", type="AWS::IAM::Policy", properties={
            "PolicyName": "DeploymentPermissions",
            "PolicyDocument": Lazy(lambda: self.document().to_json()),
            "Roles": [self.role.role_name],
        })
        self.policy.add_metadata(SUPPRESS_KEY, Lazy(self._accepted_findings))

    def _accepted_findings(self) -> list[dict[str, str]] | None:
        """IAC-IAM-002 accepted when the derived permissions put write actions on "*": those act on resources
        the stack does not own and its template does not name (a layer, a VPC's subnets), and the
        deployment fails without them (iac.constructs.deployment_permissions)."""
        entry = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": self.document().to_json()}}
        if not finds("IAC-IAM-002", entry):
            return None
        return [{"id": "IAC-IAM-002", "reason": "derived deployment permissions: the actions on \"*\" act on "
                 "resources the deployed stack does not own and its template does not name, and CloudFormation's "
                 "handlers need them (iac.constructs.deployment_permissions)"}]

    def add_policy_dependent(self, resource: CfnResource) -> None:
        """Make `resource` (the pipeline: it runs at once) wait for the derived permissions and any
        statements added to the role later."""
        resource.add_depends_on(self.policy)
        self.role.add_policy_dependent(resource)

    def _resource_types(self) -> list[str]:
        return sorted({node.resource_type for node in self.target.walk() if isinstance(node, CfnResource)})

    def document(self) -> iam.PolicyDocument:
        region = self.target.region or "us-east-1"
        actions = sorted({action for resource_type in self._resource_types()
                          for action in handler_permissions(resource_type, region)})
        statements = list(self.scoped_permissions(region, actions).statements)
        statements += self._iam_statements([a for a in actions if a.lower().startswith("iam:")])
        return iam.PolicyDocument(statements)

    def scoped_permissions(self, region: str | None = None, actions: list[str] | None = None) -> ScopedPermissions:
        """The non-IAM actions, on the stack's own resources where IAM can name them (see
        iac.constructs.deployment_permissions): which went where, for review and tests."""
        region = region or self.target.region or "us-east-1"
        if actions is None:
            actions = sorted({action for resource_type in self._resource_types()
                              for action in handler_permissions(resource_type, region)})
        return scope_actions([a for a in actions if not a.lower().startswith("iam:")], stack=self.target,
                             stack_name=self.stack_name, region=region)

    def _iam_statements(self, actions: list[str]) -> list[iam.PolicyStatement]:
        # an action on users or groups only (the IAM policy data says which) could never apply to these ARNs
        actions = [a for a in actions if a in SERVICE_LINKED_ROLE_ACTIONS or a in BOUNDARY_REMOVALS
                   or not action_resource_types(a) or set(action_resource_types(a)) & set(IDENTITY_KINDS)]
        identities = self._identities()
        bounded = [a for a in actions if a in BOUNDED_DEPLOYMENT_ACTIONS]
        plain = [a for a in actions if a not in BOUNDED_DEPLOYMENT_ACTIONS and a not in BOUNDARY_REMOVALS
                 and a not in SERVICE_LINKED_ROLE_ACTIONS and a != "iam:PassRole"]
        statements = [iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_REMOVALS), resources=["*"]),
                      iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_POLICY_EDITS),
                                          resources=[self.boundary.arn])]
        if plain:
            statements.append(iam.PolicyStatement(actions=plain, resources=identities))
        if bounded:
            statements.append(iam.PolicyStatement(actions=bounded, resources=identities, conditions={
                "StringEquals": {"iam:PermissionsBoundary": self.boundary.arn}}))
        services = self._passed_services()
        if "iam:PassRole" in actions and services:
            statements.append(iam.PolicyStatement(actions=["iam:PassRole"], resources=identities,
                                                  conditions=passed_to(*services)))
        linked = [a for a in actions if a in SERVICE_LINKED_ROLE_ACTIONS]
        if linked:
            statements.append(iam.PolicyStatement(actions=linked, resources=[Fn.sub(
                f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/aws-service-role/*")]))
        return statements

    def _passed_services(self) -> list[Any]:
        """The services CloudFormation hands the stack's roles to: those the roles' trust policies name."""
        return iam._unique_sorted(service for node in self.target.walk() if isinstance(node, CfnResource)
                                  and node.resource_type == "AWS::IAM::Role" for service in _trusted_services(node))

    def _identities(self) -> list[Any]:
        """Roles, policies and instance profiles of the deployed stack: CloudFormation names them
        "<stack name>-<logical id>-<suffix>"; a role the stack names itself is added by name."""
        arn = f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}"
        found: list[Any] = [Fn.sub(f"{arn}:{kind}/{self.stack_name}-*") for kind in IDENTITY_KINDS]
        for node in self.target.walk():
            if isinstance(node, CfnResource) and node.resource_type == "AWS::IAM::Role":
                name = node.properties.get("RoleName")
                if isinstance(name, str) and not is_token(name):
                    found.append(Fn.sub(f"{arn}:role/{name}"))
        return found
