"""ECR: private image repositories that scan on push, keep tags immutable and are kept by default.

    repository = ecr.Repository(stack, "Api", lifecycle_rules=[
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(7)),
        ecr.LifecycleRule(max_image_count=50),
    ])
    repository.grant_pull_push(build_project)
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository, tag="v42"))

Defaults: every pushed image is scanned for known vulnerabilities; tags are IMMUTABLE, so "v42" names one
image for good (a deployment that pins a tag gets what was tested); images are encrypted with AES256
(ECR's S3-managed keys; `encryption_key=` a kms.Key for SSE-KMS); DeletionPolicy and UpdateReplacePolicy
Retain, since a repository holds its images (iac.specs.is_stateful). `removal_policy="destroy"` with
`empty_on_delete=True` lets CloudFormation delete a repository that still holds images.

Lifecycle rules are written to the repository's LifecyclePolicyText as ECR reads it
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html): ECR evaluates rules by
ascending rulePriority, priorities are unique, and a rule for "any" tag status must come last. Rules
without a priority get the next one in the order they are given; an "any" rule without one goes last.

Grants: `grant_pull` (read layers and images of this repository, and ecr:GetAuthorizationToken, which IAM
allows on "*" only), `grant_push`, `grant_pull_push`. With a KMS key nothing more is needed: ECR decrypts
and encrypts through the grant it holds on the key, not with the caller's permissions.

`add_to_resource_policy` writes the repository policy (another account's pulls). `Repository.from_repository_name`
/ `from_repository_arn` stand for a repository made elsewhere; nothing is added to the template, grants and
`ecs.ContainerImage.from_ecr` work on them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal

from iac.constructs import iam, kms
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check, Unit, checked_options, schema_problem, schema_rule
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.units import Duration
from iac.errors import ConstructError
from iac.specs import property_enum

RESOURCE_TYPE = "AWS::ECR::Repository"

#: What pulling an image takes on the repository (each acts on the "repository" resource type).
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
#: What pushing an image takes on the repository: check which layers exist, upload the others, put the manifest.
PUSH_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload",
                "ecr:PutImage", "ecr:UploadLayerPart")
#: The registry login (docker login, ECS's image pull): account-wide, IAM accepts no resource but "*" for it.
AUTH_ACTION = "ecr:GetAuthorizationToken"

#: The encryption ECR uses without a key (S3-managed keys); KMS with `encryption_key=`.
AES256: Final = "AES256"
KMS: Final = "KMS"

#: A Docker/OCI image tag: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
#: An image digest as ECR writes it (sha256, the only algorithm ECR uses).
IMAGE_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_REPOSITORY_ARN = re.compile(r"^arn:[a-z-]+:ecr:[a-z0-9-]+:\d{12}:repository/(.+)$")
#: ECR's limit on wildcards in one tagPatternList entry (LifecyclePolicies.html, "tagPatternList").
MAX_TAG_PATTERN_WILDCARDS = 4


class TagMutability:
    """What `image_tag_mutability=` takes (the schema's ImageTagMutability values; the *_WITH_EXCLUSION
    ones need `image_tag_mutability_exclusion_filters=`)."""

    IMMUTABLE: Final = "IMMUTABLE"  # a pushed tag can never be moved to another image
    MUTABLE: Final = "MUTABLE"  # a push may move a tag ("latest")
    IMMUTABLE_WITH_EXCLUSION: Final = "IMMUTABLE_WITH_EXCLUSION"  # immutable, but the filters' tags may move
    MUTABLE_WITH_EXCLUSION: Final = "MUTABLE_WITH_EXCLUSION"  # mutable, but the filters' tags may not


class TagStatus:
    """Which images a lifecycle rule looks at (the policy's selection.tagStatus; ECR's lifecycle policy
    vocabulary, which the registry schema does not describe: the policy is one JSON string there)."""

    ANY: Final = "any"  # every image; the rule must have the highest priority
    TAGGED: Final = "tagged"  # images with a tag matching tag_prefix_list or tag_pattern_list
    UNTAGGED: Final = "untagged"  # images without a tag (a tag moved away, or never given)


# -- rules the schema cannot say -----------------------------------------------------------------

def image_tag_rule(value: Any) -> str | None:
    """A `Check` rule: a literal tag follows the OCI tag grammar (a deploy-time value is checked by ECR)."""
    if is_token(value) or (isinstance(value, str) and IMAGE_TAG.match(value)):
        return None
    return (f"{value!r} is not an image tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' "
            "or '-'")


def image_digest_rule(value: Any) -> str | None:
    """A `Check` rule: a literal digest is "sha256:" and 64 lowercase hex digits."""
    if is_token(value) or (isinstance(value, str) and IMAGE_DIGEST.match(value)):
        return None
    return f"{value!r} is not an image digest: 'sha256:' and 64 lowercase hex digits"


def _positive(what: str) -> Check:
    def rule(value: Any) -> str | None:
        return None if value is None or value >= 1 else f"{what} must be at least 1, got {value}"

    return Check(rule)


def _tag_patterns_rule(value: Any) -> str | None:
    for pattern in value:
        if not pattern or pattern.count("*") > MAX_TAG_PATTERN_WILDCARDS:
            return (f"{pattern!r}: a tag pattern is a non-empty tag with at most {MAX_TAG_PATTERN_WILDCARDS} "
                    "wildcards (*)")
    return None


def _tag_prefixes_rule(value: Any) -> str | None:
    for prefix in value:
        if not prefix:
            return "a tag prefix must not be empty (use tag_status=TagStatus.ANY for every image)"
    return None


# -- lifecycle rules -----------------------------------------------------------------------------

class LifecycleRule:
    """One rule of a repository's lifecycle policy: expire the images it selects beyond a count or an age.

        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(14))
        ecr.LifecycleRule(tag_prefix_list=["release-"], max_image_count=20)   # tagged, implied
        ecr.LifecycleRule(max_image_count=100)                               # any image, evaluated last

    Args:
        max_image_count: keep this many of the selected images (the newest) and expire the rest
            (countType imageCountMoreThan).
        max_image_age: expire the selected images pushed longer ago than this, in days or as a
            `Duration` of whole days (countType sinceImagePushed). Exactly one of the two.
        tag_status: which images the rule selects, a `TagStatus` (default: TAGGED when tag_prefix_list or
            tag_pattern_list is given, else ANY).
        tag_prefix_list: with TAGGED, the tag prefixes selected ("v" selects "v1" and "v2.3").
        tag_pattern_list: with TAGGED, tag patterns with up to four "*" wildcards ("prod-*-2024*");
            give prefixes or patterns, not both.
        rule_priority: the order ECR evaluates the rule in (lowest first), unique in the policy; an ANY
            rule must have the highest. Default: the next after the rules given before it (an ANY rule: last).
        description: what the rule is for (shown in the console).
    """

    @checked_options
    def __init__(
        self,
        *,
        max_image_count: Annotated[int | None, _positive("max_image_count")] = None,
        max_image_age: Annotated[int | Duration | None, Unit("days"), _positive("max_image_age (days)")] = None,
        tag_status: Literal["any", "tagged", "untagged"] | None = None,
        tag_prefix_list: Annotated[Sequence[str], Check(_tag_prefixes_rule)] = (),
        tag_pattern_list: Annotated[Sequence[str], Check(_tag_patterns_rule)] = (),
        rule_priority: Annotated[int | None, _positive("rule_priority")] = None,
        description: str | None = None,
    ) -> None:
        self.location: SourceLocation | None = caller_location()
        tags = bool(tag_prefix_list or tag_pattern_list)
        status = tag_status or (TagStatus.TAGGED if tags else TagStatus.ANY)
        problem = None
        if (max_image_count is None) == (max_image_age is None):
            problem = "give max_image_count or max_image_age (one of them)"
        elif tag_prefix_list and tag_pattern_list:
            problem = "give tag_prefix_list or tag_pattern_list, not both"
        elif status == TagStatus.TAGGED and not tags:
            problem = "a rule for tagged images needs tag_prefix_list or tag_pattern_list (which tags)"
        elif status != TagStatus.TAGGED and tags:
            problem = f"tag_prefix_list and tag_pattern_list select tagged images; tag_status is {status!r}"
        if problem is not None:
            raise ConstructError(f"invalid argument for LifecycleRule: {problem}", location=self.location)
        self.max_image_count = max_image_count
        self.max_image_age_days: int | None = max_image_age  # type: ignore[assignment]  # converted to days
        self.tag_status: str = status
        self.tag_prefix_list = tuple(tag_prefix_list)
        self.tag_pattern_list = tuple(tag_pattern_list)
        self.rule_priority = rule_priority
        self.description = description

    def render(self, priority: int) -> dict[str, Any]:
        """The rule as the lifecycle policy writes it, with its (final) `priority`."""
        selection: dict[str, Any] = {"tagStatus": self.tag_status}
        if self.tag_prefix_list:
            selection["tagPrefixList"] = list(self.tag_prefix_list)
        if self.tag_pattern_list:
            selection["tagPatternList"] = list(self.tag_pattern_list)
        if self.max_image_count is not None:
            selection.update(countType="imageCountMoreThan", countNumber=self.max_image_count)
        else:
            selection.update(countType="sinceImagePushed", countUnit="days", countNumber=self.max_image_age_days)
        rule: dict[str, Any] = {"rulePriority": priority}
        if self.description:
            rule["description"] = self.description
        rule.update(selection=selection, action={"type": "expire"})
        return rule


class _LifecyclePolicy:
    """The rules of one repository with their priorities, checked as each is added."""

    def __init__(self) -> None:
        self.ranked: list[tuple[int, LifecycleRule]] = []  # the rules for tagged or untagged images
        self.any_rule: LifecycleRule | None = None

    def add(self, rule: LifecycleRule) -> str | None:
        """Add `rule`; the problem with it instead, if any (nothing is added then)."""
        used = {priority: other for priority, other in self.ranked}
        any_priority = None if self.any_rule is None else self.any_rule.rule_priority
        if rule.tag_status == TagStatus.ANY:
            if self.any_rule is not None:
                return (f"a lifecycle policy has at most one rule for tag status 'any' (another is at "
                        f"{self.any_rule.location})")
            if rule.rule_priority is not None and used and rule.rule_priority <= max(used):
                return (f"the rule for tag status 'any' must have the highest rule_priority; "
                        f"{rule.rule_priority} is not above {max(used)}")
            self.any_rule = rule
            return None
        priority = rule.rule_priority if rule.rule_priority is not None else max(used, default=0) + 1
        if priority in used:
            return f"rule_priority {priority} is taken by the rule at {used[priority].location}: priorities are unique"
        if any_priority is not None and priority >= any_priority:
            return (f"rule_priority {priority} is not below {any_priority}, the priority of the rule for tag status "
                    "'any', which must be evaluated last" + ("" if rule.rule_priority is not None
                                                              else " (give this rule an explicit rule_priority)"))
        self.ranked.append((priority, rule))
        return None

    def document(self) -> dict[str, Any] | None:
        rules = sorted(self.ranked, key=lambda entry: entry[0])
        rendered = [rule.render(priority) for priority, rule in rules]
        if self.any_rule is not None:
            last = max((priority for priority, _ in rules), default=0) + 1
            rendered.append(self.any_rule.render(self.any_rule.rule_priority or last))
        return {"rules": rendered} if rendered else None

    def text(self) -> str | None:
        document = self.document()
        return None if document is None else json.dumps(document, separators=(",", ":"))


# -- grants ----------------------------------------------------------------------------------------

def grant_pull(grantee: Any, repository_arn: Any, *, scope: Construct) -> iam.Grant:
    """Let `grantee` pull images from the repository of `repository_arn`: the pull actions on it, and the
    registry login (on "*", the only resource IAM accepts for it). The grant on the repository is returned."""
    return _grant(grantee, repository_arn, PULL_ACTIONS, scope)


def _grant(grantee: Any, repository_arn: Any, actions: Sequence[str], scope: Construct) -> iam.Grant:
    result = iam.grant(grantee, actions=actions, resources=[repository_arn], scope=scope)
    iam.grant(grantee, actions=[AUTH_ACTION], resources=["*"], scope=scope)
    return result


def repository_arn_for_name(name: Any) -> Any:
    """The ARN of the repository `name` in the stack's account and region."""
    return Fn.sub(f"arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{name}")


