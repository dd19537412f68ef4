"""ec2.Instance: the image from AWS's public SSM parameter, user data, a role through an instance
profile, IMDSv2 only, an encrypted root volume, its subnet and its security group (connections)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import ec2, iam, s3
from iac.constructs.core import Size
from iac.constructs.ec2 import AmazonLinuxCpuType, AmazonLinuxGeneration, MachineImage, SubnetType, UserData
from iac.synth import synthesize
from iac.synth.lint import lint_template


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


def test_an_instance_makes_a_role_profile_group_and_the_instance_with_pinned_ids(app, stack, vpc):
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro")

    written = resources(app)
    mine = {key: r["Type"] for key, r in written.items() if key.startswith("Host")}
    assert mine == {"HostInstanceRole3750A33D": "AWS::IAM::Role",
                    "HostInstanceProfileFDE6399F": "AWS::IAM::InstanceProfile",
                    "HostSecurityGroup0F2C6627": "AWS::EC2::SecurityGroup",
                    "HostB4E45AD7": "AWS::EC2::Instance"}
    assert written[host.resource.logical_id]["Properties"] == {
        "ImageId": "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}",
        "InstanceType": "t3.micro",
        "IamInstanceProfile": {"Ref": "HostInstanceProfileFDE6399F"},
        "SubnetId": {"Ref": vpc.private_subnets[0].resource.logical_id},
        "SecurityGroupIds": [{"Fn::GetAtt": ["HostSecurityGroup0F2C6627", "GroupId"]}],
        "MetadataOptions": {"HttpTokens": "required"},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda",
                                 "Ebs": {"Encrypted": True, "VolumeType": "gp3", "DeleteOnTermination": True}}],
        "Tags": [{"Key": "Name", "Value": "Main/Host"}]}
    assert written["HostInstanceProfileFDE6399F"]["Properties"] == {"Roles": [{"Ref": "HostInstanceRole3750A33D"}]}
    assert written["HostInstanceRole3750A33D"]["Properties"] == {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}
    assert written["HostSecurityGroup0F2C6627"]["Properties"]["SecurityGroupEgress"] == [
        {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Description": "HTTPS out: packages and AWS APIs"}]
    assert written[host.resource.logical_id]["DependsOn"] == [
        r.logical_id for r in vpc.private_subnets[0].internet_connectivity]


def test_grants_go_to_the_instance_role_and_the_instance_waits_for_them(app, stack, vpc):
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro")
    bucket = s3.Bucket(stack, "Site")
    bucket.grant_read(host)

    written = resources(app)
    policy = host.role.default_policy
    assert written[policy.logical_id]["Properties"]["Roles"] == [{"Ref": "HostInstanceRole3750A33D"}]
    assert policy.logical_id in written[host.resource.logical_id]["DependsOn"]


def test_user_data_is_a_script_with_values_from_other_resources(app, stack, vpc):
    bucket = s3.Bucket(stack, "Site")
    user_data = UserData.for_linux()
    user_data.add_commands("dnf install -y nginx", f"aws s3 cp s3://{bucket.bucket_name}/index.html /srv/")
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", user_data=user_data)

    script = ["#!/bin/bash\ndnf install -y nginx\naws s3 cp s3://", {"Ref": bucket.resource.logical_id},
              "/index.html /srv/"]
    user_data_written = resources(app)[host.resource.logical_id]["Properties"]["UserData"]
    assert user_data_written == {"Fn::Base64": {"Fn::Join": ["", script]}}


def test_user_data_writes_files_through_a_quoted_here_document(app, stack, vpc):
    user_data = UserData.for_linux()
    user_data.add_file("/etc/my app/config.ini", "[main]\nhome = $HOME\nIAC_FILE_END\n", mode="0600")
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", user_data=user_data)

    script = resources(app)[host.resource.logical_id]["Properties"]["UserData"]["Fn::Base64"]
    assert script.split("\n") == [
        "#!/bin/bash",
        "mkdir -p \"$(dirname '/etc/my app/config.ini')\"",
        "cat > '/etc/my app/config.ini' <<'IAC_FILE_END_1'",  # the content has a line IAC_FILE_END
        "[main]", "home = $HOME", "IAC_FILE_END",
        "IAC_FILE_END_1",
        "chmod 0600 '/etc/my app/config.ini'",
    ]


@pytest.mark.parametrize("path, content, mode, message", [
    ("etc/app.ini", "x", "0644", "needs an absolute path"),
    ("/etc/a\nb", "x", "0644", "needs an absolute path"),
    ("/etc/app.ini", b"x", "0644", "content as a string"),
    ("/etc/app.ini", "x", "rw-r--r--", "mode must be octal"),
])
def test_user_data_files_refuse_what_the_shell_could_misread(path, content, mode, message):
    with pytest.raises(ConstructError, match=message) as caught:
        UserData.for_linux().add_file(path, content, mode=mode)
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("generation, cpu, name", [
    (AmazonLinuxGeneration.AMAZON_LINUX_2023, AmazonLinuxCpuType.ARM_64, "al2023-ami-kernel-default-arm64"),
    (AmazonLinuxGeneration.AMAZON_LINUX_2, AmazonLinuxCpuType.X86_64, "amzn2-ami-hvm-x86_64-gp2"),
])
def test_the_latest_amazon_linux_is_read_from_its_public_parameter(generation, cpu, name):
    image = MachineImage.latest_amazon_linux(generation, cpu)

    assert image.image_id == f"{{{{resolve:ssm:/aws/service/ami-amazon-linux-latest/{name}}}}}"
    assert image.root_device_name == "/dev/xvda"


def test_options_shape_the_instance(app, stack, vpc):
    group = ec2.SecurityGroup(stack, "Web", vpc=vpc)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t4g.small", security_group=group, role=role,
                        machine_image=MachineImage.generic_linux("ami-0123456789abcdef0", root_device_name="/dev/sda1"),
                        vpc_subnets=ec2.SubnetSelection(subnet_type=SubnetType.PUBLIC), key_name="ops",
                        root_volume_size=Size.gibibytes(30), detailed_monitoring=True, instance_name="web-1",
                        ssm_session_permissions=True)

    written = resources(app)
    properties = written[host.resource.logical_id]["Properties"]
    assert properties["ImageId"] == "ami-0123456789abcdef0"
    assert properties["SubnetId"] == {"Ref": vpc.public_subnets[0].resource.logical_id}
    assert properties["SecurityGroupIds"] == [{"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}]
    assert properties["BlockDeviceMappings"] == [{"DeviceName": "/dev/sda1", "Ebs": {
        "Encrypted": True, "VolumeType": "gp3", "DeleteOnTermination": True, "VolumeSize": 30}}]
    assert (properties["KeyName"], properties["Monitoring"], properties["Tags"]) == (
        "ops", True, [{"Key": "Name", "Value": "web-1"}])
    assert written[role.resource.logical_id]["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"}]
    assert host.find_child("InstanceRole") is None and host.find_child("SecurityGroup") is None


def test_imdsv1_only_when_asked(app, stack, vpc):
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", require_imdsv2=False)

    assert resources(app)[host.resource.logical_id]["Properties"]["MetadataOptions"] == {"HttpTokens": "optional"}


def test_connections_write_both_groups_rules(app, stack, vpc):
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro")
    balancer = ec2.SecurityGroup(stack, "Balancer", vpc=vpc)
    host.connections.allow_from(balancer, ec2.Port.tcp(80))

    assert Counter(c.id for c in host.security_group.children) == {"Resource": 1, "From Balancer:80": 1}
    assert [c.id for c in balancer.children if c.id != "Resource"] == ["To Host.SecurityGroup:80"]


@pytest.mark.parametrize("make, message", [
    (lambda stack, vpc: ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micr"),
     r"'t3.micr' is not an EC2 instance type any region offers \(did you mean 't3.micro'"),
    (lambda stack, vpc: MachineImage.latest_amazon_linux("al2022"), "no image for generation 'al2022'"),
    (lambda stack, vpc: MachineImage.generic_linux("ubuntu"), "needs an image id such as 'ami-"),
    (lambda stack, vpc: MachineImage.from_ssm_parameter("ami"), "needs a parameter name such as '/my/ami'"),
    (lambda stack, vpc: MachineImage.generic_linux("ami-1", root_device_name="xvda"), "must be a device"),
    (lambda stack, vpc: UserData.for_linux("bash"), "needs a shebang line"),
    (lambda stack, vpc: UserData.for_linux().add_commands(["ls"]), "takes shell commands as strings"),
])
def test_bad_options_are_errors_at_the_users_line(stack, vpc, make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack, vpc)
    assert caught.value.location.file == __file__


def test_user_data_over_16_kb_is_refused(stack, vpc):
    user_data = UserData.for_linux()
    user_data.add_commands("echo " + "x" * 16 * 1024)
    with pytest.raises(ConstructError, match="the user data is 16,401 bytes; EC2 takes at most 16,384") as caught:
        ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", user_data=user_data)
    assert caught.value.path == "Main/Host" and caught.value.location.file == __file__


def test_an_instance_passes_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    user_data = UserData.for_linux()
    user_data.add_commands("dnf install -y nginx")
    ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", user_data=user_data, root_volume_size=20,
                 ssm_session_permissions=True)

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


def test_the_network_pieces_together_synthesize_strictly(tmp_path):
    from iac.constructs import awslambda, kms

    app = App()
    stack = Stack(app, "Net")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, subnet_configuration=[
        ec2.SubnetConfiguration(name="Public", subnet_type=SubnetType.PUBLIC, cidr_mask=24),
        ec2.SubnetConfiguration(name="App", subnet_type=SubnetType.PRIVATE_WITH_EGRESS),
        ec2.SubnetConfiguration(name="Db", subnet_type=SubnetType.PRIVATE_ISOLATED, cidr_mask=26)])
    vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.S3)
    vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.SSM)
    vpc.add_flow_log()
    logs_bucket = s3.Bucket(stack, "Logs", encryption_key=kms.Key(stack, "Key"), versioned=True)
    vpc.add_flow_log("ToS3", destination=ec2.FlowLogDestination.to_s3(logs_bucket, key_prefix="flows"))
    user_data = UserData.for_linux()
    user_data.add_commands("echo ready")
    host = ec2.Instance(stack, "Host", vpc=vpc, instance_type="t3.micro", user_data=user_data,
                        ssm_session_permissions=True)
    fn = awslambda.Function(stack, "Fn", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_inline("exports.handler = async () => 1;"), vpc=vpc)
    host.connections.allow_from(fn, ec2.Port.tcp(80))

    app.synth(outdir=str(tmp_path / "out"), strict=True)  # schemas, iac's checks, cfn-lint; a warning fails
