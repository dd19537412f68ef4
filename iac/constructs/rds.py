"""RDS: databases in a VPC's private subnets, their credentials in Secrets Manager, encrypted, protected.

    db = rds.DatabaseInstance(stack, "Db", engine="postgres", engine_version="16.8",
                              instance_class="db.t4g.micro", vpc=vpc)
    cluster = rds.DatabaseCluster(stack, "Orders", engine="aurora-postgresql", engine_version="16.8",
                                  vpc=vpc, writer=rds.ClusterInstance.serverless_v2())
    db.connections.allow_default_port_from(service)       # both security groups' rules
    db.secret.grant_read(fn)                              # {"username": ..., "password": ...}

Defaults, each a prop to change: the subnets are the VPC's private ones (public subnets are refused:
a database is never reachable from the internet); a security group of its own that lets nothing in
until `connections.allow_from`; the master password generated and kept by RDS in Secrets Manager
(ManageMasterUserPassword: it never appears in a template, and RDS rotates it), readable through
`db.secret`; storage encrypted (with `encryption_key=` a kms.Key, which also encrypts the secret);
deletion protection on; backups kept 7 days; DeletionPolicy and UpdateReplacePolicy Snapshot.

Engine versions and instance classes are checked where they are written, against cfn-lint's RDS data
(the versions each engine has, the classes each engine offers in the stack's region, the versions it
calls deprecated); a value it does not know is an error naming the closest few it does.

Stability contract (changing these ids replaces the resources): the database at `<db>/Resource`, its
subnet group at `<db>/SubnetGroup`, its group at `<db>/SecurityGroup`; a cluster's instances at
`<cluster>/Writer` and `<cluster>/Reader<n>` (or the id given to ClusterInstance).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import attrs

from iac import specs
from iac.constructs import ec2, kms, secretsmanager
from iac.constructs.connections import Connections
from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.removal import (
    DESTROY,
    RETAIN,
    SNAPSHOT,
    RemovalPolicy,
    apply_removal_policy,
    removal_policy_rule,
)
from iac.constructs.core.units import Duration, Size
from iac.errors import ConstructError

INSTANCE_TYPE = "AWS::RDS::DBInstance"
CLUSTER_TYPE = "AWS::RDS::DBCluster"
SUBNET_GROUP_TYPE = "AWS::RDS::DBSubnetGroup"
PARAMETER_GROUP_TYPE = "AWS::RDS::DBParameterGroup"
CLUSTER_PARAMETER_GROUP_TYPE = "AWS::RDS::DBClusterParameterGroup"

#: cfn-lint's extension schemas for RDS (iac.specs.schema_extension folders).
_INSTANCE_DATA = "aws_rds_dbinstance"
_CLUSTER_DATA = "aws_rds_dbcluster"

#: The instance class of an Aurora Serverless v2 instance.
SERVERLESS = "db.serverless"
DEFAULT_BACKUP_RETENTION = Duration.days(7)
#: Storage types that need `iops` (the StorageType property's documentation in the registry schema).
PROVISIONED_IOPS_STORAGE = ("io1", "io2")
DEFAULT_MASTER_USERNAME = "dbadmin"
#: How many suggestions an error about an unknown version or class lists.
SUGGESTIONS = 5


class Engine:
    """Engine names (each checked against cfn-lint's list where it is used)."""

    AURORA_MYSQL = "aurora-mysql"
    AURORA_POSTGRESQL = "aurora-postgresql"
    MYSQL = "mysql"
    MARIADB = "mariadb"
    POSTGRES = "postgres"


#: The port each engine family listens on unless told otherwise (RDS's defaults:
#: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, Port).
_DEFAULT_PORTS = {"aurora-mysql": 3306, "mysql": 3306, "mariadb": 3306, "aurora-postgresql": 5432, "postgres": 5432,
                  "oracle": 1521, "sqlserver": 1433, "custom-oracle": 1521, "custom-sqlserver": 1433, "db2": 50000}


def default_port(engine: str) -> int | None:
    """The port `engine` listens on by default (None for an engine not listed)."""
    for prefix in sorted(_DEFAULT_PORTS, key=len, reverse=True):
        if engine == prefix or engine.startswith(prefix + "-"):
            return _DEFAULT_PORTS[prefix]
    return None


def parameter_group_family(engine: str, engine_version: str) -> str:
    """The parameter group family of an engine version: the major version for PostgreSQL 10 and later
    ("postgres16", "aurora-postgresql16"), major.minor otherwise ("mysql8.0", "aurora-mysql8.0")."""
    parts = engine_version.split(".")
    if "postgres" in engine and parts[0].isdigit() and int(parts[0]) >= 10:
        return f"{engine}{parts[0]}"
    return f"{engine}{'.'.join(parts[:2])}"


# -- checks against cfn-lint's data ----------------------------------------------------------------

def _closest(value: str, known: Sequence[str]) -> list[str]:
    """A few of `known` close to `value`: string matches first, then the same major version's newest."""
    close = difflib.get_close_matches(value, list(known), n=SUGGESTIONS, cutoff=0.5)
    if len(close) < SUGGESTIONS:
        prefix = value.split(".")[0]
        same = sorted((v for v in known if v.split(".")[0] == prefix and v not in close), key=_version_key)
        close += same[-(SUGGESTIONS - len(close)):] if same else []
    return close[:SUGGESTIONS]


def _version_key(version: str) -> list[Any]:
    """Orders "16.10" after "16.9": numbers compared as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.-]", version)]


def _engine_problem(engine: Any, data: str) -> str | None:
    known = specs.extension_enum(data, "engine_version", "Engine", {}) or ()
    if engine in known:
        return None
    close = difflib.get_close_matches(str(engine), list(known), n=3, cutoff=0.5)
    return f"engine {engine!r} is not an RDS engine" + (f"; did you mean {', '.join(map(repr, close))}?" if close
                                                          else f" (one of {', '.join(known)})")


def _version_problem(engine: str, version: Any, data: str) -> str | None:
    """Why `version` of `engine` is refused (unknown to cfn-lint's data, or deprecated), or None."""
    if version is None or is_token(version):
        return None
    version = str(version)
    known = specs.extension_enum(data, "engine_version", "EngineVersion", {"Engine": engine})
    if known is None:
        return None
    usable = [v for v in known if not specs.extension_refuses(data, "engine_version_deprecated",
                                                              {"Engine": engine, "EngineVersion": v})]
    if version in known and version in usable:
        return None
    kind = "deprecated (RDS no longer creates it)" if version in known else "not a version RDS has"
    close = _closest(version, usable)
    return (f"engine_version {version!r} of {engine} is {kind}" +
            (f"; did you mean {', '.join(map(repr, close))}?" if close else ""))


def _class_problem(engine: str, version: Any, instance_class: Any, region: str, what: str) -> str | None:
    """Why `instance_class` is refused for `engine` in `region` (or for that engine version), or None."""
    if is_token(instance_class):
        return None
    by_region = specs.extension_enum(_INSTANCE_DATA, "dbinstanceclass_enum", "DBInstanceClass", {"Engine": engine},
                                     region=region)
    by_version = None if version is None or is_token(version) else specs.extension_enum(
        _INSTANCE_DATA, "db_instance_class", "DBInstanceClass", {"Engine": engine, "EngineVersion": str(version)})
    for known, where in ((by_region, f"{engine} offers in {region}"), (by_version, f"{engine} {version} runs on")):
        if known is None or instance_class in known:
            continue
        usable = [c for c in known if by_region is None or c in by_region]
        close = difflib.get_close_matches(str(instance_class), usable, n=SUGGESTIONS, cutoff=0.5)
        return (f"{what} {instance_class!r} is not an instance class {where}" +
                (f"; did you mean {', '.join(map(repr, close))}?" if close else f" ({len(usable)} classes are)"))
    return None


def _days(value: int | Duration) -> int:
    """A retention as days (props arrive converted; a default may still be a Duration)."""
    return value.to_days() if isinstance(value, Duration) else value


def capacity_rule(value: Any) -> str | None:
    """Aurora capacity units come in half steps (0.5, 1, 1.5, ...), per the ServerlessV2ScalingConfiguration
    documentation (the schema types them as plain numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (value * 2) % 1:
        return f"{value!r} is not a number of Aurora capacity units in half steps (0.5, 1, 1.5, ...)"
    return None


# -- parameter groups ------------------------------------------------------------------------------

class ParameterGroup(Construct):
    """Engine parameters for a database (`AWS::RDS::DBParameterGroup`, child `Instance`) or a cluster
    (`AWS::RDS::DBClusterParameterGroup`, child `Cluster`): the resource is made when a database uses
    the group, of the kind it needs.

    Args:
        engine: the engine the parameters are for ("postgres", "aurora-mysql", ...).
        engine_version: the engine version; with the engine it names the family ("postgres16").
        family: the parameter group family, when it is not the one derived from engine and engine_version.
        parameters: parameter names and values, e.g. {"log_min_duration_statement": "500"}.
        description: what the group is for (the construct path when omitted).
    """

    cfn_type = PARAMETER_GROUP_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        engine: str,
        engine_version: str | None = None,
        family: Annotated[str | None, Cfn("Family")] = None,
        parameters: Mapping[str, str | int | float | bool],
        description: Annotated[str | None, Cfn("Description")] = None,
    ) -> None:
        super().__init__(scope, id)
        problem = _engine_problem(engine, _INSTANCE_DATA)
        if family is None and engine_version is None:
            problem = problem or "give engine_version (or family) so the parameter group's family is known"
        if problem is None and not parameters:
            problem = "parameters is empty (a parameter group with no parameters is the engine's default one)"
        if problem:
            raise ConstructError(f"invalid argument for ParameterGroup {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self.engine = engine
        self.family = family or parameter_group_family(engine, str(engine_version))
        self.parameters = {str(k): _parameter_text(v) for k, v in parameters.items()}
        self.description = description or self.path
        self._instance: CfnResource | None = None
        self._cluster: CfnResource | None = None

    def _bind(self, user: Construct, engine: str, cluster: bool) -> Token:
        """The group's name for `user` (a database of `engine`), making the resource of that kind once."""
        if engine != self.engine:
            raise ConstructError(f"parameter group {self.path} is for {self.engine}, but {user.path} runs {engine}",
                                 path=user.path, location=user.location)
        if cluster:
            if self._cluster is None:
                self._cluster = CfnResource(self, "Cluster", type=CLUSTER_PARAMETER_GROUP_TYPE, properties={
                    "Family": self.family, "Description": self.description, "Parameters": self.parameters})
            return self._cluster.ref
        if self._instance is None:
            self._instance = CfnResource(self, "Instance", type=PARAMETER_GROUP_TYPE, properties={
                "Family": self.family, "Description": self.description, "Parameters": self.parameters})
        return self._instance.ref


def _parameter_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    return value if is_token(value) else str(value)


# -- what a database and a cluster share ------------------------------------------------------------

class _Database(Construct):
    """Networking, credentials and protection common to DatabaseInstance and DatabaseCluster."""

    resource: CfnResource
    connections: Connections
    secret: secretsmanager.SecretBase
    encryption_key: kms.KeyBase | None
    engine: str

    def _network(self, vpc: ec2.Vpc, vpc_subnets: ec2.SubnetSelection | None,
                 security_groups: Sequence[ec2.SecurityGroup] | None, port: int) -> Any:
        """The subnet group (private subnets in two zones or more) and the security groups."""
        selected = vpc.select_subnets(vpc_subnets)
        if any(subnet.subnet_type == ec2.SubnetType.PUBLIC for subnet in selected.subnets):
            raise self._error("vpc_subnets selects public subnets; a database belongs in private or isolated "
                              "subnets (it is never reachable from the internet)")
        if len(selected.subnets) < 2:
            raise self._error("a DB subnet group needs subnets in two availability zones at least (RDS refuses "
                              "one); use a VPC with max_azs >= 2", hint="RDS DB subnet groups: "
                              "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html")
        subnet_group = CfnResource(self, "SubnetGroup", type=SUBNET_GROUP_TYPE, properties={
            "DBSubnetGroupDescription": f"Subnets of {self.path}"[:255],
            "SubnetIds": selected.subnet_ids,
        })
        groups = list(security_groups) if security_groups else [
            ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc,
                              description=ec2.generated_description(f"Database {self.path}"))]
        self.connections = Connections(security_groups=groups, default_port=ec2.Port.tcp(port))
        return subnet_group

    def _credentials(self, encryption_key: kms.KeyBase | None) -> dict[str, Any]:
        """The master password generated and kept by RDS in Secrets Manager (with the database's key)."""
        return {"ManageMasterUserPassword": True,
                "MasterUserSecret": {"KmsKeyId": encryption_key.key_arn} if encryption_key is not None else None}

    def _managed_secret(self) -> secretsmanager.SecretBase:
        secret = secretsmanager.ImportedSecret(self, "Secret",
                                               secret_arn=self.resource.get_att("MasterUserSecret.SecretArn"))
        secret.encryption_key = self.encryption_key
        return secret

    @property
    def security_group_ids(self) -> list[Token]:
        return [group.security_group_id for group in self.connections.security_groups]

    @property
    def endpoint_address(self) -> Token:
        """The host name clients connect to (the writer's, for a cluster)."""
        return self.resource.get_att("Endpoint.Address")

    @property
    def endpoint_port(self) -> Token:
        """The port clients connect to, as a string (what CloudFormation gives)."""
        return self.resource.get_att("Endpoint.Port")

    def grant_read_secret(self, grantee: Any) -> Any:
        """`secret.grant_read(grantee)`: the master credentials (and their key)."""
        return self.secret.grant_read(grantee)

    def _region(self) -> str:
        return self.stack.region or specs.DEFAULT_REGION

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        return ConstructError(f"invalid argument for {type(self).__name__} {self.id!r}: {message}", path=self.path,
                              location=self.location, hint=hint)


_RemovalPolicy = Annotated[RemovalPolicy, Check(removal_policy_rule((SNAPSHOT, RETAIN, DESTROY), INSTANCE_TYPE))]
# Bound to each class's own schema: AWS::RDS::DBCluster's sets 1-35 days itself; AWS::RDS::DBInstance's sets no
# maximum, which cfn-lint's extension "backupretentionperiod" adds for non-Aurora engines (DatabaseInstance checks it).
_BackupRetention = Annotated[int | Duration, Cfn("BackupRetentionPeriod", unit="days")]


# -- a single database ------------------------------------------------------------------------------

class DatabaseInstance(_Database):
    """An RDS database instance (`AWS::RDS::DBInstance`, the child `Resource`) in a VPC's private subnets.

    Args:
        engine: the engine: "postgres", "mysql", "mariadb", ... (an Engine value).
        engine_version: the engine version, e.g. "16.8"; checked against cfn-lint's data (deprecated
            versions are refused). RDS picks its default when omitted, and minor upgrades follow.
        instance_class: the instance class, e.g. "db.t4g.micro"; checked against the classes the engine
            offers in the stack's region.
        vpc: the VPC the database runs in.
        vpc_subnets: which of its subnets (default: the private ones; public subnets are refused).
        security_groups: the database's groups (default: one of its own that lets nothing in until
            `connections.allow_from`).
        port: the port it listens on (default: the engine's, 5432 or 3306).
        allocated_storage: storage in GiB (an int) or a Size (default 20 GiB).
        max_allocated_storage: let RDS grow the storage up to this many GiB (storage autoscaling).
        storage_type: the storage type: gp3 (default), gp2, io1, io2 or standard.
        iops: provisioned I/O operations per second; io1 and io2 storage need it.
        multi_az: keep a standby in another zone that takes over on failure.
        database_name: a database to create on the instance (none by default).
        master_username: the administrator's user name (default "dbadmin"); the password is generated by
            RDS into Secrets Manager (`db.secret`).
        parameter_group: engine parameters (a ParameterGroup for this engine).
        encryption_key: the kms.Key that encrypts the storage and the secret (default: the account's
            aws/rds and aws/secretsmanager keys); storage is encrypted either way.
        backup_retention: how long automated backups are kept, in whole days (7); 0 turns them off.
        preferred_backup_window: the daily backup window, UTC, e.g. "03:00-04:00".
        deletion_protection: refuse to delete the database until turned off (on).
        removal_policy: what happens when the database leaves the stack or is replaced: "snapshot"
            (default: a final snapshot, then deletion), "retain" or "destroy".
        instance_identifier: the instance's name; CloudFormation generates one when omitted (a fixed
            name makes the database impossible to replace without a name change).
    """

    cfn_type = INSTANCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        engine: Annotated[str, Cfn("Engine")],
        engine_version: Annotated[str | None, Cfn("EngineVersion")] = None,
        instance_class: Annotated[str, Cfn("DBInstanceClass")],
        vpc: ec2.Vpc,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.SecurityGroup] | None = None,
        port: Annotated[int | None, Cfn("Port", type=CLUSTER_TYPE)] = None,
        allocated_storage: Annotated[int | Size, Unit("gibibytes")] = 20,
        max_allocated_storage: Annotated[int | Size | None, Unit("gibibytes"), Cfn("MaxAllocatedStorage")] = None,
        storage_type: Annotated[str, Cfn("StorageType")] = "gp3",
        iops: Annotated[int | None, Cfn("Iops")] = None,
        multi_az: Annotated[bool, Cfn("MultiAZ")] = False,
        database_name: Annotated[str | None, Cfn("DBName")] = None,
        master_username: Annotated[str, Cfn("MasterUsername")] = DEFAULT_MASTER_USERNAME,
        parameter_group: ParameterGroup | None = None,
        encryption_key: kms.KeyBase | None = None,
        backup_retention: _BackupRetention = DEFAULT_BACKUP_RETENTION,
        preferred_backup_window: Annotated[str | None, Cfn("PreferredBackupWindow")] = None,
        deletion_protection: Annotated[bool, Cfn("DeletionProtection")] = True,
        removal_policy: _RemovalPolicy = SNAPSHOT,
        instance_identifier: Annotated[str | None, Cfn("DBInstanceIdentifier")] = None,
    ) -> None:
        super().__init__(scope, id)
        problem = _engine_problem(engine, _INSTANCE_DATA)
        if problem is None and engine.startswith("aurora"):
            problem = f"{engine} runs as a cluster: use rds.DatabaseCluster"
        problem = (problem or _version_problem(engine, engine_version, _INSTANCE_DATA)
                   or _class_problem(engine, engine_version, instance_class, self._region(), "instance_class"))
        backup_days = _days(backup_retention)
        if problem is None and storage_type in PROVISIONED_IOPS_STORAGE and iops is None:
            problem = f"storage_type {storage_type!r} needs iops (RDS refuses provisioned-IOPS storage without it)"
        if problem is None and specs.extension_refuses(_INSTANCE_DATA, "backupretentionperiod",
                                                       {"Engine": engine, "BackupRetentionPeriod": backup_days}):
            problem = f"backup_retention of {backup_days} days is more than {engine} keeps backups for"
        if problem:
            raise self._error(problem)
        self.engine = engine
        self.encryption_key = encryption_key
        port = port or default_port(engine) or 0
        subnet_group = self._network(vpc, vpc_subnets, security_groups, port)
        self.resource = CfnResource(self, "Resource", type=INSTANCE_TYPE, properties={
            "Engine": engine,
            "EngineVersion": engine_version,
            "DBInstanceClass": instance_class,
            "DBInstanceIdentifier": instance_identifier,
            "DBName": database_name,
            "AllocatedStorage": str(allocated_storage),
            "MaxAllocatedStorage": max_allocated_storage,
            "StorageType": storage_type,
            "Iops": iops,
            "StorageEncrypted": True,
            "KmsKeyId": encryption_key.key_arn if encryption_key is not None else None,
            "MultiAZ": multi_az,
            "Port": str(port),
            "DBSubnetGroupName": subnet_group.ref,
            "VPCSecurityGroups": self.security_group_ids,
            "PubliclyAccessible": False,
            "MasterUsername": master_username,
            **self._credentials(encryption_key),
            "DBParameterGroupName": parameter_group._bind(self, engine, cluster=False) if parameter_group else None,
            "BackupRetentionPeriod": backup_days,
            "PreferredBackupWindow": preferred_backup_window,
            "CopyTagsToSnapshot": True,
            "DeletionProtection": deletion_protection,
        })
        apply_removal_policy(self.resource, removal_policy)
        self.secret = self._managed_secret()

    @property
    def instance_arn(self) -> Token:
        return self.resource.get_att("DBInstanceArn")