def repository_uri_for_name(name: Any) -> Any:
    """The URI (registry host and name) of the repository `name` in the stack's account and region."""
    return f"{Aws.ACCOUNT_ID}.dkr.ecr.{Aws.REGION}.{Aws.URL_SUFFIX}/{name}"


def repository_name_rule(value: Any) -> str | None:
    """A `Check` rule: a literal name matches the schema's RepositoryName pattern (lowercase, '/' between
    namespaces)."""
    return schema_problem(RESOURCE_TYPE, ("RepositoryName",), value)


def parse_repository_arn(arn: Any) -> tuple[Any, Any] | None:
    """(name, URI) of the repository of `arn`, a literal ECR repository ARN or a deploy-time value; None for a
    literal that is not one."""
    if isinstance(arn, str) and not is_token(arn):
        match = _REPOSITORY_ARN.match(arn)
        if match is None:
            return None
        _, _, _, region, account, _ = arn.split(":", 5)
        return match.group(1), f"{account}.dkr.ecr.{region}.{Aws.URL_SUFFIX}/{match.group(1)}"
    name = Fn.select(1, Fn.split(":repository/", arn))  # the name may hold "/": split on the marker before it
    fields = Fn.split(":", arn)
    return name, f"{Fn.select(4, fields)}.dkr.ecr.{Fn.select(3, fields)}.{Aws.URL_SUFFIX}/{name}"


