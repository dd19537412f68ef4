"""ECS on Fargate: clusters, task definitions with their containers, and services.

    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=512, memory_limit_mib=1024)
    task.add_container("web", image=ecs.ContainerImage.from_registry("nginx"), port_mappings=[80])
    ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)

What the constructs decide for you, and why:
- cpu and memory are checked against the pairs Fargate accepts (read from the data cfn-lint ships),
  so a wrong pair fails at your line instead of twenty minutes into a deployment.
- Each task definition has a task role (what your code may do: grant to the task definition) and,
  once something needs it, an execution role (what ECS does for the task: pull the image, write the
  logs, read the secrets), each with exactly those permissions.
- Containers log to a CloudWatch log group of their own (awslogs driver) that expires its events.
- Secrets never appear in a template or a task definition: they are references to Secrets Manager or
  SSM Parameter Store that ECS resolves when a task starts; a literal value is refused.
- A service runs in the VPC's private subnets with a security group of its own that lets nothing in
  and only HTTPS out (image pulls, logs, AWS APIs); a failing deployment rolls back by itself
  (deployment circuit breaker with rollback), and new tasks start before old ones stop.

Stability contract (changing these ids replaces the resources): a container's log group lives at
`<task definition>/<container name>/LogGroup`; the roles at `<task definition>/TaskRole` and
`<task definition>/ExecutionRole`; a service's group at `<service>/SecurityGroup`.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, Protocol, cast, runtime_checkable

import attrs

from iac.constructs import ec2, ecr, iam, logs
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.forwarding import checked_keywords
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.protocols import ImageRepository
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, Size
from iac.errors import ConstructError, UsageError
from iac.specs import property_enum, property_length

ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"
ECR_PULL_ACTIONS = ecr.PULL_ACTIONS  # the names ecs had before ecr.py; ecr.grant_pull writes them
ECR_AUTH_ACTION = ecr.AUTH_ACTION
SECRETS_MANAGER_READ = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
SSM_READ = ("ssm:GetParameters",)
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
FARGATE_SIZES_FILE = "aws_ecs_taskdefinition/fargate_cpu_memory"  # cfn-lint's schema extension (rule E3047)
SERVICE = "AWS::ECS::Service"
#: ECS's limits the schemas leave out (they type these as plain integers).
MAX_CONTAINER_CPU = 32768
CONTAINER_MEMORY_MIB = (6, 249856)  # Docker needs 6 MiB at least
MAX_INT32 = 2147483647
CONTAINER_INSIGHTS = {True: "enabled", False: "disabled", "enhanced": "enhanced"}
DEFAULT_GRACE_PERIOD_SECONDS = 60
_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
_ECS_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_DYNAMIC_REFERENCE = re.compile(r"^\{\{resolve:(ssm|ssm-secure|secretsmanager):(.+)\}\}$", re.DOTALL)
_SECRET_REFERENCE = re.compile(r"\{\{resolve:(ssm-secure|secretsmanager):")

# -- Fargate sizes ---------------------------------------------------------------------------------

@functools.cache
def fargate_cpu_memory() -> dict[int, tuple[int, ...]]:
    """Fargate cpu units -> the memory sizes (MiB) it accepts with them.

    Read from the schema extension cfn-lint checks task definitions with (rule E3047), so iac refuses
    exactly what the linter would, and follows AWS when cfn-lint is upgraded. There is no hand-kept
    copy to fall back on: data that cannot be read is a UsageError naming the file.
    """
    from iac.specs import schema_extension  # only when a task definition is built

    try:
        options = schema_extension(*FARGATE_SIZES_FILE.split("/"))["then"]["anyOf"]
        table: dict[int, tuple[int, ...]] = {}
        for option in options:
            cpu = int(option["properties"]["Cpu"]["then"]["enum"][0])
            memory = option["properties"]["Memory"]["then"]
            if "enum" in memory:
                table[cpu] = tuple(int(m) for m in memory["enum"])
            else:
                table[cpu] = tuple(range(memory["minimum"], memory["maximum"] + 1, memory["multipleOf"]))
    except (OSError, KeyError, IndexError, TypeError, ValueError) as error:
        table, problem = {}, f"{type(error).__name__}: {error}"
    else:
        problem = "it lists no sizes"
    if not table:
        raise UsageError(f"cfn-lint's Fargate cpu/memory table (schemas/extensions/{FARGATE_SIZES_FILE}.json) "
                         f"could not be read ({problem})",
                         hint="reinstall iac with the cfn-lint version it pins (pip install -e .)")
    return table


def _describe_sizes(sizes: tuple[int, ...]) -> str:
    """"512, 1024, 2048" or, for a long evenly spaced list, "8192 to 30720 in steps of 1024"."""
    if len(sizes) > 4 and len({b - a for a, b in zip(sizes, sizes[1:], strict=False)}) == 1:
        return f"{sizes[0]} to {sizes[-1]} in steps of {sizes[1] - sizes[0]}"
    return ", ".join(map(str, sizes))


def check_fargate_size(cpu: Any, memory_mib: Any) -> None:
    """ValueError naming the valid values when Fargate does not accept `cpu` with `memory_mib`."""
    table = fargate_cpu_memory()
    if isinstance(cpu, bool) or not isinstance(cpu, int) or cpu not in table:
        raise ValueError(f"cpu {cpu!r} is not a Fargate size; use one of {', '.join(map(str, table))} "
                         "(1024 units = 1 vCPU)")
    if isinstance(memory_mib, bool) or not isinstance(memory_mib, int) or memory_mib not in table[cpu]:
        raise ValueError(f"Fargate does not accept memory_limit_mib {memory_mib!r} with cpu {cpu}; with cpu {cpu} "
                         f"the valid memory values (MiB) are {_describe_sizes(table[cpu])}")


# -- images ----------------------------------------------------------------------------------------

class ContainerImage:
    """Where a container's image comes from: `from_registry("nginx")` or `from_ecr(repository, tag="v42")`."""

    def bind(self, container: ContainerDefinition) -> Any:
        """The image reference to write; grants the execution role what pulling it needs."""
        raise NotImplementedError

    @staticmethod
    def from_registry(name: str) -> ContainerImage:
        """A public image by name ("amazon/amazon-ecs-sample", "public.ecr.aws/nginx/nginx:1.27")."""
        if not is_token(name) and (not isinstance(name, str) or not name or any(c.isspace() for c in name)):
            raise ConstructError(f"from_registry needs an image name such as 'nginx:1.27', got {name!r}",
                                 location=caller_location())
        return RegistryImage(name)

    @staticmethod
    def from_ecr(repository: ecr.RepositoryBase, *, tag: str | Token | None = None,
                 digest: str | Token | None = None) -> ContainerImage:
        """The image of `tag` (default "latest") or of `digest` ("sha256:...", the exact image) in an
        ecr.Repository (or `ecr.Repository.from_repository_name/arn`). The task's execution role may then pull
        from that repository only (and log in to the registry)."""
        location = caller_location()
        if not isinstance(repository, ecr.RepositoryBase):
            raise ConstructError(f"from_ecr takes an ecr.Repository (or ecr.Repository.from_repository_name/arn), "
                                 f"got {repository!r}", location=location,
                                 hint="for a name, ARN or AWS::ECR::Repository resource use from_ecr_repository")
        if tag is not None and digest is not None:
            raise ConstructError("from_ecr: give tag or digest, not both", path=repository.path, location=location)
        problem = ecr.image_digest_rule(digest) if digest is not None else ecr.image_tag_rule(tag or "latest")
        if problem:
            raise ConstructError(f"from_ecr: {problem}", path=repository.path, location=location)
        image = (f"{repository.repository_uri}@{digest}" if digest is not None
                 else f"{repository.repository_uri}:{tag or 'latest'}")
        return EcrImage(repository_arn=repository.repository_arn, image=image)

    @staticmethod
    def from_ecr_repository(repository: Any, tag: str = "latest") -> ContainerImage:
        """An image in an ECR repository given by what `from_ecr` does not take: a repository name (this
        account and region), a repository ARN, an AWS::ECR::Repository resource, or anything with
        `repository_arn` and `repository_uri`; an ecr.Repository goes to `from_ecr`. `tag` may be a tag or a
        digest ("sha256:...")."""
        location = caller_location()
        if not isinstance(tag, str) or not tag:
            raise ConstructError(f"from_ecr_repository: tag must be a tag or a digest, got {tag!r}", location=location)
        digest = tag.startswith("sha256:")
        if isinstance(repository, ecr.RepositoryBase):
            return ContainerImage.from_ecr(repository, **({"digest": tag} if digest else {"tag": tag}))
        arn, uri = _ecr_repository(repository, location)
        return EcrImage(repository_arn=arn, image=f"{uri}{'@' if digest else ':'}{tag}")


