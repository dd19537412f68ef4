"""EC2 instances: an image found by its public SSM parameter, user data, a role through an instance
profile, IMDSv2 only, an encrypted root volume, placed in the subnets asked for.

    user_data = ec2.UserData.for_linux()
    user_data.add_commands("dnf install -y nginx", "systemctl enable --now nginx")
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", user_data=user_data,
                        machine_image=ec2.MachineImage.latest_amazon_linux())
    host.connections.allow_from(load_balancer_group, ec2.Port.tcp(80))

The image: `MachineImage.latest_amazon_linux()` names AWS's public parameter
(/aws/service/ami-amazon-linux-latest/...) as a `{{resolve:ssm:...}}` reference, so no AMI id is written
down and each region gets its own; CloudFormation reads the parameter on every stack update, so an update
after AWS publishes a newer image replaces the instance with one on it (`MachineImage.generic_linux(ami)`
pins one image).

Protective defaults: instance metadata answers only IMDSv2 (session-token) requests, the root volume is
encrypted (gp3, deleted with the instance), the security group lets HTTPS out and nothing in, and the
role (the child `InstanceRole`, in the child `InstanceProfile`) has no permissions until granted
(`ssm_session_permissions=True` adds what Session Manager needs).

Stability contract: `<instance>/Resource`, `<instance>/InstanceRole`, `<instance>/InstanceProfile`,
`<instance>/SecurityGroup`.
"""

from __future__ import annotations

import difflib
import functools
import re
import shlex
from typing import Annotated, Any

import attrs

from iac.constructs import iam
from iac.constructs.core import CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Size
from iac.constructs.ec2.security import Peer, Port, SecurityGroup, generated_description
from iac.constructs.ec2.vpc import SubnetSelection, Vpc
from iac.errors import ConstructError
from iac.specs import known_regions, schema_extension

RESOURCE_TYPE = "AWS::EC2::Instance"
EC2_SERVICE = "ec2.amazonaws.com"
SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore"
AMAZON_LINUX_PARAMETERS = "/aws/service/ami-amazon-linux-latest"
AMAZON_LINUX_ROOT_DEVICE = "/dev/xvda"
#: EC2 takes at most 16 KB of user data before base64 encoding:
#: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html
MAX_USER_DATA_BYTES = 16 * 1024


# -- images ----------------------------------------------------------------------------------------

class AmazonLinuxGeneration:
    """Amazon Linux releases whose latest images AWS publishes as SSM parameters."""

    AMAZON_LINUX_2023 = "al2023"
    AMAZON_LINUX_2 = "amzn2"


class AmazonLinuxCpuType:
    X86_64 = "x86_64"
    ARM_64 = "arm64"


#: (generation, cpu) -> the public parameter's name below AMAZON_LINUX_PARAMETERS.
_AMAZON_LINUX_NAMES = {
    (AmazonLinuxGeneration.AMAZON_LINUX_2023, AmazonLinuxCpuType.X86_64): "al2023-ami-kernel-default-x86_64",
    (AmazonLinuxGeneration.AMAZON_LINUX_2023, AmazonLinuxCpuType.ARM_64): "al2023-ami-kernel-default-arm64",
    (AmazonLinuxGeneration.AMAZON_LINUX_2, AmazonLinuxCpuType.X86_64): "amzn2-ami-hvm-x86_64-gp2",
    (AmazonLinuxGeneration.AMAZON_LINUX_2, AmazonLinuxCpuType.ARM_64): "amzn2-ami-hvm-arm64-gp2",
}


