"""IAM: roles, policy statements and documents, managed policies, principals and grants.

Grants are how constructs give each other access (`table.grant_read(fn)`): exact actions on the
resource's ARNs, never `*` where an ARN exists. Statements are merged and de-duplicated the same way
on every run, so the policy text changes only when permissions do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

import attrs

from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.props import Cfn
from iac.constructs.core.tokens import stable_key
from iac.constructs.core.units import Duration
from iac.errors import ConstructError

POLICY_VERSION = "2012-10-17"


# -- principals ---------------------------------------------------------------------------

class Principal:
    """Who a statement is about: `{"Service": ...}`, `{"AWS": ...}` or `{"Federated": ...}`."""

    kind: str = "AWS"

    def __init__(self, identity: Any) -> None:
        self.identity = identity

    def fragment(self) -> dict[str, Any]:
        return {self.kind: self.identity}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Principal) and stable_key(self.fragment()) == stable_key(other.fragment())

    def __hash__(self) -> int:
        return hash(stable_key(self.fragment()))


class ServicePrincipal(Principal):
    """An AWS service, e.g. ServicePrincipal("lambda.amazonaws.com")."""

    kind = "Service"


class ArnPrincipal(Principal):
    """A role, user or account given by ARN."""


class AccountPrincipal(Principal):
    """Every identity of an account the account lets assume or use the resource."""

    def __init__(self, account_id: Any) -> None:
        super().__init__(f"arn:{Aws.PARTITION}:iam::{account_id}:root")


class AccountRootPrincipal(AccountPrincipal):
    """The account this stack is deployed to."""

    def __init__(self) -> None:
        super().__init__(Aws.ACCOUNT_ID)


class FederatedPrincipal(Principal):
    kind = "Federated"


# -- statements and documents --------------------------------------------------------------

def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | Token) or not isinstance(value, Iterable):
        return [value]
    return list(value)


@attrs.define(kw_only=True)
class PolicyStatement:
    """One statement: `PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])`."""

    actions: list[str] = attrs.field(factory=list, converter=_as_list)
    resources: list[Any] = attrs.field(factory=list, converter=_as_list)
    effect: str = attrs.field(default="Allow", validator=attrs.validators.in_(("Allow", "Deny")))
    principals: list[Principal] = attrs.field(factory=list, converter=_as_list)
    conditions: dict[str, Any] = attrs.field(factory=dict)
    sid: str | None = None

    def __attrs_post_init__(self) -> None:
        for action in self.actions:
            if not isinstance(action, str) or (action != "*" and ":" not in action):
                raise ValueError(f"action {action!r} is not an IAM action such as 's3:GetObject'")

    def to_json(self) -> dict[str, Any]:
        statement: dict[str, Any] = {}
        if self.sid:
            statement["Sid"] = self.sid
        statement["Effect"] = self.effect
        if self.principals:
            statement["Principal"] = _merge_principals(self.principals)
        actions = sorted(set(self.actions))
        statement["Action"] = actions[0] if len(actions) == 1 else actions
        if self.resources:
            resources = _unique_sorted(self.resources)
            statement["Resource"] = resources[0] if len(resources) == 1 else resources
        if self.conditions:
            statement["Condition"] = self.conditions
        return statement

    def _group_key(self, without: str) -> str:
        parts = {
            "effect": self.effect,
            "principals": stable_key(_merge_principals(self.principals)) if self.principals else "",
            "conditions": stable_key(self.conditions),
            "sid": self.sid or "",
            "actions": stable_key(sorted(set(self.actions))) if without != "actions" else "",
            "resources": stable_key([stable_key(r) for r in _unique_sorted(self.resources)])
            if without != "resources" else "",
        }
        return json.dumps(parts, sort_keys=True)


def _merge_principals(principals: Sequence[Principal]) -> dict[str, Any]:
    merged: dict[str, list[Any]] = {}
    for principal in principals:
        for kind, identity in principal.fragment().items():
            bucket = merged.setdefault(kind, [])
            if all(stable_key(identity) != stable_key(known) for known in bucket):
                bucket.append(identity)
    return {kind: ids[0] if len(ids) == 1 else sorted(ids, key=stable_key) for kind, ids in sorted(merged.items())}


def _unique_sorted(values: Iterable[Any]) -> list[Any]:
    unique = {stable_key(value): value for value in values}
    return [unique[key] for key in sorted(unique)]


class PolicyDocument:
    """Statements, merged deterministically: same resources -> actions joined; then same actions ->
    resources joined; duplicates dropped; sorted by content."""

    def __init__(self, statements: Iterable[PolicyStatement] = ()) -> None:
        self.statements: list[PolicyStatement] = list(statements)

    def add_statements(self, *statements: PolicyStatement) -> None:
        self.statements.extend(statements)

    def merged(self) -> list[PolicyStatement]:
        by_resources: dict[str, PolicyStatement] = {}
        for statement in self.statements:
            key = statement._group_key(without="actions")
            if key in by_resources:
                by_resources[key].actions.extend(statement.actions)
            else:
                by_resources[key] = attrs.evolve(statement, actions=list(statement.actions))
        by_actions: dict[str, PolicyStatement] = {}
        for statement in by_resources.values():
            key = statement._group_key(without="resources")
            if key in by_actions:
                by_actions[key].resources.extend(statement.resources)
            else:
                by_actions[key] = attrs.evolve(statement, resources=list(statement.resources))
        return sorted(by_actions.values(), key=lambda s: stable_key(s.to_json()))

    def to_json(self) -> dict[str, Any]:
        return {"Version": POLICY_VERSION, "Statement": [s.to_json() for s in self.merged()]}


def resource_statement_problem(statement: Any, policy: str, *, method: str = "add_to_resource_policy",
                               principals_hint: str = "pass principals=[...] to the PolicyStatement",
                               ) -> tuple[str, str | None] | None:
    """(message, hint) when `statement` cannot go into a resource-based policy (a bucket's, queue's, topic's,
    key's, repository's, endpoint's, named by `policy`, e.g. "bucket policy"): it must be an iam.PolicyStatement
    (what `method` takes) and name its principals, since such a policy says who as well as what. None when it
    can. Each construct raises the problem its own way (its path, the user's line of the call)."""
    if not isinstance(statement, PolicyStatement):
        return f"{method} takes an iam.PolicyStatement, got {statement!r}", None
    if not statement.principals:
        return f"a {policy} statement must name who it applies to", principals_hint
    return None


# -- managed policies -------------------------------------------------------------------------

class ManagedPolicy:
    """A managed policy referred to by ARN (AWS managed or your own)."""

    def __init__(self, arn: Any) -> None:
        self.managed_policy_arn = arn

    @classmethod
    def from_aws_managed_policy_name(cls, name: str) -> ManagedPolicy:
        """e.g. "service-role/AWSLambdaBasicExecutionRole"; the ARN follows the stack's partition."""
        if not isinstance(name, str) or not name or name.startswith("arn:"):
            raise ValueError(f"expected an AWS managed policy name such as 'ReadOnlyAccess', got {name!r}")
        return cls(Fn.sub(f"arn:${{AWS::Partition}}:iam::aws:policy/{name}"))

    @classmethod
    def from_managed_policy_arn(cls, arn: Any) -> ManagedPolicy:
        return cls(arn)

    @classmethod
    def bootstrap_boundary(cls) -> ManagedPolicy:
        """The permissions boundary `iac bootstrap` makes in the stack's account and region. The bootstrapped
        execution role may create roles only with it, so an app deployed with the bootstrapped roles applies it:
        `iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())`."""
        return cls(Fn.sub(BOOTSTRAP_BOUNDARY_ARN_TEMPLATE))


# -- permissions boundaries ---------------------------------------------------------------------

#: The name `iac bootstrap` gives its permissions boundary (an interface: deployed apps name it).
BOOTSTRAP_BOUNDARY_NAME_TEMPLATE = "iac-boundary-${AWS::AccountId}-${AWS::Region}"
BOOTSTRAP_BOUNDARY_ARN_TEMPLATE = (f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/"
                                   f"{BOOTSTRAP_BOUNDARY_NAME_TEMPLATE}")

_BOUNDARY_ATTRIBUTE = "_iac_permissions_boundary"


class PermissionsBoundary:
    """The permissions boundary of every iam.Role in a scope: `PermissionsBoundary.of(stack).apply(policy)`.

    A boundary caps what a role can ever do, whatever policies it is given later; a deployment role that
    may create roles only with the boundary cannot hand out more than the boundary allows. Applied to a
    scope rather than to each role, so roles made by constructs (a function's, a task's) get it too, also
    those made before the call: roles look it up when the template is written.
    """

    def __init__(self, scope: Construct) -> None:
        self.scope = scope

    @classmethod
    def of(cls, scope: Construct) -> PermissionsBoundary:
        return cls(scope)

    @property
    def policy(self) -> ManagedPolicy | None:
        """The boundary in effect here: this scope's, else the nearest enclosing scope's."""
        node: Construct | None = self.scope
        while node is not None:
            found = getattr(node, _BOUNDARY_ATTRIBUTE, None)
            if found is not None:
                return found
            node = node.scope
        return None

    def apply(self, policy: ManagedPolicy) -> None:
        if not isinstance(policy, ManagedPolicy):
            raise TypeError(f"a permissions boundary is an iam.ManagedPolicy (ManagedPolicy.from_managed_policy_arn"
                            f"(arn)), got {type(policy).__name__}")
        setattr(self.scope, _BOUNDARY_ATTRIBUTE, policy)


# -- grantables and grants ------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class Grant:
    """The record of a grant: who received which statement (tests and constructs inspect it)."""

    grantee: Any
    statement: PolicyStatement
    role: Role


def grant(grantee: Any, *, actions: Sequence[str], resources: Sequence[Any], scope: Construct,
          conditions: Mapping[str, Any] | None = None) -> Grant:
    """Give `grantee`'s role `actions` on `resources` (only under `conditions`, when given); a clear error
    when it has no role."""
    role = getattr(grantee, "grant_principal", None)
    if not isinstance(role, Role):
        name = getattr(grantee, "path", None) or type(grantee).__name__
        raise ConstructError(
            f"cannot grant access from {scope.path} to {name}: it has no IAM role",
            path=scope.path,
            location=getattr(grantee, "location", None) or scope.location,
            hint="grant to a function, a role, or another construct that has a role",
        )
    statement = PolicyStatement(actions=list(actions), resources=list(resources), conditions=dict(conditions or {}))
    role.add_to_policy(statement)
    return Grant(grantee=grantee, statement=statement, role=role)


# -- roles -----------------------------------------------------------------------------------

class Role(Construct):
    """An IAM role (`AWS::IAM::Role`, the child `Resource`). Statements added with `add_to_policy` go to
    one policy resource attached to it (`<Role>/DefaultPolicy`), created on first use; a separate
    resource avoids cycles when the policy names resources that themselves refer to the role.

    Args:
        assumed_by: who may assume the role, e.g. `ServicePrincipal("lambda.amazonaws.com")`.
        managed_policies: managed policies attached to the role (`ManagedPolicy.from_aws_managed_policy_name`
            and the like); more can be added with `add_managed_policy`.
        role_name: the role's name; CloudFormation generates one when omitted (a fixed name needs
            CAPABILITY_NAMED_IAM and makes the role impossible to replace without a name change).
        description: what the role is for.
        path: the role's IAM path ("/" when omitted), e.g. "/service-roles/".
        max_session_duration: the longest session assuming the role may ask for, in seconds or as a
            `Duration` (one hour when omitted).
        inline_policies: policies embedded in the role, by name: {"name": PolicyDocument([...])}.
        permissions_boundary: the managed policy that caps the role's permissions; without one the role
            takes its scope's (`PermissionsBoundary.of(scope).apply(...)`), if any.
        assume_role_conditions: conditions on assuming the role, e.g.
            {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}} so a service assumes it for this
            account's resources only (the confused-deputy guard).
    """

    cfn_type = "AWS::IAM::Role"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        assumed_by: Principal,
        managed_policies: Sequence[ManagedPolicy] = (),
        role_name: Annotated[str | Token | None, Cfn("RoleName")] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        path: Annotated[str | None, Cfn("Path")] = None,
        max_session_duration: Annotated[int | Duration | None, Cfn("MaxSessionDuration", unit="seconds")] = None,
        inline_policies: Mapping[str, PolicyDocument] | None = None,
        permissions_boundary: ManagedPolicy | None = None,
        assume_role_conditions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.assumed_by = assumed_by
        self.inline_policies: dict[str, PolicyDocument] = dict(inline_policies or {})
        self._boundary = permissions_boundary
        self._managed: list[ManagedPolicy] = list(managed_policies)
        self._trust = PolicyDocument([PolicyStatement(actions=["sts:AssumeRole"], principals=[assumed_by],
                                                      conditions=dict(assume_role_conditions or {}))])
        self.default_policy: CfnResource | None = None
        self._document = PolicyDocument()
        self._policy_dependents: list[CfnResource] = []
        self.resource = CfnResource(self, "Resource", type="AWS::IAM::Role", properties={
            "AssumeRolePolicyDocument": Lazy(self._trust.to_json),
            "ManagedPolicyArns": Lazy(self._managed_arns),
            "Policies": Lazy(self._inline_policies),
            "RoleName": role_name,
            "Description": description,
            "Path": path,
            "MaxSessionDuration": max_session_duration,
            "PermissionsBoundary": Lazy(self._boundary_arn),
        })

    @classmethod
    def from_role_arn(cls, scope: Construct, id: str, role_arn: str | Token, *, mutable: bool = True) -> ImportedRole:
        """A role that exists, by its ARN: it makes no role; grants to it go to a policy attached to it here
        (unless `mutable=False`); its trust policy, managed policies and boundary stay its owner's."""
        return ImportedRole(scope, id, role_arn=role_arn, mutable=mutable)

    @property
    def role_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def role_name(self) -> Token:
        return self.resource.ref

    @property
    def grant_principal(self) -> Role:
        return self

    @property
    def permissions_boundary(self) -> ManagedPolicy | None:
        """The role's own boundary, else its scope's (`PermissionsBoundary.of(scope)`)."""
        return self._boundary or PermissionsBoundary.of(self).policy

    @property
    def trusted_services(self) -> list[Any]:
        """The AWS services that may assume the role (those that a deployer passes it to)."""
        identity = self.assumed_by.fragment().get("Service")
        return [] if identity is None else _as_list(identity)

    def _boundary_arn(self) -> Any:
        boundary = self.permissions_boundary
        return None if boundary is None else boundary.managed_policy_arn

    def add_managed_policy(self, policy: ManagedPolicy) -> None:
        if all(stable_key(p.managed_policy_arn) != stable_key(policy.managed_policy_arn) for p in self._managed):
            self._managed.append(policy)

    def add_to_policy(self, statement: PolicyStatement) -> None:
        """Add a statement to the role's default policy (created on first use)."""
        if self.default_policy is None:
            self.default_policy = CfnResource(self, "DefaultPolicy", type="AWS::IAM::Policy", properties={
                "PolicyName": f"{self.id}DefaultPolicy"[:128],
                "PolicyDocument": Lazy(self._document.to_json),
                "Roles": [self.resource.ref],
            })
            for dependent in self._policy_dependents:
                dependent.add_depends_on(self.default_policy)
        self._document.add_statements(statement)

    def add_to_assume_role_policy(self, statement: PolicyStatement) -> None:
        """Add a statement to the role's trust policy (who may assume it)."""
        self._trust.add_statements(statement)

    def add_policy_dependent(self, resource: CfnResource) -> None:
        """Make `resource` wait for this role's policy (a function must not run before its grants)."""
        self._policy_dependents.append(resource)
        if self.default_policy is not None:
            resource.add_depends_on(self.default_policy)

    def _managed_arns(self) -> list[Any] | None:
        return [p.managed_policy_arn for p in self._managed] or None

    def _inline_policies(self) -> list[dict[str, Any]] | None:
        policies = [{"PolicyName": name, "PolicyDocument": document.to_json()}
                    for name, document in sorted(self.inline_policies.items())]
        return policies or None


_ROLE_ARN = re.compile(r"^arn:[a-z-]+:iam::\d{12}:role/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)$")


class ImportedRole(Role):
    """A role made elsewhere, known by its ARN (usually through `Role.from_role_arn`). It is a Role where
    grants look for one: what is granted to it goes to an `AWS::IAM::Policy` made here and attached to the
    role by name (`<id>/Policy`), unless `mutable=False`, which refuses grants. What would change the role
    itself (its trust policy, managed policies, permissions boundary) is refused: the stack does not own it.

    Args:
        role_arn: the role's ARN, arn:aws:iam::account:role/[path/]name; with a path, a literal ARN (or a
            token ARN of a role without a path), since the name is taken from it.
        mutable: whether grants may attach a policy to the role (default True).
    """

    def __init__(self, scope: Construct, id: str, *, role_arn: str | Token, mutable: bool = True) -> None:
        Construct.__init__(self, scope, id)
        literal = isinstance(role_arn, str) and not is_token(role_arn)
        match = _ROLE_ARN.match(str(role_arn)) if literal else None
        if literal and match is None:
            raise ConstructError(f"{role_arn!r} is not an IAM role ARN (arn:aws:iam::account:role/name)",
                                 path=self.path, location=self.location)
        self._arn = role_arn
        resource_part = Fn.select(5, Fn.split(":", role_arn))  # role/name
        self._name: Any = match.group(1) if match else Fn.select(1, Fn.split("/", resource_part))
        self.mutable = mutable
        self.assumed_by = None  # type: ignore[assignment]  # not known: the trust policy is the owner's
        self.inline_policies = {}
        self._boundary = None
        self._managed = []
        self.default_policy = None
        self._document = PolicyDocument()
        self._policy_dependents = []

    @property
    def role_arn(self) -> Any:
        return self._arn

    @property
    def role_name(self) -> Any:
        return self._name

    @property
    def permissions_boundary(self) -> ManagedPolicy | None:
        return None  # the owner's, not known here

    @property
    def trusted_services(self) -> list[Any]:
        return []

    def add_to_policy(self, statement: PolicyStatement) -> None:
        """Add a statement to the policy attached to the role here (created on first use)."""
        if not self.mutable:
            raise self._refuse("cannot add permissions to the imported role {path}: it was imported with mutable=False",
                               "import it with mutable=True to let grants attach a policy to it")
        if self.default_policy is None:
            self.default_policy = CfnResource(self, "Policy", type="AWS::IAM::Policy", properties={
                "PolicyName": f"{self.id}Policy"[:128],
                "PolicyDocument": Lazy(self._document.to_json),
                "Roles": [self._name],
            })
            for dependent in self._policy_dependents:
                dependent.add_depends_on(self.default_policy)
        self._document.add_statements(statement)

    def add_managed_policy(self, policy: ManagedPolicy) -> None:
        raise self._refuse("cannot attach a managed policy to the imported role {path}: that changes the role, "
                           "which this stack does not own", "grant what is needed instead (it goes to a policy "
                           "attached here), or attach the managed policy where the role is defined")

    def add_to_assume_role_policy(self, statement: PolicyStatement) -> None:
        raise self._refuse("cannot change the trust policy of the imported role {path}: it belongs to the stack "
                           "or account that made the role", "edit the trust policy where the role is defined")

    def _refuse(self, message: str, hint: str) -> ConstructError:
        from iac.constructs.core.source import caller_location

        return ConstructError(message.format(path=self.path), path=self.path,
                              location=caller_location() or self.location, hint=hint)