@attrs.frozen
class RegistryImage(ContainerImage):
    name: str

    def bind(self, container: ContainerDefinition) -> Any:
        return self.name


@attrs.frozen(kw_only=True)
class EcrImage(ContainerImage):
    repository_arn: Any
    image: Any

    def bind(self, container: ContainerDefinition) -> Any:
        ecr.grant_pull(container.task_definition.obtain_execution_role(), self.repository_arn, scope=container)
        return self.image


def _ecr_repository(repository: Any, location: Any) -> tuple[Any, Any]:
    """(ARN, URI) of a repository given by name, ARN, resource or L2 object."""
    if isinstance(repository, CfnResource) and repository.resource_type == ecr.RESOURCE_TYPE:
        return repository.get_att("Arn"), repository.get_att("RepositoryUri")
    if isinstance(repository, ImageRepository):
        return repository.repository_arn, repository.repository_uri
    if isinstance(repository, str) and repository.startswith("arn:"):
        parsed = ecr.parse_repository_arn(repository)
        if parsed is not None:
            return repository, parsed[1]
    elif isinstance(repository, str) and ecr.repository_name_rule(repository) is None:
        return ecr.repository_arn_for_name(repository), ecr.repository_uri_for_name(repository)
    raise ConstructError(f"from_ecr_repository needs a repository name, an ECR repository ARN or an "
                         f"AWS::ECR::Repository resource, got {repository!r}", location=location)