@attrs.frozen
class MachineImage:
    """The image an instance boots: `MachineImage.latest_amazon_linux()`, `from_ssm_parameter(name)` or
    `generic_linux("ami-...")`. `root_device_name` is the image's root device (the one the encrypted root
    volume settings apply to)."""

    image_id: Any
    root_device_name: str
    ssm_parameter: str | None = None

    @staticmethod
    def latest_amazon_linux(generation: str = AmazonLinuxGeneration.AMAZON_LINUX_2023,
                            cpu_type: str = AmazonLinuxCpuType.X86_64) -> MachineImage:
        """The newest Amazon Linux image of the region, from AWS's public SSM parameter."""
        name = _AMAZON_LINUX_NAMES.get((generation, cpu_type))
        if name is None:
            raise ConstructError(f"latest_amazon_linux: no image for generation {generation!r} and cpu_type "
                                 f"{cpu_type!r} (generations: AmazonLinuxGeneration.AMAZON_LINUX_2023, AMAZON_LINUX_2; "
                                 "cpu types: AmazonLinuxCpuType.X86_64, ARM_64)", location=caller_location())
        return MachineImage.from_ssm_parameter(f"{AMAZON_LINUX_PARAMETERS}/{name}",
                                               root_device_name=AMAZON_LINUX_ROOT_DEVICE)

    @staticmethod
    def from_ssm_parameter(name: str, *, root_device_name: str = AMAZON_LINUX_ROOT_DEVICE) -> MachineImage:
        """The image whose id an SSM parameter holds (read by CloudFormation at each deploy)."""
        if not isinstance(name, str) or not name.startswith("/") or "}}" in name:
            raise ConstructError(f"from_ssm_parameter needs a parameter name such as '/my/ami', got {name!r}",
                                 location=caller_location())
        return MachineImage(f"{{{{resolve:ssm:{name}}}}}", _root_device(root_device_name), ssm_parameter=name)

    @staticmethod
    def generic_linux(ami_id: str | Token, *, root_device_name: str = AMAZON_LINUX_ROOT_DEVICE) -> MachineImage:
        """One image by id ("ami-0123456789abcdef0"); the same in every deploy (and in one region only)."""
        if not is_token(ami_id) and (not isinstance(ami_id, str) or not ami_id.startswith("ami-")):
            raise ConstructError(f"generic_linux needs an image id such as 'ami-0123456789abcdef0', got {ami_id!r}",
                                 location=caller_location())
        return MachineImage(ami_id, _root_device(root_device_name))


def _root_device(name: Any) -> str:
    if not isinstance(name, str) or not name.startswith("/dev/"):
        raise ConstructError(f"root_device_name must be a device such as '/dev/xvda', got {name!r}",
                             location=caller_location(2))
    return name


# -- user data -------------------------------------------------------------------------------------

class UserData:
    """What an instance runs at its first boot: `UserData.for_linux()` then `add_commands(...)`."""

    def __init__(self, shebang: str) -> None:
        self.shebang = shebang
        self.lines: list[str] = []

    @staticmethod
    def for_linux(shebang: str = "#!/bin/bash") -> UserData:
        """A shell script (bash by default); commands run as root, in order."""
        if not isinstance(shebang, str) or not shebang.startswith("#!"):
            raise ConstructError(f"for_linux needs a shebang line such as '#!/bin/bash', got {shebang!r}",
                                 location=caller_location())
        return UserData(shebang)

    def add_commands(self, *commands: str) -> None:
        """Add shell commands (values from other resources may be in them: f"aws s3 cp s3://{bucket.bucket_name}/...")."""
        for command in commands:
            if not isinstance(command, str):
                raise ConstructError(f"add_commands takes shell commands as strings, got {command!r}",
                                     location=caller_location())
        self.lines.extend(commands)

    def add_file(self, path: str, content: str, *, mode: str = "0644") -> None:
        """Write `content` to `path` on the instance at boot (folders made as needed), with `mode`.

        The content goes through a quoted here-document, so the shell expands nothing in it; values
        from other resources in it are resolved by CloudFormation first. The path is quoted."""
        location = caller_location()
        if not isinstance(path, str) or not path.startswith("/") or "\n" in path or "\0" in path:
            raise ConstructError(f"add_file needs an absolute path on the instance, got {path!r}", location=location)
        if not isinstance(content, str):
            raise ConstructError(f"add_file takes the file's content as a string, got {type(content).__name__}",
                                 location=location)
        if not isinstance(mode, str) or not _FILE_MODE.match(mode):
            raise ConstructError(f"add_file's mode must be octal such as '0644' or '600', got {mode!r}",
                                 location=location)
        delimiter = _here_document_delimiter(content)
        quoted = shlex.quote(path)
        self.lines.extend([
            f"mkdir -p \"$(dirname {quoted})\"",
            f"cat > {quoted} <<'{delimiter}'",
            *content.rstrip("\n").split("\n"),
            delimiter,
            f"chmod {mode} {quoted}",
        ])

    def render(self) -> str:
        return "\n".join([self.shebang, *self.lines])

    def _checked(self, instance: Construct) -> str:
        text = self.render()
        size = len(text.encode())
        if not is_token(text) and size > MAX_USER_DATA_BYTES:
            raise ConstructError(f"the user data is {size:,} bytes; EC2 takes at most {MAX_USER_DATA_BYTES:,} before "
                                 "encoding", path=instance.path, location=instance.location,
                                 hint="download a larger script from S3 in the user data instead")
        return text