# -- the repository --------------------------------------------------------------------------------

class RepositoryBase(Construct):
    """What a repository made here (`Repository`) and one made elsewhere (`Repository.from_repository_*`)
    share: references and grants."""

    @property
    def repository_name(self) -> Any:
        raise NotImplementedError

    @property
    def repository_arn(self) -> Any:
        raise NotImplementedError

    @property
    def repository_uri(self) -> Any:
        """The registry host and the repository's name: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api."""
        raise NotImplementedError

    def repository_uri_for_tag(self, tag: str | Token = "latest") -> Any:
        """The image of `tag` in this repository (`<uri>:<tag>`)."""
        problem = image_tag_rule(tag)
        if problem:
            raise self._error(f"repository_uri_for_tag: {problem}")
        return f"{self.repository_uri}:{tag}"

    def repository_uri_for_digest(self, digest: str | Token) -> Any:
        """The image of `digest` ("sha256:...") in this repository (`<uri>@<digest>`)."""
        problem = image_digest_rule(digest)
        if problem:
            raise self._error(f"repository_uri_for_digest: {problem}")
        return f"{self.repository_uri}@{digest}"

    # -- grants ------------------------------------------------------------------------------------

    def grant_pull(self, grantee: Any) -> iam.Grant:
        """Pull images: ecr:BatchCheckLayerAvailability, GetDownloadUrlForLayer and BatchGetImage on this
        repository, and ecr:GetAuthorizationToken (the registry login) on "*"."""
        return grant_pull(grantee, self.repository_arn, scope=self)

    def grant_push(self, grantee: Any) -> iam.Grant:
        """Push images: upload layers and put manifests in this repository, and the registry login."""
        return _grant(grantee, self.repository_arn, PUSH_ACTIONS, self)

    def grant_pull_push(self, grantee: Any) -> iam.Grant:
        """Both of the above, in one statement on the repository (a build that pulls its cache and pushes)."""
        return _grant(grantee, self.repository_arn, tuple(sorted(set(PULL_ACTIONS + PUSH_ACTIONS))), self)

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        """An error about a call on this repository, pointing at the user's line that made the call."""
        return ConstructError(message, path=self.path, location=caller_location(2) or self.location, hint=hint)