# -- secrets ---------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class Secret:
    """A value ECS reads from Secrets Manager or SSM Parameter Store when a task starts.

    The template holds only where the value lives (ECS's `ValueFrom`); the execution role may read
    exactly that secret or parameter. A secret encrypted with your own KMS key also needs
    `kms:Decrypt` on that key for the execution role (`task.obtain_execution_role().add_to_policy`).
    """

    value_from: Any
    actions: tuple[str, ...]
    resource: Any

    @staticmethod
    def from_secrets_manager(secret: Any, *, field: str | None = None, version_stage: str | None = None,
                             version_id: str | None = None) -> Secret:
        """A Secrets Manager secret by ARN (string or token) or by name (this account and region);
        `field` picks one key of a JSON secret."""
        return _secrets_manager(secret, field, version_stage, version_id, caller_location())

    @staticmethod
    def from_ssm_parameter(name: Any) -> Secret:
        """An SSM parameter (String or SecureString) by name ("/app/db-password") or ARN."""
        return _ssm_parameter(name, caller_location())

    @staticmethod
    def from_dynamic_reference(reference: str) -> Secret:
        """`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}` or `{{resolve:ssm:...}}`, the
        way CloudFormation writes them; ECS reads the value itself, so it never passes through the stack."""
        return _from_dynamic_reference(reference, caller_location())


def _fits(name: Any, characters: str, resource_type: str) -> bool:
    """A name of the service's characters (the service's rule) and of the length the type's schema gives
    its Name (1-512 for a secret, 1-2048 for a parameter in the pinned schemas)."""
    if not isinstance(name, str) or not re.fullmatch(characters, name):
        return False
    shortest, longest = property_length(resource_type, "Name")
    return max(shortest or 0, 1) <= len(name) <= (longest or len(name))


def _secrets_manager(secret: Any, field: Any, stage: Any, version: Any, location: Any) -> Secret:
    for name, value in (("field", field), ("version_stage", stage), ("version_id", version)):
        if value is not None and (not isinstance(value, str) or not value or ":" in value):
            raise ConstructError(f"Secret.from_secrets_manager: {name} must be a non-empty string without ':', "
                                 f"got {value!r}", location=location)
    # ECS's ValueFrom: the secret's ARN, then ":json-key:version-stage:version-id" to pick a part of it.
    selector = f":{field or ''}:{stage or ''}:{version or ''}" if field or stage or version else ""
    if is_token(secret) or (isinstance(secret, str) and secret.startswith("arn:")):
        return Secret(value_from=f"{secret}{selector}", actions=SECRETS_MANAGER_READ, resource=secret)
    if not _fits(secret, r"[A-Za-z0-9/_+=.@-]+", "AWS::SecretsManager::Secret"):
        raise ConstructError(f"Secret.from_secrets_manager needs a secret ARN or name, got {secret!r}",
                             location=location)
    # A name gives a partial ARN (this account and region); the full ARN ends in "-" and six random
    # characters the name does not have, which the policy must allow for.
    arn = f"arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{secret}"
    return Secret(value_from=Fn.sub(arn + selector), actions=SECRETS_MANAGER_READ, resource=Fn.sub(arn + "-??????"))


def _ssm_parameter(name: Any, location: Any) -> Secret:
    if is_token(name) or (isinstance(name, str) and name.startswith("arn:")):
        return Secret(value_from=name, actions=SSM_READ, resource=name)
    if not _fits(name, r"[A-Za-z0-9_.\-/]+", "AWS::SSM::Parameter"):
        raise ConstructError(f"Secret.from_ssm_parameter needs a parameter name such as '/app/password' or an "
                             f"ARN, got {name!r}", location=location)
    path = name if name.startswith("/") else f"/{name}"
    arn = Fn.sub(f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{path}")
    return Secret(value_from=arn, actions=SSM_READ, resource=arn)


def _from_dynamic_reference(reference: Any, location: Any) -> Secret:
    match = _DYNAMIC_REFERENCE.match(reference) if isinstance(reference, str) else None
    if match is None:
        raise ConstructError(
            "a secret must be a dynamic reference ('{{resolve:secretsmanager:name:SecretString:key}}', "
            "'{{resolve:ssm-secure:/name}}') or an ecs.Secret, never a literal value"
            + (f" (got a {type(reference).__name__})" if not isinstance(reference, str) else ""),
            location=location,
            hint="store the value in Secrets Manager or SSM Parameter Store and refer to it; "
                 "a literal would be readable in the template and the task definition")
    service, body = match.groups()
    if service in ("ssm", "ssm-secure"):
        name, _, version = body.partition(":")
        if version:
            raise ConstructError(f"{reference}: ECS reads the latest version of a parameter; remove ':{version}'",
                                 location=location)
        return _ssm_parameter(name, location)
    if body.startswith("arn:"):
        parts = body.split(":")
        secret, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret, *rest = body.split(":")
    if rest and rest[0] not in ("", "SecretString"):
        raise ConstructError(f"{reference}: only SecretString secrets can be given to a container",
                             location=location)
    field, stage, version = (list(rest[1:4]) + [None, None, None])[:3]
    return _secrets_manager(secret, field or None, stage or None, version or None, location)


def _as_secret(value: Any, location: Any) -> Secret:
    return value if isinstance(value, Secret) else _from_dynamic_reference(value, location)


# -- logging ---------------------------------------------------------------------------------------

class _LogGroupDefault:
    def __repr__(self) -> str:
        return "<the LogGroup default>"


LOG_GROUP_DEFAULT: Any = _LogGroupDefault()  # retention_days not given (None means "never expire")


@attrs.frozen(kw_only=True)
class AwsLogDriver:
    """Send a container's output to CloudWatch Logs: `LogDriver.aws_logs(stream_prefix="web")`.

    Without `log_group`, the container gets a log group of its own that keeps events
    `retention_days` (the LogGroup default unless given). Stream names are `<prefix>/<container>/<task id>`.
    """

    stream_prefix: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(str)))
    log_group: logs.LogGroup | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(logs.LogGroup)))
    retention_days: int | Duration | None = attrs.field(default=LOG_GROUP_DEFAULT)  # checked by the LogGroup

    def __attrs_post_init__(self) -> None:
        if self.log_group is not None and self.retention_days is not LOG_GROUP_DEFAULT:
            raise ValueError("give log_group or retention_days, not both (the group has its own retention)")

    def bind(self, container: ContainerDefinition) -> dict[str, Any]:
        group = self.log_group
        if group is None:
            group = (logs.LogGroup(container, "LogGroup") if self.retention_days is LOG_GROUP_DEFAULT
                     else logs.LogGroup(container, "LogGroup", retention_days=self.retention_days))
        container.log_group = group
        group.grant_write(container.task_definition.obtain_execution_role())
        return {"LogDriver": "awslogs", "Options": {
            "awslogs-group": group.log_group_name,
            "awslogs-stream-prefix": self.stream_prefix or container.container_name,
            "awslogs-region": Aws.REGION,
        }}