_FILE_MODE = re.compile(r"^[0-7]{3,4}$")


def _here_document_delimiter(content: str) -> str:
    """A here-document end word that no line of `content` is, so the file cannot end early."""
    lines = set(content.split("\n"))
    delimiter, n = "IAC_FILE_END", 0
    while delimiter in lines:
        n += 1
        delimiter = f"IAC_FILE_END_{n}"
    return delimiter


# -- rules the schema cannot say -----------------------------------------------------------------

@functools.cache
def instance_types() -> frozenset[str]:
    """Every instance type some region offers, from cfn-lint's per-region data (the extension schema
    it checks AWS::EC2::Instance InstanceType against)."""
    data = schema_extension("aws_ec2_instance", "instancetype_enum")
    return frozenset(name for region in known_regions() for name in data.get(region, {}).get("enum", ()))


def _instance_type_problem(value: Any) -> str | None:
    if is_token(value) or value in instance_types():
        return None
    close = difflib.get_close_matches(str(value), sorted(instance_types()), n=3, cutoff=0.6)
    return (f"{value!r} is not an EC2 instance type any region offers"
            + (f" (did you mean {', '.join(map(repr, close))}?)" if close else " (e.g. 't3.micro')"))


# -- the instance ----------------------------------------------------------------------------------