class Repository(RepositoryBase):
    """A private ECR repository (`AWS::ECR::Repository`, the child `Resource`).

    Args:
        repository_name: the repository's name, lowercase, with "/" between namespaces ("shop/api");
            CloudFormation generates one when omitted (a fixed name makes the repository impossible to
            replace without a name change).
        image_scan_on_push: scan each pushed image for known vulnerabilities (default True).
        image_tag_mutability: a `TagMutability`: IMMUTABLE (default: a pushed tag always names the same
            image) or MUTABLE (a push may move a tag), or one of the *_WITH_EXCLUSION values.
        image_tag_mutability_exclusion_filters: with a *_WITH_EXCLUSION mutability, the tag wildcards
            ("latest", "dev-*") that are the exception to it.
        lifecycle_rules: `LifecycleRule`s that expire old images; more with `add_lifecycle_rule`.
        encryption: how images are encrypted at rest: "AES256" (default without a key; S3-managed keys),
            "KMS" (the AWS managed key aws/ecr, or encryption_key), or another value of the schema's
            EncryptionType. Changing it replaces the repository.
        encryption_key: the kms.Key images are encrypted with (encryption "KMS" is then implied).
        removal_policy: what happens to the repository when it leaves the stack or is replaced: "retain"
            (default) or "destroy".
        empty_on_delete: with removal_policy "destroy", let CloudFormation delete the repository even
            when it still holds images (they are deleted with it); without it a non-empty repository
            fails to delete.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        repository_name: Annotated[str | Token | None, Cfn("RepositoryName")] = None,
        image_scan_on_push: bool = True,
        image_tag_mutability: Annotated[str, Cfn("ImageTagMutability")] = TagMutability.IMMUTABLE,
        image_tag_mutability_exclusion_filters: Sequence[str] | None = None,
        lifecycle_rules: Sequence[LifecycleRule] = (),
        encryption: Annotated[str | None, Check(schema_rule(RESOURCE_TYPE, "EncryptionConfiguration",
                                                            "EncryptionType"))] = None,
        encryption_key: kms.KeyBase | None = None,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
        empty_on_delete: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.encryption_key = encryption_key
        self.encryption = encryption or (KMS if encryption_key is not None else AES256)
        self._check_combinations(image_tag_mutability, image_tag_mutability_exclusion_filters, removal_policy,
                                 empty_on_delete)
        self._lifecycle = _LifecyclePolicy()
        self._policy = iam.PolicyDocument()
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "RepositoryName": repository_name,
            "ImageScanningConfiguration": {"ScanOnPush": image_scan_on_push},
            "ImageTagMutability": image_tag_mutability,
            "ImageTagMutabilityExclusionFilters": self._exclusion_filters(image_tag_mutability_exclusion_filters),
            "EncryptionConfiguration": {
                "EncryptionType": self.encryption,
                "KmsKey": None if encryption_key is None else encryption_key.key_arn,
            },
            "LifecyclePolicy": Lazy(self._lifecycle_policy),
            "RepositoryPolicyText": Lazy(lambda: self._policy.to_json() if self._policy.statements else None),
            "EmptyOnDelete": True if empty_on_delete else None,
        })
        apply_removal_policy(self.resource, removal_policy)
        for rule in lifecycle_rules:
            self._add_rule(rule, rule.location or self.location)

    def _check_combinations(self, mutability: str, filters: Sequence[str] | None, removal_policy: str,
                            empty_on_delete: bool) -> None:
        problem = None
        if self.encryption_key is not None and self.encryption == AES256:
            problem = "encryption_key is used with KMS encryption, not AES256 (leave encryption out)"
        elif mutability.endswith("_WITH_EXCLUSION") != bool(filters):
            problem = (f"image_tag_mutability {mutability} needs image_tag_mutability_exclusion_filters"
                       if not filters else
                       f"image_tag_mutability_exclusion_filters are only used with a *_WITH_EXCLUSION "
                       f"image_tag_mutability, not {mutability}")
        elif empty_on_delete and removal_policy != DESTROY:
            problem = (f"empty_on_delete only matters when the repository is deleted, and with removal_policy "
                       f"{removal_policy!r} CloudFormation never deletes it (pass removal_policy='destroy')")
        if problem is not None:
            raise ConstructError(f"invalid argument for Repository {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    def _exclusion_filters(self, filters: Sequence[str] | None) -> list[dict[str, str]] | None:
        if not filters:
            return None
        path = ("ImageTagMutabilityExclusionFilters", "ImageTagMutabilityExclusionFilterType")
        kinds = property_enum(RESOURCE_TYPE, *path)
        if len(kinds) != 1:
            raise ConstructError(f"the {RESOURCE_TYPE} schema no longer names one exclusion filter type "
                                 f"({kinds!r}); iac needs updating", path=self.path, location=self.location)
        rendered = [{"ImageTagMutabilityExclusionFilterType": kinds[0], "ImageTagMutabilityExclusionFilterValue": value}
                    for value in filters]
        problem = schema_problem(RESOURCE_TYPE, ("ImageTagMutabilityExclusionFilters",), rendered)
        if problem:
            raise ConstructError(f"invalid argument for Repository {self.id!r}: image_tag_mutability_exclusion_filters"
                                 f": {problem}", path=self.path, location=self.location)
        return rendered

    # -- repository policy ---------------------------------------------------------------------------

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the repository policy (RepositoryPolicyText): who else may pull or push, such
        as another account (`iam.AccountPrincipal(...)`) or a service. It names no resources: a repository
        policy applies to its repository. Grants to this account's roles need no statement here."""
        problem = iam.resource_statement_problem(statement, "repository policy")
        if problem is None and statement.resources:
            problem = ("a repository policy statement names no resources: it applies to this repository (ECR "
                       "refuses a Resource element)", "leave resources= out")
        if problem is not None:
            raise self._error(*problem)
        self._policy.add_statements(statement)

    # -- lifecycle -----------------------------------------------------------------------------------

    def add_lifecycle_rule(self, rule: LifecycleRule) -> None:
        """Add a rule to the repository's lifecycle policy (checked against the rules already there)."""
        if not isinstance(rule, LifecycleRule):
            raise self._error(f"add_lifecycle_rule takes an ecr.LifecycleRule, got {rule!r}")
        self._add_rule(rule, caller_location() or self.location)

    def _add_rule(self, rule: LifecycleRule, location: SourceLocation | None) -> None:
        problem = self._lifecycle.add(rule)
        if problem is None:
            text = self._lifecycle.text()
            problem = schema_problem(RESOURCE_TYPE, ("LifecyclePolicy", "LifecyclePolicyText"), text)
            if problem is not None:  # too long: take the rule back out
                if rule is self._lifecycle.any_rule:
                    self._lifecycle.any_rule = None
                else:
                    self._lifecycle.ranked.pop()
        if problem is not None:
            raise ConstructError(f"lifecycle rule of Repository {self.id!r}: {problem}", path=self.path,
                                 location=location)

    @property
    def lifecycle_policy(self) -> dict[str, Any] | None:
        """The lifecycle policy as ECR reads it (the parsed LifecyclePolicyText), or None without rules."""
        return self._lifecycle.document()

    def _lifecycle_policy(self) -> dict[str, Any] | None:
        text = self._lifecycle.text()
        return None if text is None else {"LifecyclePolicyText": text}

    # -- references ----------------------------------------------------------------------------------

    @property
    def repository_name(self) -> Token:
        return self.resource.ref

    @property
    def repository_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def repository_uri(self) -> Token:
        return self.resource.get_att("RepositoryUri")

    # -- existing repositories -----------------------------------------------------------------------

    @classmethod
    def from_repository_name(cls, scope: Construct, id: str, repository_name: str | Token) -> ImportedRepository:
        """A repository that exists in the stack's account and region, by name; nothing is added to the
        template."""
        return ImportedRepository(scope, id, repository_name=repository_name)

    @classmethod
    def from_repository_arn(cls, scope: Construct, id: str, repository_arn: str | Token) -> ImportedRepository:
        """A repository that exists, by ARN (another account's or region's too); nothing is added to the
        template."""
        return ImportedRepository(scope, id, repository_arn=repository_arn)