class LogDriver:
    """Log drivers for `add_container(logging=...)`."""

    @staticmethod
    def aws_logs(*, stream_prefix: str | None = None, log_group: logs.LogGroup | None = None,
                 retention_days: int | Duration | None = LOG_GROUP_DEFAULT) -> AwsLogDriver:
        try:
            return AwsLogDriver(stream_prefix=stream_prefix, log_group=log_group, retention_days=retention_days)
        except (TypeError, ValueError) as error:
            raise ConstructError(f"LogDriver.aws_logs: {error}", location=caller_location()) from None


# -- rules the schemas cannot say, and enums they hold deeper than a top-level property -------------

def schema_enum_rule(resource_type: str, *path: str) -> Callable[[Any], str | None]:
    """A Check rule: the value is one the schema lists for the nested property at `path` (read when
    first used, so it follows the pinned cfn-lint)."""
    where = f"{resource_type} {'.'.join(path)}"

    def rule(value: Any) -> str | None:
        options = property_enum(resource_type, *path)
        if not options or value in options:
            return None
        spelt = {str(option).lower(): option for option in options}
        close = difflib.get_close_matches(str(value).lower(), list(spelt), n=1, cutoff=0.5)
        suggestion = f" (did you mean {spelt[close[0]]!r}?)" if close else ""
        return f"{value!r} is not one of {', '.join(map(repr, options))}{suggestion} ({where}, per its schema)"

    rule.__name__ = f"enum_of_{'_'.join(path)}"
    return rule


def whole_number_rule(low: int, high: int, unit: str = "") -> Callable[[Any], str | None]:
    """A Check rule: a number from `low` to `high` (ECS's limits, which the schemas do not state)."""
    def rule(value: Any) -> str | None:
        return None if low <= value <= high else f"{value} is not from {low} to {high}{unit}"

    rule.__name__ = f"from_{low}_to_{high}"
    return rule


def name_rule(what: str) -> Callable[[Any], str | None]:
    """A Check rule: 1-255 letters, digits, '_' or '-' (ECS's rule for families and cluster names)."""
    def rule(value: Any) -> str | None:
        if is_token(value) or (isinstance(value, str) and _ECS_NAME.match(value)):
            return None
        return f"{value!r} is not a {what}: use 1-255 letters, digits, '_' or '-'"

    rule.__name__ = f"{what.replace(' ', '_')}_rule"
    return rule


def environment_rule(value: Mapping[str, Any]) -> str | None:
    """Variable names are non-empty; a secret never travels as a plain variable."""
    for key, item in value.items():
        if not key:
            return "environment variable names must be non-empty strings"
        if isinstance(item, str) and _SECRET_REFERENCE.search(item):
            return (f"environment variable {key!r} holds a secret reference: CloudFormation would resolve it into "
                    "the task definition, readable by anyone who can describe it; pass it as "
                    f"secrets={{{key!r}: ...}} instead")
    return None


# -- containers ------------------------------------------------------------------------------------