class Instance(Construct):
    """An EC2 instance (`AWS::EC2::Instance`, the child `Resource`) in a subnet of `vpc`, with a role
    of its own (through an instance profile) and a security group (`connections`).

    Args:
        vpc: the VPC the instance runs in.
        instance_type: the instance type, e.g. "t3.micro" (checked against the types cfn-lint's data knows).
        machine_image: the image it boots (default: the latest Amazon Linux 2023 for x86_64,
            `MachineImage.latest_amazon_linux()`).
        user_data: what it runs at first boot (`UserData.for_linux()` with `add_commands`).
        role: the role its programs get credentials for (default: one of its own, the child
            `InstanceRole`, with no permissions until granted); put in an instance profile.
        vpc_subnets: where it goes: the first subnet of the selection (default: the private subnets,
            else the isolated ones, else the public ones).
        security_group: its group (default: one of its own, the child `SecurityGroup`, HTTPS out only).
        key_name: an EC2 key pair for SSH (default none: use Session Manager, `ssm_session_permissions`).
        require_imdsv2: answer only IMDSv2 (session-token) metadata requests (True); False also answers
            IMDSv1, which a server-side request forgery can read credentials from.
        root_volume_size: the encrypted gp3 root volume's size in GiB or as a `Size` (default: the image's).
        detailed_monitoring: one-minute CloudWatch metrics instead of five-minute ones (charged).
        ssm_session_permissions: give the role AmazonSSMManagedInstanceCore, so Session Manager can reach
            the instance without SSH (in an isolated subnet it also needs the ssm, ssmmessages and
            ec2messages interface endpoints).
        instance_name: the Name tag shown in the console (default: the construct path).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: Vpc,
        instance_type: Annotated[str | Token, Cfn("InstanceType"), Check(_instance_type_problem)],
        machine_image: MachineImage | None = None,
        user_data: UserData | None = None,
        role: iam.Role | None = None,
        vpc_subnets: SubnetSelection | None = None,
        security_group: SecurityGroup | None = None,
        key_name: Annotated[str | Token | None, Cfn("KeyName")] = None,
        require_imdsv2: bool = True,
        root_volume_size: Annotated[int | Size | None, Unit("gibibytes")] = None,
        detailed_monitoring: Annotated[bool, Cfn("Monitoring")] = False,
        ssm_session_permissions: bool = False,
        instance_name: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self.machine_image = machine_image or MachineImage.latest_amazon_linux()
        self.user_data = user_data
        self.role: iam.Role = role or iam.Role(self, "InstanceRole", assumed_by=iam.ServicePrincipal(EC2_SERVICE))
        if ssm_session_permissions:
            self.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(SSM_CORE_POLICY))
        self.instance_profile = CfnResource(self, "InstanceProfile", type="AWS::IAM::InstanceProfile",
                                            properties={"Roles": [self.role.role_name]})
        self.subnet = vpc.select_subnets(vpc_subnets).subnets[0]
        self.security_group = security_group or self._security_group()
        from iac.constructs.connections import Connections

        self.connections = Connections(security_groups=[self.security_group])
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "ImageId": self.machine_image.image_id,
            "InstanceType": instance_type,
            "IamInstanceProfile": self.instance_profile.ref,
            "SubnetId": self.subnet.subnet_id,
            "SecurityGroupIds": [self.security_group.security_group_id],
            "KeyName": key_name,
            "UserData": Fn.base64(user_data._checked(self)) if user_data is not None else None,
            "MetadataOptions": {"HttpTokens": "required" if require_imdsv2 else "optional"},
            "BlockDeviceMappings": [self._root_volume(root_volume_size)],
            "Monitoring": detailed_monitoring or None,
            "Tags": [{"Key": "Name", "Value": instance_name or self.path}],
        })
        self.role.add_policy_dependent(self.resource)  # its programs start with their grants
        self.resource.add_depends_on(*self.subnet.internet_connectivity)  # user data may download at boot

    def _security_group(self) -> SecurityGroup:
        group = SecurityGroup(self, "SecurityGroup", vpc=self.vpc,
                              description=generated_description(f"{self.path} (EC2 instance)"))
        group.allow_to(Peer.any_ipv4(), Port.tcp(443), "HTTPS out: packages and AWS APIs")
        return group

    def _root_volume(self, size: Any) -> dict[str, Any]:
        ebs: dict[str, Any] = {"Encrypted": True, "VolumeType": "gp3", "DeleteOnTermination": True}
        if size is not None:
            ebs["VolumeSize"] = size
        return {"DeviceName": self.machine_image.root_device_name, "Ebs": ebs}

    # -- references -------------------------------------------------------------------------------

    @property
    def instance_id(self) -> Token:
        return self.resource.ref

    @property
    def instance_private_ip(self) -> Token:
        return self.resource.get_att("PrivateIp")

    @property
    def instance_private_dns_name(self) -> Token:
        return self.resource.get_att("PrivateDnsName")

    @property
    def instance_availability_zone(self) -> Token:
        return self.resource.get_att("AvailabilityZone")

    @property
    def grant_principal(self) -> iam.Role:
        return self.role


__all__ = ["AmazonLinuxCpuType", "AmazonLinuxGeneration", "Instance", "MachineImage", "UserData", "instance_types"]