class ImportedRepository(RepositoryBase):
    """An ECR repository made elsewhere (usually through `Repository.from_repository_name` or
    `from_repository_arn`); nothing is added to the template. Grants and `ecs.ContainerImage.from_ecr` work
    on it; its lifecycle policy belongs to the stack that made it, so `add_lifecycle_rule` is refused.

    Args:
        repository_name: the repository's name, in the stack's account and region.
        repository_arn: the repository's ARN, arn:aws:ecr:region:account:repository/name, or a deploy-time
            value. Give the name or the ARN.
    """

    def __init__(self, scope: Construct, id: str, *,
                 repository_name: Annotated[str | Token | None, Check(repository_name_rule)] = None,
                 repository_arn: str | Token | None = None) -> None:
        super().__init__(scope, id)
        if (repository_name is None) == (repository_arn is None):
            raise ConstructError(f"ImportedRepository {id!r} needs repository_name or repository_arn (one of them)",
                                 path=self.path, location=self.location)
        if repository_arn is not None:
            parsed = parse_repository_arn(repository_arn)
            if parsed is None:
                raise ConstructError(f"{repository_arn!r} is not an ECR repository ARN (arn:aws:ecr:region:account:"
                                     "repository/name)", path=self.path, location=self.location)
            self._name, self._uri = parsed
            self._arn = repository_arn
        else:
            self._name = repository_name
            self._arn = repository_arn_for_name(repository_name)
            self._uri = repository_uri_for_name(repository_name)

    @property
    def repository_name(self) -> Any:
        return self._name

    @property
    def repository_arn(self) -> Any:
        return self._arn

    @property
    def repository_uri(self) -> Any:
        return self._uri

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        raise self._error(f"cannot add a statement to the repository policy of the imported repository {self.path}: "
                          "a repository has one policy, and one set here would replace its owner's",
                          hint="grant to the principal instead (repository.grant_pull(role)), or add the statement "
                          "where the repository is defined")

    def add_lifecycle_rule(self, rule: LifecycleRule) -> None:
        raise self._error(f"cannot add a lifecycle rule to the imported repository {self.path}: its lifecycle "
                          "policy belongs to the stack that made it (one set here would replace it)",
                          hint="add the rule where the repository is defined")


__all__ = [
    "AES256",
    "AUTH_ACTION",
    "IMAGE_DIGEST",
    "IMAGE_TAG",
    "KMS",
    "ImportedRepository",
    "LifecycleRule",
    "PULL_ACTIONS",
    "PUSH_ACTIONS",
    "Repository",
    "RepositoryBase",
    "TagMutability",
    "TagStatus",
    "grant_pull",
    "image_digest_rule",
    "image_tag_rule",
    "parse_repository_arn",
    "repository_arn_for_name",
    "repository_name_rule",
    "repository_uri_for_name",
]