def _port_protocol(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    problem = schema_enum_rule(TASK_DEFINITION, "ContainerDefinitions", "PortMappings", "Protocol")(value)
    if problem:
        raise ValueError(f"port mapping protocol: {problem}")


def _port_number(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError(f"container_port must be a port number from 1 to 65535, got {value!r}")


@attrs.frozen
class PortMapping:
    """A port the container listens on (with awsvpc networking the task's address uses the same port).
    `protocol` is one the TaskDefinition schema lists for PortMappings ("tcp", "udp")."""

    container_port: int = attrs.field(validator=_port_number)
    protocol: str = attrs.field(default="tcp", validator=_port_protocol)
    name: str | None = None


def _port_mappings(value: int | PortMapping | Sequence[int | PortMapping]) -> tuple[PortMapping, ...]:
    items = [value] if isinstance(value, int | PortMapping) else list(value or ())
    return tuple(item if isinstance(item, PortMapping) else PortMapping(item) for item in items)


class ContainerDefinition(Construct):
    """One container of a task definition; made by `task_definition.add_container(name, ...)`.

    Args:
        image: where the image comes from: `ContainerImage.from_registry(...)`,
            `ContainerImage.from_ecr(repository, tag=...)` or `ContainerImage.from_ecr_repository(...)`.
        port_mappings: the ports it listens on: numbers (tcp) or PortMappings.
        environment: plain environment variables (name -> string or number); never secrets.
        secrets: variables ECS reads from Secrets Manager or SSM Parameter Store when a task starts
            (name -> a dynamic reference '{{resolve:...}}' or an ecs.Secret); the execution role may
            read exactly those.
        logging: True (default): a CloudWatch log group of its own; False: no logs; or
            `LogDriver.aws_logs(...)`.
        command: the command, instead of the image's CMD.
        entry_point: the entry point, instead of the image's ENTRYPOINT.
        essential: whether the task stops when this container stops (True).
        cpu: CPU units reserved for the container, 0 to 32768 (1024 = 1 vCPU).
        memory_limit_mib: the hard memory limit, 6 to 249856 MiB (a number of MiB or a Size).
        memory_reservation_mib: the soft memory limit, 6 to 249856 MiB (a number of MiB or a Size).
        readonly_root_filesystem: mount the root file system read-only (False).
        container_name: the container's name in the task definition (default: the id); 1-255
            letters, digits, '_' or '-'.
    """

    def __init__(
        self,
        scope: FargateTaskDefinition,
        id: str,
        *,
        image: ContainerImage,
        port_mappings: int | PortMapping | Sequence[int | PortMapping] = (),
        environment: Annotated[Mapping[str, str | int | float | Token] | None, Check(environment_rule)] = None,
        secrets: Mapping[str, str | Secret] | None = None,
        logging: bool | AwsLogDriver = True,
        command: Sequence[str | Token] | None = None,
        entry_point: Sequence[str | Token] | None = None,
        essential: bool = True,
        cpu: Annotated[int | None, Check(whole_number_rule(0, MAX_CONTAINER_CPU))] = None,
        memory_limit_mib: Annotated[int | Size | None, Unit("MiB"),
                                    Check(whole_number_rule(*CONTAINER_MEMORY_MIB, " MiB"))] = None,
        memory_reservation_mib: Annotated[int | Size | None, Unit("MiB"),
                                          Check(whole_number_rule(*CONTAINER_MEMORY_MIB, " MiB"))] = None,
        readonly_root_filesystem: bool = False,
        container_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.task_definition = scope
        self.container_name: str = container_name or id
        self.image = image
        self.environment: dict[str, Any] = dict(environment or {})
        self.command = list(command) if command is not None else None
        self.entry_point = list(entry_point) if entry_point is not None else None
        self.essential = essential
        self.cpu = cpu
        self.memory_limit_mib = memory_limit_mib
        self.memory_reservation_mib = memory_reservation_mib
        self.readonly_root_filesystem = readonly_root_filesystem
        self.port_mappings: tuple[PortMapping, ...] = self._checked(
            lambda: self._combination(_port_mappings(port_mappings), dict(secrets or {})))
        self.log_group: logs.LogGroup | None = None
        self.secrets = {name: self._secret(name, value) for name, value in (secrets or {}).items()}
        self._image = image.bind(self)
        self._logging = self._log_configuration(logging)

    def _checked(self, make: Callable[[], Any]) -> Any:
        try:
            return make()
        except (TypeError, ValueError) as error:
            raise ConstructError(f"invalid argument for ContainerDefinition {self.id!r}: {error}", path=self.path,
                                 location=self.location) from None

    def _combination(self, ports: tuple[PortMapping, ...], secrets: dict[str, Any]) -> tuple[PortMapping, ...]:
        """The rules between props (each prop alone was checked against its declaration)."""
        if not _CONTAINER_NAME.match(self.container_name):
            raise ValueError(f"container name {self.container_name!r} must be 1-255 letters, digits, '_' or '-'")
        both = sorted(set(self.environment) & set(secrets))
        if both:
            raise ValueError(f"{', '.join(both)} is in both environment and secrets; a variable has one source")
        pairs = [(mapping.container_port, mapping.protocol) for mapping in ports]
        if len(set(pairs)) != len(pairs):
            raise ValueError(f"port_mappings lists a port twice: {pairs}")
        return ports

    def _secret(self, name: str, value: Any) -> Secret:
        try:
            secret = _as_secret(value, self.location)
        except ConstructError as error:
            raise ConstructError(f"secret {name!r} of container {self.container_name!r}: {error.message}",
                                 path=self.path, location=self.location, hint=error.hint) from None
        role = self.task_definition.obtain_execution_role()
        role.add_to_policy(iam.PolicyStatement(actions=list(secret.actions), resources=[secret.resource]))
        return secret

    def _log_configuration(self, logging: bool | AwsLogDriver) -> dict[str, Any] | None:
        if logging is False:
            return None
        driver = AwsLogDriver() if logging is True else logging
        return driver.bind(self)

    def render(self) -> dict[str, Any]:
        """The ContainerDefinitions entry."""
        return {
            "Name": self.container_name,
            "Image": self._image,
            "Essential": self.essential,
            "PortMappings": [{"ContainerPort": m.container_port, "Protocol": m.protocol, "Name": m.name}
                             for m in self.port_mappings] or None,
            "Environment": [{"Name": k, "Value": str(v) if isinstance(v, int | float) else v}
                            for k, v in sorted(self.environment.items())] or None,
            "Secrets": [{"Name": k, "ValueFrom": s.value_from} for k, s in sorted(self.secrets.items())] or None,
            "LogConfiguration": self._logging,
            "Command": self.command,
            "EntryPoint": self.entry_point,
            "Cpu": self.cpu,
            "Memory": self.memory_limit_mib,
            "MemoryReservation": self.memory_reservation_mib,
            "ReadonlyRootFilesystem": self.readonly_root_filesystem or None,
        }


# -- task definitions ------------------------------------------------------------------------------

class FargateTaskDefinition(Construct):
    """What a Fargate task runs: `FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)`.

    Grant to the task definition to give the running code access: `table.grant_read(task_definition)`.

    Args:
        cpu: the task's CPU units (256 = a quarter vCPU): a Fargate size, with a memory_limit_mib
            Fargate accepts for it (the pairs are cfn-lint's, see `fargate_cpu_memory`).
        memory_limit_mib: the task's memory (512 MiB; a number of MiB or a Size).
        task_role: the role the task's code runs as (default: a role of its own).
        execution_role: the role ECS uses to start the task: pull the image, write the logs, read
            the secrets (default: made when something needs it).
        family: the task definition family's name (default: CloudFormation makes one); 1-255
            letters, digits, '_' or '-'.
        cpu_architecture: "X86_64" or "ARM64" (the values the schema lists for
            RuntimePlatform.CpuArchitecture); None leaves Fargate's default (X86_64).
    """

    cfn_type = TASK_DEFINITION

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cpu: int = 256,
        memory_limit_mib: Annotated[int | Size, Unit("MiB")] = 512,
        task_role: iam.Role | None = None,
        execution_role: iam.Role | None = None,
        family: Annotated[str | Token | None, Cfn("Family"), Check(name_rule("task definition family"))] = None,
        cpu_architecture: Annotated[
            str | None, Check(schema_enum_rule(TASK_DEFINITION, "RuntimePlatform", "CpuArchitecture"))] = None,
    ) -> None:
        super().__init__(scope, id)
        try:
            check_fargate_size(cpu, memory_limit_mib)
        except ValueError as error:
            raise ConstructError(f"invalid argument for FargateTaskDefinition {id!r}: {error}", path=self.path,
                                 location=self.location) from None
        self.cpu = cpu
        self.memory_limit_mib = memory_limit_mib
        self.containers: list[ContainerDefinition] = []
        self._role_dependents: list[CfnResource] = []
        self.task_role: iam.Role = task_role or iam.Role(
            self, "TaskRole", assumed_by=iam.ServicePrincipal(ECS_TASKS_SERVICE))
        self.execution_role: iam.Role | None = execution_role
        self.resource = CfnResource(self, "Resource", type=TASK_DEFINITION, properties={
            "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc",
            "Cpu": str(cpu),
            "Memory": str(memory_limit_mib),
            "TaskRoleArn": self.task_role.role_arn,
            "ExecutionRoleArn": Lazy(lambda: self.execution_role.role_arn if self.execution_role else None),
            "ContainerDefinitions": Lazy(lambda: [container.render() for container in self.containers]),
            "Family": family,
            "RuntimePlatform": {"CpuArchitecture": cpu_architecture, "OperatingSystemFamily": "LINUX"}
            if cpu_architecture else None,
        })

    @property
    def task_definition_arn(self) -> Token:
        return self.resource.ref

    @property
    def grant_principal(self) -> iam.Role:
        return self.task_role

    @property
    def default_container(self) -> ContainerDefinition | None:
        """The first essential container: the one a load balancer sends traffic to unless told otherwise."""
        return next((c for c in self.containers if c.essential), None)

    @checked_keywords
    def add_container(
        self,
        name: str,
        *,
        image: ContainerImage,
        port_mappings: int | PortMapping | Sequence[int | PortMapping] = (),
        environment: Mapping[str, str | int | float | Token] | None = None,
        secrets: Mapping[str, str | Secret] | None = None,
        logging: bool | AwsLogDriver = True,
        command: Sequence[str | Token] | None = None,
        entry_point: Sequence[str | Token] | None = None,
        essential: bool = True,
        cpu: int | None = None,
        memory_limit_mib: int | Size | None = None,
        memory_reservation_mib: int | Size | None = None,
        readonly_root_filesystem: bool = False,
        container_name: str | None = None,
    ) -> ContainerDefinition:
        """Add a container named `name` (its id; also its name unless `container_name` says otherwise).
        The props are ContainerDefinition's, checked there."""
        container = ContainerDefinition(
            self, name, image=image, port_mappings=port_mappings, environment=environment, secrets=secrets,
            logging=logging, command=command, entry_point=entry_point, essential=essential, cpu=cpu,
            memory_limit_mib=memory_limit_mib, memory_reservation_mib=memory_reservation_mib,
            readonly_root_filesystem=readonly_root_filesystem, container_name=container_name)
        if any(c.container_name == container.container_name for c in self.containers):
            raise ConstructError(f"task definition {self.path} already has a container named "
                                 f"{container.container_name!r}", path=container.path, location=container.location)
        self.containers.append(container)
        return container

    def obtain_execution_role(self) -> iam.Role:
        """The role ECS uses to start tasks (pull images, write logs, read secrets), made on first use."""
        if self.execution_role is None:
            self.execution_role = iam.Role(self, "ExecutionRole", assumed_by=iam.ServicePrincipal(ECS_TASKS_SERVICE))
            for resource in self._role_dependents:
                self.execution_role.add_policy_dependent(resource)
        return self.execution_role

    def add_role_dependent(self, resource: CfnResource) -> None:
        """Make `resource` (a service: its tasks start at once) wait until both roles have their grants,
        including grants made and an execution role created after this call."""
        self._role_dependents.append(resource)
        for role in (self.task_role, self.execution_role):
            if role is not None:
                role.add_policy_dependent(resource)

    def validate(self) -> list[str]:
        if not self.containers:
            return [f"task definition {self.path} has no containers: add one with add_container(name, image=...)"]
        if self.default_container is None:
            return [f"task definition {self.path} has no essential container (ECS needs at least one)"]
        return []


# -- cluster ---------------------------------------------------------------------------------------

class Cluster(Construct):
    """An ECS cluster for Fargate services in `vpc`.

    Args:
        vpc: the VPC its services run in.
        container_insights: True / False / "enhanced" write the cluster's containerInsights setting;
            None (default) leaves the account's setting in charge.
        cluster_name: a fixed name (default: CloudFormation makes one); 1-255 letters, digits, '_'
            or '-'.
    """

    cfn_type = "AWS::ECS::Cluster"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.Vpc,
        container_insights: bool | Literal["enhanced"] | None = None,
        cluster_name: Annotated[str | Token | None, Cfn("ClusterName"), Check(name_rule("cluster name"))] = None,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        properties = {
            "ClusterName": cluster_name,
            "ClusterSettings": [{"Name": "containerInsights", "Value": CONTAINER_INSIGHTS[container_insights]}]
            if container_insights is not None else None,
        }
        self.resource = CfnResource(self, "Resource", type="AWS::ECS::Cluster",
                                    properties={key: value for key, value in properties.items() if value is not None})

    @property
    def cluster_name(self) -> Token:
        return self.resource.ref

    @property
    def cluster_arn(self) -> Token:
        return self.resource.get_att("Arn")


# -- services --------------------------------------------------------------------------------------

@runtime_checkable
class RegistrableTargetGroup(Protocol):
    """What a service registers its tasks with (an `elbv2.ApplicationTargetGroup`): its ARN, its target
    type, and a way to make the service wait for the listeners that forward to it."""

    @property
    def target_group_arn(self) -> Any: ...

    @property
    def target_type(self) -> str: ...

    def add_dependent(self, resource: CfnResource) -> None: ...


@attrs.frozen(kw_only=True)
class FargateServiceProps:
    """What a FargateService was made with, for code that reads it (`service.props.deployment_controller`);
    the checks are the constructor's."""

    cluster: Cluster
    task_definition: FargateTaskDefinition
    desired_count: int
    vpc_subnets: ec2.SubnetSelection | None
    security_group: ec2.SecurityGroup | None
    assign_public_ip: bool
    circuit_breaker: bool
    min_healthy_percent: int
    max_healthy_percent: int
    health_check_grace_period_seconds: int | None
    deployment_controller: str
    platform_version: str | None
    service_name: str | Token | None
    enable_execute_command: bool


class FargateService(Construct):
    """Keeps `desired_count` tasks of a task definition running on Fargate.

    Args:
        cluster: the cluster (and so the VPC) the tasks run in.
        task_definition: what the tasks run.
        desired_count: how many tasks to keep running (1).
        vpc_subnets: where the tasks run (default: the VPC's private subnets).
        security_group: the tasks' security group (default: a group of its own that allows nothing
            in and HTTPS out).
        assign_public_ip: give each task a public address (False).
        circuit_breaker: True: a deployment whose tasks keep failing stops and rolls back (ECS
            controller only).
        min_healthy_percent: the share of desired tasks kept running during a deployment, 0 to 100
            (100: new tasks start before old ones stop).
        max_healthy_percent: the most tasks a deployment may run, as a share of the desired count,
            100 to 200 (200).
        health_check_grace_period_seconds: time for a new task to start before failed health checks
            count (seconds or a Duration; 60 once load balanced).
        deployment_controller: "ECS" (default) or "CODE_DEPLOY" for blue/green deployments.
        platform_version: the Fargate platform version (default: LATEST).
        service_name: a fixed name (default: CloudFormation makes one).
        enable_execute_command: allow `aws ecs execute-command` into the tasks (False).
    """

    cfn_type = SERVICE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cluster: Cluster,
        task_definition: FargateTaskDefinition,
        desired_count: Annotated[int, Cfn("DesiredCount"), Check(whole_number_rule(0, MAX_INT32))] = 1,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_group: ec2.SecurityGroup | None = None,
        assign_public_ip: bool = False,
        circuit_breaker: bool = True,
        min_healthy_percent: Annotated[int, Check(whole_number_rule(0, 100, "%"))] = 100,
        max_healthy_percent: Annotated[int, Check(whole_number_rule(100, 200, "%"))] = 200,
        health_check_grace_period_seconds: Annotated[
            int | Duration | None, Cfn("HealthCheckGracePeriodSeconds", unit="seconds"),
            Check(whole_number_rule(0, MAX_INT32, " seconds"))] = None,
        deployment_controller: Annotated[
            Literal["ECS", "CODE_DEPLOY"], Check(schema_enum_rule(SERVICE, "DeploymentController", "Type"))] = "ECS",
        platform_version: Annotated[str | None, Cfn("PlatformVersion")] = None,
        service_name: Annotated[str | Token | None, Cfn("ServiceName")] = None,
        enable_execute_command: Annotated[bool, Cfn("EnableExecuteCommand")] = False,
    ) -> None:
        super().__init__(scope, id)
        if deployment_controller == "CODE_DEPLOY" and circuit_breaker:
            raise ConstructError(
                f"invalid argument for FargateService {id!r}: the deployment circuit breaker works only with the "
                "ECS deployment controller; pass circuit_breaker=False with deployment_controller='CODE_DEPLOY' "
                "(CodeDeploy rolls back on its own alarms)", path=self.path, location=self.location)
        self.props = FargateServiceProps(
            cluster=cluster, task_definition=task_definition, desired_count=desired_count, vpc_subnets=vpc_subnets,
            security_group=security_group, assign_public_ip=assign_public_ip, circuit_breaker=circuit_breaker,
            min_healthy_percent=min_healthy_percent, max_healthy_percent=max_healthy_percent,
            health_check_grace_period_seconds=cast("int | None", health_check_grace_period_seconds),  # in seconds
            deployment_controller=deployment_controller, platform_version=platform_version,
            service_name=service_name, enable_execute_command=enable_execute_command)
        self.cluster = cluster
        self.task_definition = task_definition
        self.deployment_controller: str = deployment_controller
        self.security_group = security_group or self._security_group()
        self.subnets = self.cluster.vpc.select_subnets(vpc_subnets)
        self._load_balancers: list[dict[str, Any]] = []
        self.resource = CfnResource(self, "Resource", type=SERVICE, properties={
            "Cluster": self.cluster.cluster_name,
            "TaskDefinition": self.task_definition.task_definition_arn,
            "LaunchType": "FARGATE",
            "DesiredCount": desired_count,
            "PlatformVersion": platform_version,
            "ServiceName": service_name,
            "NetworkConfiguration": self._network_configuration(),
            "DeploymentConfiguration": self._deployment_configuration(),
            "DeploymentController": {"Type": deployment_controller},
            "LoadBalancers": Lazy(lambda: list(self._load_balancers) or None),
            "HealthCheckGracePeriodSeconds": Lazy(self._grace_period),
            "EnableExecuteCommand": enable_execute_command or None,
        })
        # Tasks start as soon as the service exists: their grants and their way out must be in place.
        self.task_definition.add_role_dependent(self.resource)
        for subnet in self.subnets.subnets:
            self.resource.add_depends_on(*subnet.internet_connectivity)

    def _security_group(self) -> ec2.SecurityGroup:
        group = ec2.SecurityGroup(self, "SecurityGroup", vpc=self.props.cluster.vpc)
        group.allow_to(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS out: image pulls, logs and AWS APIs")
        return group

    def _network_configuration(self) -> dict[str, Any]:
        return {"AwsvpcConfiguration": {
            "AssignPublicIp": "ENABLED" if self.props.assign_public_ip else "DISABLED",
            "SecurityGroups": [self.security_group.security_group_id],
            "Subnets": self.subnets.subnet_ids,
        }}

    def _deployment_configuration(self) -> dict[str, Any]:
        return {
            "MaximumPercent": self.props.max_healthy_percent,
            "MinimumHealthyPercent": self.props.min_healthy_percent,
            "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True} if self.props.circuit_breaker else None,
        }

    def _grace_period(self) -> int | None:
        if not self._load_balancers:
            return self.props.health_check_grace_period_seconds
        return self.props.health_check_grace_period_seconds or DEFAULT_GRACE_PERIOD_SECONDS

    # -- references -------------------------------------------------------------------------------

    @property
    def service_arn(self) -> Token:
        return self.resource.ref

    @property
    def service_name(self) -> Token:
        return self.resource.get_att("Name")

    # -- load balancing ---------------------------------------------------------------------------

    def attach_to_target_group(self, target_group: RegistrableTargetGroup, *,
                               container: ContainerDefinition | None = None,
                               container_port: int | None = None) -> None:
        """Register the service's tasks with an application target group (which must use ip targets).

        `container` defaults to the task definition's first essential container, `container_port` to
        that container's first port. The service waits for the load balancer's listeners: ECS refuses
        a target group that is not yet attached to a load balancer. Opening the security groups is the
        caller's job: `service.security_group.allow_from(load_balancer.security_group, Port.tcp(port))`.
        """
        location = caller_location()
        if not isinstance(target_group, RegistrableTargetGroup):
            raise ConstructError(f"service {self.path}: attach_to_target_group needs a target group such as an "
                                 f"elbv2.ApplicationTargetGroup, got {type(target_group).__name__}", path=self.path,
                                 location=location)
        container = container or self.task_definition.default_container
        if container is None or container.task_definition is not self.task_definition:
            raise ConstructError(f"service {self.path}: no container of its task definition to send traffic to",
                                 path=self.path, location=location,
                                 hint="add a container with port_mappings before attaching the service")
        ports = [m.container_port for m in container.port_mappings if m.protocol == "tcp"]
        port = container_port if container_port is not None else (ports[0] if ports else None)
        if port is None or port not in ports:
            raise ConstructError(f"service {self.path}: container {container.container_name!r} does not map "
                                 f"tcp port {port}" + (f" (it maps {ports})" if ports else " (it maps no tcp port)"),
                                 path=self.path, location=location,
                                 hint="add the port to the container's port_mappings")
        if target_group.target_type != "ip":
            raise ConstructError(f"service {self.path}: Fargate tasks register by IP address, so the target group "
                                 "needs target_type='ip'", path=self.path, location=location)
        self._load_balancers.append({"ContainerName": container.container_name, "ContainerPort": port,
                                     "TargetGroupArn": target_group.target_group_arn})
        target_group.add_dependent(self.resource)


__all__ = ["AwsLogDriver", "Cluster", "ContainerDefinition", "ContainerImage", "FargateService",
           "FargateTaskDefinition", "LogDriver", "PortMapping", "Secret", "check_fargate_size",
           "fargate_cpu_memory"]