# -- an Aurora cluster ------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class ClusterInstance:
    """One instance of a DatabaseCluster: `ClusterInstance.serverless_v2()` or
    `ClusterInstance.provisioned("db.r6g.large")`; `id` names its construct (Writer, Reader<n> by default)."""

    instance_class: str
    id: str | None = None
    promotion_tier: int | None = None

    @staticmethod
    def serverless_v2(id: str | None = None, *, promotion_tier: int | None = None) -> ClusterInstance:
        """An Aurora Serverless v2 instance (class db.serverless), scaling within the cluster's capacity range."""
        return ClusterInstance(instance_class=SERVERLESS, id=id, promotion_tier=promotion_tier)

    @staticmethod
    def provisioned(instance_class: str, id: str | None = None, *,
                    promotion_tier: int | None = None) -> ClusterInstance:
        """An instance of a fixed class, e.g. "db.r6g.large"."""
        return ClusterInstance(instance_class=instance_class, id=id, promotion_tier=promotion_tier)


class DatabaseCluster(_Database):
    """An Aurora cluster (`AWS::RDS::DBCluster`, the child `Resource`) with a writer and optional readers
    (`AWS::RDS::DBInstance`, children `Writer`, `Reader1`, ...), provisioned or Serverless v2.

    Args:
        engine: "aurora-postgresql" or "aurora-mysql".
        engine_version: the engine version, e.g. "16.8" or "8.0.mysql_aurora.3.08.2"; checked against
            cfn-lint's data (deprecated versions are refused). RDS picks its default when omitted.
        vpc: the VPC the cluster runs in.
        writer: the writer instance (`ClusterInstance.serverless_v2()` or `.provisioned(class)`).
        readers: reader instances, failover targets in the order given.
        vpc_subnets: which of the VPC's subnets (default: the private ones; public subnets are refused).
        security_groups: the cluster's groups (default: one of its own that lets nothing in until
            `connections.allow_from`).
        port: the port it listens on (default: the engine's, 5432 or 3306).
        serverless_v2_min_capacity: the fewest Aurora capacity units a Serverless v2 instance scales to (0.5).
        serverless_v2_max_capacity: the most Aurora capacity units a Serverless v2 instance scales to (4).
        database_name: a database to create in the cluster (none by default).
        master_username: the administrator's user name (default "dbadmin"); the password is generated by
            RDS into Secrets Manager (`cluster.secret`).
        parameter_group: cluster parameters (a ParameterGroup for this engine).
        encryption_key: the kms.Key that encrypts the storage and the secret (default: the account's
            aws/rds and aws/secretsmanager keys); storage is encrypted either way.
        backup_retention: how long automated backups are kept, in whole days (7).
        preferred_backup_window: the daily backup window, UTC, e.g. "03:00-04:00".
        deletion_protection: refuse to delete the cluster until turned off (on).
        removal_policy: what happens when the cluster leaves the stack or is replaced: "snapshot"
            (default: a final snapshot, then deletion), "retain" or "destroy". Its instances hold no
            data of their own and are deleted with it.
        cluster_identifier: the cluster's name; CloudFormation generates one when omitted (a fixed name
            makes the cluster impossible to replace without a name change).
    """

    cfn_type = CLUSTER_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        engine: Annotated[str, Cfn("Engine")],
        engine_version: Annotated[str | None, Cfn("EngineVersion")] = None,
        vpc: ec2.Vpc,
        writer: ClusterInstance,
        readers: Sequence[ClusterInstance] = (),
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.SecurityGroup] | None = None,
        port: Annotated[int | None, Cfn("Port")] = None,
        serverless_v2_min_capacity: Annotated[float, Check(capacity_rule)] = 0.5,
        serverless_v2_max_capacity: Annotated[float, Check(capacity_rule)] = 4,
        database_name: Annotated[str | None, Cfn("DatabaseName")] = None,
        master_username: Annotated[str, Cfn("MasterUsername")] = DEFAULT_MASTER_USERNAME,
        parameter_group: ParameterGroup | None = None,
        encryption_key: kms.KeyBase | None = None,
        backup_retention: _BackupRetention = DEFAULT_BACKUP_RETENTION,
        preferred_backup_window: Annotated[str | None, Cfn("PreferredBackupWindow")] = None,
        deletion_protection: Annotated[bool, Cfn("DeletionProtection")] = True,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((SNAPSHOT, RETAIN, DESTROY),
                                                                           CLUSTER_TYPE))] = SNAPSHOT,
        cluster_identifier: Annotated[str | None, Cfn("DBClusterIdentifier")] = None,
    ) -> None:
        super().__init__(scope, id)
        instances = [writer, *readers]
        problem = self._check(engine, engine_version, instances, serverless_v2_min_capacity,
                              serverless_v2_max_capacity)
        if problem:
            raise self._error(problem)
        self.engine = engine
        self.encryption_key = encryption_key
        port = port or default_port(engine) or 0
        subnet_group = self._network(vpc, vpc_subnets, security_groups, port)
        serverless = any(instance.instance_class == SERVERLESS for instance in instances)
        self.resource = CfnResource(self, "Resource", type=CLUSTER_TYPE, properties={
            "Engine": engine,
            "EngineVersion": engine_version,
            "DBClusterIdentifier": cluster_identifier,
            "DatabaseName": database_name,
            "Port": port,
            "DBSubnetGroupName": subnet_group.ref,
            "VpcSecurityGroupIds": self.security_group_ids,
            "StorageEncrypted": True,
            "KmsKeyId": encryption_key.key_arn if encryption_key is not None else None,
            "MasterUsername": master_username,
            **self._credentials(encryption_key),
            "DBClusterParameterGroupName": parameter_group._bind(self, engine, cluster=True) if parameter_group
            else None,
            "ServerlessV2ScalingConfiguration": {"MinCapacity": serverless_v2_min_capacity,
                                                 "MaxCapacity": serverless_v2_max_capacity} if serverless else None,
            "BackupRetentionPeriod": _days(backup_retention),
            "PreferredBackupWindow": preferred_backup_window,
            "CopyTagsToSnapshot": True,
            "DeletionProtection": deletion_protection,
        })
        apply_removal_policy(self.resource, removal_policy)
        self.secret = self._managed_secret()
        self.writer = self._instance(writer, 0, None)
        self.readers = [self._instance(reader, index, self.writer) for index, reader in enumerate(readers, 1)]

    def _check(self, engine: str, version: str | None, instances: list[ClusterInstance], low: float,
               high: float) -> str | None:
        problem = _engine_problem(engine, _CLUSTER_DATA)
        if problem is None and not engine.startswith("aurora"):
            problem = f"{engine} is not an Aurora engine (aurora-postgresql, aurora-mysql); use rds.DatabaseInstance"
        problem = problem or _version_problem(engine, version, _CLUSTER_DATA)
        for index, instance in enumerate(instances):
            if problem is None and not isinstance(instance, ClusterInstance):
                problem = (f"{instance!r} is not an rds.ClusterInstance (ClusterInstance.serverless_v2() or "
                           ".provisioned(...))")
            elif problem is None:
                what = "writer instance_class" if index == 0 else f"reader {index} instance_class"
                problem = _class_problem(engine, version, instance.instance_class, self._region(), what)
        if problem is None and low > high:
            problem = f"serverless_v2_min_capacity {low} is above serverless_v2_max_capacity {high}"
        ids = [instance.id for instance in instances if instance.id]
        if problem is None and len(ids) != len(set(ids)):
            problem = f"two cluster instances have the same id: {ids}"
        return problem

    def _instance(self, instance: ClusterInstance, index: int, writer: CfnResource | None) -> CfnResource:
        name = instance.id or ("Writer" if index == 0 else f"Reader{index}")
        resource = CfnResource(self, name, type=INSTANCE_TYPE, properties={
            "DBClusterIdentifier": self.resource.ref,
            "Engine": self.engine,
            "DBInstanceClass": instance.instance_class,
            "PubliclyAccessible": False,
            "PromotionTier": instance.promotion_tier,
        })
        if writer is not None:  # readers come up after the writer, so the first instance up is the writer
            resource.add_depends_on(writer)
        return resource

    @property
    def cluster_arn(self) -> Token:
        return self.resource.get_att("DBClusterArn")

    @property
    def reader_endpoint_address(self) -> Token:
        """The host name that spreads connections over the readers."""
        return self.resource.get_att("ReadEndpoint.Address")


__all__ = ["ClusterInstance", "DatabaseCluster", "DatabaseInstance", "Engine", "ParameterGroup", "SERVERLESS",
           "default_port", "parameter_group_family"]
