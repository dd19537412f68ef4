"""CodeBuild: build projects whose buildspec is a Python dict, with a least-privilege role.

    project = codebuild.PipelineProject(stack, "Build", privileged=True, build_spec={
        "phases": {"build": {"commands": ["npm ci", "npm test"]}},
        "reports": {"unit": {"files": ["junit.xml"], "file-format": "JUNITXML"}},
        "artifacts": {"files": ["packaged.yaml"]},
    })

The buildspec is checked when the project is made (unknown sections and phases, commands that are
not lists of strings) and written as readable YAML, which is what CodeBuild reads and what a person
reviewing the template sees. What the build may touch follows from what the project says:

- its logs go to a log group of its own (kept two years unless `log_retention_days=` says otherwise),
  and the role may write to that group only;
- each report the buildspec names becomes an `AWS::CodeBuild::ReportGroup`, and the role may put
  reports into those groups only (the buildspec refers to each by ARN);
- a PARAMETER_STORE or SECRETS_MANAGER variable (on the project or in the buildspec's `env`) lets the
  role read exactly that parameter or secret; secret values never appear in the template;
- S3 sources and artifacts are read from / written to their own keys only.

`Project` builds from a source of its own (none, S3, CodeCommit, GitHub); `PipelineProject` is a
build or test action of a CodePipeline, which hands it the source and takes its artifacts (both of
type CODEPIPELINE). Stability contract: `Resource` (the project), `Role`, `Logs`, `Reports/<name>`.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import attrs
import yaml

from iac.constructs import iam, logs, s3
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.errors import ConstructError

CODEBUILD_SERVICE = "codebuild.amazonaws.com"
DEFAULT_IMAGE = "aws/codebuild/standard:7.0"  # Ubuntu 22.04, Docker and the AWS CLI included
DEFAULT_ARM_IMAGE = "aws/codebuild/amazonlinux2-aarch64-standard:3.0"
DEFAULT_COMPUTE_TYPE = "BUILD_GENERAL1_SMALL"
BUILDSPEC_VERSION = "0.2"

RESOURCE_TYPE = "AWS::CodeBuild::Project"
#: The Lambda-based compute types, which run only in the Lambda environment types. The instance-based
#: ones come from the registry schema that enumerates them (CodeBuild fleets): the Project schema lists none.
LAMBDA_COMPUTE = ("BUILD_LAMBDA_1GB", "BUILD_LAMBDA_2GB", "BUILD_LAMBDA_4GB", "BUILD_LAMBDA_8GB", "BUILD_LAMBDA_10GB")
#: The environments a project runs in (the Project schema enumerates none; the Fleet schema's list has no
#: Lambda environments, and EC2 ones that are fleets' only).
ContainerEnvironment = Literal["LINUX_CONTAINER", "ARM_CONTAINER", "LINUX_GPU_CONTAINER",
                               "WINDOWS_SERVER_2019_CONTAINER", "WINDOWS_SERVER_2022_CONTAINER"]
LambdaEnvironment = Literal["LINUX_LAMBDA_CONTAINER", "ARM_LAMBDA_CONTAINER"]
EnvironmentType = Literal[ContainerEnvironment, LambdaEnvironment]
CONTAINER_ENVIRONMENTS: tuple[str, ...] = typing.get_args(ContainerEnvironment)
LAMBDA_ENVIRONMENTS: tuple[str, ...] = typing.get_args(LambdaEnvironment)
#: Environments with Docker, where privileged mode means something; and those with a default image.
DOCKER_ENVIRONMENTS = ("LINUX_CONTAINER", "ARM_CONTAINER", "LINUX_GPU_CONTAINER")
DEFAULT_IMAGE_ENVIRONMENTS = ("LINUX_CONTAINER", "ARM_CONTAINER")
#: CodeBuild's CreateProject API: 2-255 letters, digits, '-' and '_', starting with a letter or digit
#: (the registry schema gives Name no pattern).
_PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$")

PLAINTEXT = "PLAINTEXT"
PARAMETER_STORE = "PARAMETER_STORE"
SECRETS_MANAGER = "SECRETS_MANAGER"
VARIABLE_TYPES = (PLAINTEXT, PARAMETER_STORE, SECRETS_MANAGER)
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")

#: The buildspec's sections, phases and the keys inside them (buildspec reference, version 0.2).
BUILDSPEC_SECTIONS = ("version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts",
                      "secondary-artifacts", "cache")
BUILDSPEC_PHASES = ("install", "pre_build", "build", "post_build")
PHASE_KEYS = ("run-as", "on-failure", "runtime-versions", "commands", "finally")
ENV_KEYS = ("shell", "variables", "parameter-store", "exported-variables", "secrets-manager",
            "git-credential-helper")
TEST_REPORT_FORMATS = ("JUNITXML", "CUCUMBERJSON", "TESTNGXML", "VISUALSTUDIOTRX", "NUNITXML", "NUNIT3XML")
COVERAGE_REPORT_FORMATS = ("CLOVERXML", "COBERTURAXML", "JACOCOXML", "SIMPLECOV")
REPORT_ACTIONS = ("codebuild:CreateReport", "codebuild:UpdateReport", "codebuild:BatchPutTestCases",
                  "codebuild:BatchPutCodeCoverages")


@functools.cache
def general_compute_types() -> tuple[str, ...]:
    """The instance compute types, from the schema that enumerates them (CodeBuild fleets)."""
    from iac.specs import property_enum  # only when a project is built

    return tuple(value for value in property_enum("AWS::CodeBuild::Fleet", "ComputeType")
                 if isinstance(value, str) and value.startswith("BUILD_GENERAL1_"))


def compute_types() -> tuple[str, ...]:
    return general_compute_types() + LAMBDA_COMPUTE


# -- environment variables -------------------------------------------------------------------------

@attrs.frozen
class EnvironmentVariable:
    """A build environment variable: a plain value, or a reference CodeBuild resolves when the build
    starts (the value itself never appears in the template).

    `EnvironmentVariable.parameter_store("/ci/npm-token")`, `EnvironmentVariable.secrets_manager(
    "prod/db:password")` (a secret's name or ARN, optionally `:json-key:version-stage:version-id`).
    """

    value: Any
    type: str = attrs.field(default=PLAINTEXT, validator=attrs.validators.in_(VARIABLE_TYPES))

    @classmethod
    def plaintext(cls, value: Any) -> EnvironmentVariable:
        return cls(value, PLAINTEXT)

    @classmethod
    def parameter_store(cls, name: str) -> EnvironmentVariable:
        return cls(name, PARAMETER_STORE)

    @classmethod
    def secrets_manager(cls, secret: Any) -> EnvironmentVariable:
        return cls(secret, SECRETS_MANAGER)


def _parameter_arn(name: Any) -> Any:
    """The ARN IAM checks for ssm:GetParameters on a parameter named (or ARN'd) `name`."""
    if not isinstance(name, str) or is_token(name) or not name:
        raise ValueError(f"a PARAMETER_STORE variable needs the parameter's name (or ARN) as a string, got {name!r}")
    if name.startswith("arn:"):
        return name
    return Fn.sub(f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter/{name.lstrip('/')}")


def _secret_arns(reference: Any) -> list[Any]:
    """The ARNs IAM checks for secretsmanager:GetSecretValue on the secret `reference` names.

    A reference is `secret-id[:json-key[:version-stage[:version-id]]]`. A name matches the secret's
    ARN only with the six random characters Secrets Manager appends, hence the `-??????` wildcard.
    """
    if isinstance(reference, Token):
        return [reference]  # a secret construct's ARN
    if not isinstance(reference, str) or not reference or is_token(reference):
        raise ValueError("a SECRETS_MANAGER variable needs the secret's name or ARN (a string, or the ARN "
                         f"alone as a reference), got {reference!r}")
    if reference.startswith("arn:"):
        arn = ":".join(reference.split(":")[:7])
        return [arn] if _SECRET_ARN_SUFFIX.search(arn) else [arn, f"{arn}-??????"]
    name = reference.split(":")[0]
    return [Fn.sub(f"arn:{Aws.PARTITION}:secretsmanager:{Aws.REGION}:{Aws.ACCOUNT_ID}:secret:{name}-??????")]


def _as_variable(name: Any, value: Any) -> EnvironmentVariable:
    if not isinstance(name, str) or not _VARIABLE_NAME.match(name):
        raise ValueError(f"environment variable name {name!r} must be letters, digits and underscores, "
                         "not starting with a digit")
    if name.startswith("CODEBUILD_"):
        raise ValueError(f"environment variable {name!r}: names starting with CODEBUILD_ are CodeBuild's own")
    variable = value if isinstance(value, EnvironmentVariable) else EnvironmentVariable(value)
    if variable.type == PLAINTEXT and not isinstance(variable.value, str | Token):
        raise ValueError(f"environment variable {name!r} must be a string (or a reference), got "
                         f"{type(variable.value).__name__}; write str({variable.value!r}) to pass it as text")
    if variable.type == PARAMETER_STORE:
        _parameter_arn(variable.value)
    if variable.type == SECRETS_MANAGER:
        _secret_arns(variable.value)
    return variable


def _variables_problem(value: Mapping[str, Any]) -> str | None:
    try:
        for name, variable in value.items():
            _as_variable(name, variable)
    except ValueError as error:
        return str(error)
    return None


# -- buildspec --------------------------------------------------------------------------------------

def _fail(message: str) -> typing.NoReturn:
    raise ValueError(message)


def _unknown(keys: Any, known: tuple[str, ...], where: str) -> None:
    import difflib

    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            _fail(f"{where} has no {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                  + f"; it takes {', '.join(known)}")


def _string_list(value: Any, where: str) -> None:
    if not isinstance(value, list) or not value or \
            not all(isinstance(item, str | Token) and not isinstance(item, bool) for item in value):
        _fail(f"{where} must be a non-empty list of strings (one command or path each), got {value!r}")


def _check_build_spec_dict(spec: dict[str, Any]) -> None:
    """The mistakes CodeBuild would report only when a build runs, reported at the project's line."""
    _unknown(spec, BUILDSPEC_SECTIONS, "a buildspec")
    if str(spec.get("version", BUILDSPEC_VERSION)) not in ("0.1", "0.2"):
        _fail(f"version must be 0.2 (or the legacy 0.1), got {spec['version']!r}")
    phases = spec.get("phases")
    if not isinstance(phases, dict) or not phases:
        _fail("phases must be a dict with at least one of " + ", ".join(BUILDSPEC_PHASES))
    _unknown(phases, BUILDSPEC_PHASES, "phases")
    for phase_name, phase in phases.items():
        if not isinstance(phase, dict):
            _fail(f"phase {phase_name!r} must be a dict such as {{'commands': ['make']}}, got {phase!r}")
        _unknown(phase, PHASE_KEYS, f"phase {phase_name!r}")
        for key in ("commands", "finally"):
            if key in phase:
                _string_list(phase[key], f"phases.{phase_name}.{key}")
    env = spec.get("env", {})
    if not isinstance(env, dict):
        _fail(f"env must be a dict, got {env!r}")
    _unknown(env, ENV_KEYS, "env")
    for key in ("variables", "parameter-store", "secrets-manager"):
        if not isinstance(env.get(key, {}), dict):
            _fail(f"env.{key} must be a dict of variable name -> value, got {env[key]!r}")
    for name, parameter in env.get("parameter-store", {}).items():
        _as_variable(name, EnvironmentVariable.parameter_store(parameter))
    for name, secret in env.get("secrets-manager", {}).items():
        _as_variable(name, EnvironmentVariable.secrets_manager(secret))
    reports = spec.get("reports", {})
    if not isinstance(reports, dict):
        _fail(f"reports must be a dict of report group name -> settings, got {reports!r}")
    for name, report in reports.items():
        if not isinstance(name, str | Token) or not name:
            _fail(f"a report group name must be a string, got {name!r}")
        if not isinstance(report, dict) or "files" not in report:
            _fail(f"report {name!r} must be a dict with 'files' (and optionally 'base-directory', 'file-format')")
        _string_list(report["files"], f"reports.{name}.files")
        file_format = report.get("file-format", "JUNITXML")
        if file_format not in TEST_REPORT_FORMATS + COVERAGE_REPORT_FORMATS:
            _fail(f"report {name!r}: file-format {file_format!r} is not one CodeBuild reads; use one of "
                  + ", ".join(TEST_REPORT_FORMATS + COVERAGE_REPORT_FORMATS))
    artifacts = spec.get("artifacts")
    if artifacts is not None and (not isinstance(artifacts, dict) or "files" not in artifacts):
        _fail("artifacts must be a dict with 'files' (e.g. {'files': ['**/*']})")
    if artifacts is not None:
        _string_list(artifacts["files"], "artifacts.files")


def _build_spec_problem(value: dict[str, Any] | str) -> str | None:
    if isinstance(value, str):
        if not value or "\n" in value:
            return ("as a string it is the path of a buildspec file in the source (e.g. 'buildspec.yml'); write "
                    "the buildspec itself as a dict")
        return None
    try:
        _check_build_spec_dict(value)
    except ValueError as error:
        return str(error)
    return None


class _ReadableDumper(yaml.SafeDumper):
    """Block style, lists indented under their key, multi-line strings as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> Any:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_ReadableDumper.add_representer(str, _represent_str)


def render_build_spec(spec: dict[str, Any]) -> str:
    """The buildspec as YAML, keys in the order written, `version: 0.2` first if not given.

    References (tokens) become their markers, which synthesis turns into `Fn::Join` around the text;
    lines are never folded, so neither commands nor markers are split.
    """
    ordered = {"version": str(spec.get("version", BUILDSPEC_VERSION)),
               **{key: value for key, value in spec.items() if key != "version"}}
    return yaml.dump(_markers(ordered), Dumper=_ReadableDumper, sort_keys=False, default_flow_style=False,
                     width=2**31 - 1, allow_unicode=True)


def _markers(value: Any) -> Any:
    if isinstance(value, Token):
        return str(value)
    if isinstance(value, dict):
        return {_markers(key): _markers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_markers(item) for item in value]
    return value


# -- sources and artifacts (for Project) ---------------------------------------------------------

def _error(message: str) -> ConstructError:
    """An error about a helper's arguments, pointing at the user's line that called it."""
    return ConstructError(message, location=caller_location())


@attrs.frozen(kw_only=True)
class Source:
    """Where a Project's build gets its files: `Source.s3(bucket, "src.zip")`, `Source.code_commit(
    "repo", branch="main")`, `Source.github("owner", "repo", branch="main")`; none by default."""

    type: str
    location: Any = None
    version: Any = None
    bucket: Any = None
    key: str | None = None

    @classmethod
    def s3(cls, bucket: s3.Bucket, key: str) -> Source:
        """A zip (or folder prefix ending in "/") in a bucket of this app."""
        if not isinstance(bucket, s3.Bucket) or not isinstance(key, str) or not key:
            raise _error("Source.s3 takes an s3.Bucket of this app and an object key such as 'source.zip'")
        return cls(type="S3", location=f"{bucket.bucket_name}/{key}", bucket=bucket, key=key)

    @classmethod
    def code_commit(cls, repository_name: str, *, branch: str | None = None) -> Source:
        if not isinstance(repository_name, str) or not repository_name:
            raise _error(f"Source.code_commit takes the repository's name, got {repository_name!r}")
        return cls(type="CODECOMMIT", location=Fn.sub(
            f"https://git-codecommit.{Aws.REGION}.{Aws.URL_SUFFIX}/v1/repos/{repository_name}"),
            version=f"refs/heads/{branch}" if branch else None, key=repository_name)

    @classmethod
    def github(cls, owner: str, repository: str, *, branch: str | None = None) -> Source:
        """A GitHub repository; CodeBuild uses the account's GitHub credentials (no IAM involved)."""
        if not all(isinstance(part, str) and part and "/" not in part for part in (owner, repository)):
            raise _error("Source.github takes the owner and the repository name, e.g. ('octo', 'app')")
        return cls(type="GITHUB", location=f"https://github.com/{owner}/{repository}.git", version=branch)


@attrs.frozen(kw_only=True)
class Artifacts:
    """Where a Project puts its output: `Artifacts.s3(bucket, path="builds", name="app.zip")`."""

    type: str
    bucket: Any = None
    path: str | None = None
    name: str | None = None
    packaging: str | None = None

    @classmethod
    def s3(cls, bucket: s3.Bucket, *, path: str | None = None, name: str = "artifacts.zip",
           packaging: str = "ZIP") -> Artifacts:
        if not isinstance(bucket, s3.Bucket):
            raise _error("Artifacts.s3 takes an s3.Bucket of this app")
        if packaging not in ("ZIP", "NONE"):
            raise _error(f"Artifacts.s3: packaging must be ZIP or NONE, got {packaging!r}")
        return cls(type="S3", bucket=bucket, path=path.strip("/") if path else None, name=name, packaging=packaging)


# -- projects ----------------------------------------------------------------------------------------

def _compute_type_problem(value: str) -> str | None:
    if value in compute_types():
        return None
    return f"{value!r} is not a CodeBuild compute type; use one of {', '.join(compute_types())}"


def _non_empty(value: str) -> str | None:
    return None if value else "must not be empty"


def _project_name_problem(value: str | Token) -> str | None:
    if isinstance(value, Token) or is_token(value) or _PROJECT_NAME.match(value):
        return None
    return (f"{value!r} is not a CodeBuild project name: 2 to 255 letters, digits, '-' and '_', starting with a "
            "letter or digit")


_RETENTION = Cfn("RetentionInDays", type=logs.RESOURCE_TYPE, unit="days")


class Project(Construct):
    """A CodeBuild project (`AWS::CodeBuild::Project`, the child `Resource`).

    Args:
        build_spec: the buildspec as a dict (checked, rendered to YAML), or the name of a buildspec
            file in the source; required when the project has no source.
        source: where the build gets its files (a `Source`); none by default.
        artifacts: where the build puts its output (an `Artifacts`); none by default.
        build_image: the image builds run in; default aws/codebuild/standard:7.0
            (amazonlinux2-aarch64-standard:3.0 on ARM_CONTAINER); required for other environments.
        compute_type: BUILD_GENERAL1_SMALL by default; a BUILD_LAMBDA_* type needs a Lambda
            environment_type.
        environment_type: the kind of build machine: LINUX_CONTAINER by default.
        privileged: True for Docker builds (Linux container environments only).
        environment_variables: name -> text or `EnvironmentVariable` (PARAMETER_STORE and
            SECRETS_MANAGER variables let the role read exactly that parameter or secret).
        timeout_minutes: how long a build may run (minutes, or a Duration).
        queued_timeout_minutes: how long a build may wait in the queue (minutes, or a Duration).
        log_retention_days: how long the build logs are kept (days, a `logs.RetentionDays` or a
            Duration); two years by default, None keeps them forever.
        project_name: the project's name; CloudFormation generates one when omitted.
        description: shown in the console.
        role: the role builds run as; default a role of its own that CodeBuild alone may assume.
    """

    cfn_type = RESOURCE_TYPE
    #: Whether the project gets its files itself (a PipelineProject gets them from the pipeline).
    _own_source: ClassVar[bool] = True

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        build_spec: Annotated[dict[str, Any] | str | None, Check(_build_spec_problem)] = None,
        source: Source | None = None,
        artifacts: Artifacts | None = None,
        build_image: Annotated[str | None, Check(_non_empty)] = None,
        compute_type: Annotated[str, Check(_compute_type_problem)] = DEFAULT_COMPUTE_TYPE,
        environment_type: EnvironmentType = "LINUX_CONTAINER",
        privileged: bool = False,
        environment_variables: Annotated[Mapping[str, Any] | None, Check(_variables_problem)] = None,
        timeout_minutes: Annotated[int | Duration | None, Cfn("TimeoutInMinutes", unit="minutes")] = None,
        queued_timeout_minutes: Annotated[int | Duration | None, Cfn("QueuedTimeoutInMinutes", unit="minutes")] = None,
        log_retention_days: Annotated[int | Duration | None, _RETENTION] = logs.RetentionDays.TWO_YEARS,
        project_name: Annotated[str | Token | None, Cfn("Name"), Check(_project_name_problem)] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        role: iam.Role | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.build_spec = build_spec
        self.source = source
        self.artifacts = artifacts
        self.environment_type = environment_type
        self._check_environment(build_spec, source, build_image, compute_type, privileged)
        self.role: iam.Role = role or iam.Role(self, "Role", assumed_by=iam.ServicePrincipal(CODEBUILD_SERVICE))
        self.log_group = logs.LogGroup(self, "Logs", retention_days=log_retention_days)
        self.log_group.grant_write(self.role)
        self.report_groups: dict[str, CfnResource] = {}
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Name": project_name,
            "Description": description,
            "ServiceRole": self.role.role_arn,
            "Source": self._source(),
            "SourceVersion": source.version if source is not None else None,
            "Artifacts": self._artifacts(),
            "Environment": self._environment(build_image, compute_type, privileged, dict(environment_variables or {})),
            "TimeoutInMinutes": timeout_minutes,
            "QueuedTimeoutInMinutes": queued_timeout_minutes,
            "LogsConfig": {"CloudWatchLogs": {"Status": "ENABLED", "GroupName": self.log_group.log_group_name}},
        })
        self.role.add_policy_dependent(self.resource)  # the first build already has its permissions

    def _check_environment(self, build_spec: Any, source: Source | None, build_image: str | None,
                           compute_type: str, privileged: bool) -> None:
        """The rules between props that no one prop's schema can say."""
        environment_type = self.environment_type
        problem = None
        if self._own_source and source is None and not isinstance(build_spec, dict):
            problem = "a project without a source needs its buildspec: pass build_spec={...}"
        elif compute_type in LAMBDA_COMPUTE and environment_type not in LAMBDA_ENVIRONMENTS:
            problem = (f"compute_type {compute_type} runs builds in Lambda: it needs environment_type "
                       f"{' or '.join(LAMBDA_ENVIRONMENTS)}")
        elif compute_type not in LAMBDA_COMPUTE and environment_type in LAMBDA_ENVIRONMENTS:
            problem = f"environment_type {environment_type} needs a Lambda compute_type ({', '.join(LAMBDA_COMPUTE)})"
        elif privileged and environment_type not in DOCKER_ENVIRONMENTS:
            problem = f"privileged (Docker builds) needs a Linux container environment, not {environment_type}"
        elif build_image is None and environment_type not in DEFAULT_IMAGE_ENVIRONMENTS:
            problem = f"environment_type {environment_type} has no default image: pass build_image="
        if problem is not None:
            raise ConstructError(f"invalid argument for {type(self).__name__} {self.id!r}: {problem}",
                                 path=self.path, location=self.location)

    # -- references ---------------------------------------------------------------------------

    @property
    def project_name(self) -> Token:
        return self.resource.ref

    @property
    def project_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def grant_principal(self) -> iam.Role:
        return self.role

    # -- properties ------------------------------------------------------------------------------

    def _source(self) -> dict[str, Any]:
        source = self.source
        if source is None:
            return {"Type": "NO_SOURCE", "BuildSpec": self._build_spec()}
        if source.type == "S3":
            # a folder prefix ("src/") is read object by object below it
            folder = isinstance(source.key, str) and source.key.endswith("/")
            source.bucket.grant_read(self, f"{source.key}*" if folder else source.key)
        if source.type == "CODECOMMIT":
            self.role.add_to_policy(iam.PolicyStatement(actions=["codecommit:GitPull"], resources=[Fn.sub(
                f"arn:{Aws.PARTITION}:codecommit:{Aws.REGION}:{Aws.ACCOUNT_ID}:{source.key}")]))
        return {"Type": source.type, "Location": source.location, "BuildSpec": self._build_spec()}

    def _artifacts(self) -> dict[str, Any]:
        artifacts = self.artifacts
        if artifacts is None:
            return {"Type": "NO_ARTIFACTS"}
        key = f"{artifacts.path}/{artifacts.name}" if artifacts.path else artifacts.name
        artifacts.bucket.grant_write(self, f"{key}*")
        return {"Type": "S3", "Location": artifacts.bucket.bucket_name, "Path": artifacts.path,
                "Name": artifacts.name, "Packaging": artifacts.packaging}

    def _environment(self, build_image: str | None, compute_type: str, privileged: bool,
                     environment_variables: dict[str, Any]) -> dict[str, Any]:
        image = build_image or (DEFAULT_ARM_IMAGE if self.environment_type == "ARM_CONTAINER" else DEFAULT_IMAGE)
        variables = []
        for name, value in environment_variables.items():
            variable = _as_variable(name, value)
            self._allow_reading(variable)
            variables.append({"Name": name, "Type": variable.type, "Value": variable.value})
        return {
            "Type": self.environment_type,
            "Image": image,
            "ComputeType": compute_type,
            "PrivilegedMode": True if privileged else None,
            "EnvironmentVariables": variables or None,
        }

    def _allow_reading(self, variable: EnvironmentVariable) -> None:
        """Read exactly the parameter or secret a variable names (at build start, by CodeBuild)."""
        if variable.type == PARAMETER_STORE:
            self.role.add_to_policy(iam.PolicyStatement(actions=["ssm:GetParameters"],
                                                        resources=[_parameter_arn(variable.value)]))
        elif variable.type == SECRETS_MANAGER:
            self.role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                        resources=_secret_arns(variable.value)))

    def _build_spec(self) -> str | None:
        spec = self.build_spec
        if spec is None or isinstance(spec, str):
            return spec
        env = spec.get("env", {})
        for parameter in env.get("parameter-store", {}).values():
            self._allow_reading(EnvironmentVariable.parameter_store(parameter))
        for secret in env.get("secrets-manager", {}).values():
            self._allow_reading(EnvironmentVariable.secrets_manager(secret))
        reports = {self._report_group(name, report): report for name, report in spec.get("reports", {}).items()}
        return render_build_spec({**spec, "reports": reports} if reports else spec)

    def _report_group(self, name: Any, report: dict[str, Any]) -> Any:
        """The ARN the buildspec names for report `name`; a group of its own unless it is an ARN already.

        Named by ARN, the group is one this project owns, so the role needs no right to create
        groups, only to fill these.
        """
        if isinstance(name, Token) or is_token(name) or name.startswith("arn:"):
            arn = name
        else:
            file_format = report.get("file-format", "JUNITXML")
            scope = self.find_child("Reports") or Construct(self, "Reports")
            group = CfnResource(scope, re.sub(r"[^A-Za-z0-9_-]", "-", name), type="AWS::CodeBuild::ReportGroup",
                                properties={
                                    "Type": "CODE_COVERAGE" if file_format in COVERAGE_REPORT_FORMATS else "TEST",
                                    "ExportConfig": {"ExportConfigType": "NO_EXPORT"},
                                    # Reports are build output, not data: the group can go with the stack.
                                    "DeleteReports": True,
                                })
            self.report_groups[name] = group
            arn = group.get_att("Arn")
        self.role.add_to_policy(iam.PolicyStatement(actions=list(REPORT_ACTIONS), resources=[arn]))
        return arn


class PipelineProject(Project):
    """A project run by CodePipeline: it gets its source from the pipeline and hands its artifacts
    back (Source and Artifacts of type CODEPIPELINE). Without build_spec, CodeBuild reads
    buildspec.yml from the source.

    Args:
        build_spec: the buildspec as a dict (checked, rendered to YAML), or the name of a buildspec
            file in the source; default buildspec.yml in the source.
        build_image: the image builds run in; default aws/codebuild/standard:7.0
            (amazonlinux2-aarch64-standard:3.0 on ARM_CONTAINER); required for other environments.
        compute_type: BUILD_GENERAL1_SMALL by default; a BUILD_LAMBDA_* type needs a Lambda
            environment_type.
        environment_type: the kind of build machine: LINUX_CONTAINER by default.
        privileged: True for Docker builds (Linux container environments only).
        environment_variables: name -> text or `EnvironmentVariable` (PARAMETER_STORE and
            SECRETS_MANAGER variables let the role read exactly that parameter or secret).
        timeout_minutes: how long a build may run (minutes, or a Duration).
        queued_timeout_minutes: how long a build may wait in the queue (minutes, or a Duration).
        log_retention_days: how long the build logs are kept (days, a `logs.RetentionDays` or a
            Duration); two years by default, None keeps them forever.
        project_name: the project's name; CloudFormation generates one when omitted.
        description: shown in the console.
        role: the role builds run as; default a role of its own that CodeBuild alone may assume.
    """

    _own_source = False

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        build_spec: Annotated[dict[str, Any] | str | None, Check(_build_spec_problem)] = None,
        build_image: Annotated[str | None, Check(_non_empty)] = None,
        compute_type: Annotated[str, Check(_compute_type_problem)] = DEFAULT_COMPUTE_TYPE,
        environment_type: EnvironmentType = "LINUX_CONTAINER",
        privileged: bool = False,
        environment_variables: Annotated[Mapping[str, Any] | None, Check(_variables_problem)] = None,
        timeout_minutes: Annotated[int | Duration | None, Cfn("TimeoutInMinutes", unit="minutes")] = None,
        queued_timeout_minutes: Annotated[int | Duration | None, Cfn("QueuedTimeoutInMinutes", unit="minutes")] = None,
        log_retention_days: Annotated[int | Duration | None, _RETENTION] = logs.RetentionDays.TWO_YEARS,
        project_name: Annotated[str | Token | None, Cfn("Name"), Check(_project_name_problem)] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        role: iam.Role | None = None,
    ) -> None:
        super().__init__(scope, id, build_spec=build_spec, build_image=build_image, compute_type=compute_type,
                         environment_type=environment_type, privileged=privileged,
                         environment_variables=environment_variables, timeout_minutes=timeout_minutes,
                         queued_timeout_minutes=queued_timeout_minutes, log_retention_days=log_retention_days,
                         project_name=project_name, description=description, role=role)

    def _source(self) -> dict[str, Any]:
        return {"Type": "CODEPIPELINE", "BuildSpec": self._build_spec()}

    def _artifacts(self) -> dict[str, Any]:
        return {"Type": "CODEPIPELINE"}


__all__ = ["Artifacts", "EnvironmentVariable", "PipelineProject", "Project", "Source", "compute_types",
           "render_build_spec"]
