"""secretsmanager: generated secrets (no literal value can be given), customer keys, dynamic references, the
read grant (with kms:Decrypt via Secrets Manager only), rotation by a Lambda function with its permission and
grants, imported secrets, and the limits the schema and the API set."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Duration, Stack
from iac.constructs import awslambda, iam, kms, secretsmanager
from iac.specs import is_stateful, property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.secrets import secret_findings
from iac.synth.synthesizer import validate_assembly

SECRET = "Db5D02A0A9"
KEY = "Key961B73FD"
PARTITION, REGION, ACCOUNT = ({"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"})


def function(stack: Stack, id: str = "Rotator", **options: Any) -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_PYTHON_RUNTIME,
                              code=awslambda.Code.from_inline("def handler(event, context):\n    return None\n"),
                              **options)


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    assert role.default_policy is not None
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_secret_is_generated_and_retained(app, stack):
    secret = secretsmanager.Secret(stack, "Db")

    assert resources(app) == {SECRET: {
        "Type": "AWS::SecretsManager::Secret",
        "Properties": {"GenerateSecretString": {}},
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }}
    assert secret.resource.logical_id == SECRET
    assert is_stateful(secretsmanager.RESOURCE_TYPE)


def test_no_prop_takes_a_literal_secret_value():
    props = inspect.signature(secretsmanager.Secret.__init__).parameters

    assert not [name for name in props if "value" in name or name in ("secret_string", "password")]


def test_a_literal_value_is_refused_with_the_arguments_listed(stack):
    with pytest.raises(ConstructError, match="has no argument 'secret_string_value'"):
        secretsmanager.Secret(stack, "Db", secret_string_value="hunter2")


def test_a_secret_can_hold_another_secrets_value_through_a_dynamic_reference(app, stack):
    shared = secretsmanager.Secret.from_secret_name_v2(stack, "Shared", "org/stripe")
    secretsmanager.Secret(stack, "Db", secret_string_reference=shared.secret_value_from_json("api_key"))

    assert resources(app)[SECRET]["Properties"] == {
        "SecretString": "{{resolve:secretsmanager:org/stripe:SecretString:api_key::}}"}


def test_a_reference_to_a_secret_of_the_stack_is_joined(app, stack):
    source = secretsmanager.Secret(stack, "Source")
    copy = secretsmanager.Secret(stack, "Db", secret_string_reference=source.secret_value)

    assert resources(app)[copy.resource.logical_id]["Properties"] == {"SecretString": {"Fn::Join": ["", [
        "{{resolve:secretsmanager:", {"Ref": source.resource.logical_id}, ":SecretString:::}}"]]}}
    assert secret_findings(synthesize(app).template("Main")) == []


def test_an_ssm_parameter_reference_is_accepted(app, stack):
    secretsmanager.Secret(stack, "Db", secret_string_reference="{{resolve:ssm:/app/db-url}}")

    assert resources(app)[SECRET]["Properties"] == {"SecretString": "{{resolve:ssm:/app/db-url}}"}


@pytest.mark.parametrize(("options", "message"), [
    ({"secret_string_reference": "hunter2"}, "must be a dynamic reference .* never the value itself"),
    ({"secret_string_reference": "{{resolve:secretsmanager:x"}, "must be a dynamic reference"),
    ({"secret_string_reference": "{{resolve:ssm-secure:/app/password}}"},
     "CloudFormation does not resolve ssm-secure references in SecretString"),
    ({"secret_string_reference": "{{resolve:ssm:/a}}", "password_length": 20, "exclude_punctuation": True},
     "secret_string_reference gives the value, so nothing is generated; leave out password_length, "
     "exclude_punctuation"),
])
def test_a_secret_string_that_is_not_a_dynamic_reference_is_refused(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        secretsmanager.Secret(stack, "Db", **options)

    assert caught.value.path == "Main/Db"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_secretsmanager.py")


def test_a_json_secret_with_a_generated_password_and_a_customer_key(app, stack):
    key = kms.Key(stack, "Key")
    secretsmanager.Secret(stack, "Db", description="app database", encryption_key=key, password_length=40,
                          exclude_characters='"@/\\', exclude_punctuation=True, include_space=True,
                          require_each_included_type=False, secret_string_template={"username": "app"},
                          generate_string_key="password", removal_policy="destroy")

    assert resources(app)[SECRET] == {
        "Type": "AWS::SecretsManager::Secret",
        "Properties": {
            "Description": "app database",
            "KmsKeyId": {"Fn::GetAtt": [KEY, "Arn"]},
            "GenerateSecretString": {
                "PasswordLength": 40,
                "ExcludeCharacters": '"@/\\',
                "ExcludePunctuation": True,
                "IncludeSpace": True,
                "RequireEachIncludedType": False,
                "SecretStringTemplate": '{"username":"app"}',
                "GenerateStringKey": "password",
            },
        },
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
    }


def test_a_template_may_hold_deploy_time_values(app, stack):
    host = kms.Key(stack, "Key").key_id  # any token: a database endpoint in practice
    secretsmanager.Secret(stack, "Db", secret_string_template={"host": host}, generate_string_key="password")

    assert resources(app)[SECRET]["Properties"]["GenerateSecretString"]["SecretStringTemplate"] == {
        "Fn::Join": ["", ['{"host":"', {"Ref": KEY}, '"}']]}


def test_secret_value_from_json_is_a_dynamic_reference_never_the_value(stack, resolve):
    secret = secretsmanager.Secret(stack, "Db", secret_string_template={"username": "app"},
                                   generate_string_key="password")

    assert resolve(secret.secret_value_from_json("password")) == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": SECRET}, ":SecretString:password::}}"]]}
    assert resolve(secret.secret_value) == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": SECRET}, ":SecretString:::}}"]]}
    assert resolve(secret.secret_arn) == {"Ref": SECRET}


def test_a_dynamic_reference_in_a_password_variable_is_not_a_secret_finding(app, stack):
    secret = secretsmanager.Secret(stack, "Db", secret_string_template={"username": "app"},
                                   generate_string_key="password")
    function(stack, "Reader", environment={"DB_PASSWORD": secret.secret_value_from_json("password")})

    assert secret_findings(synthesize(app).template("Main")) == []


@pytest.mark.parametrize("key", ["", "a:b", "{x}", 3])
def test_secret_value_from_json_refuses_what_is_not_a_key(stack, key):
    secret = secretsmanager.Secret(stack, "Db")

    with pytest.raises(ConstructError, match="takes the name of a key of the JSON secret") as caught:
        secret.secret_value_from_json(key)

    assert caught.value.location is not None and caught.value.location.file.endswith("test_secretsmanager.py")


def test_grant_read_gives_get_and_describe_on_the_secret(app, stack, role):
    secret = secretsmanager.Secret(stack, "Db")

    grant = secret.grant_read(role)

    assert grant.role is role
    assert statements(app, role) == [{
        "Effect": "Allow",
        "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        "Resource": {"Ref": SECRET},
    }]


def test_grant_read_with_a_customer_key_decrypts_only_through_secrets_manager(app, stack, role):
    secret = secretsmanager.Secret(stack, "Db", encryption_key=kms.Key(stack, "Key"))

    secret.grant_read(role)

    assert statements(app, role) == [
        {"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
         "Resource": {"Ref": SECRET}},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": [KEY, "Arn"]},
         "Condition": {"StringEquals": {"kms:ViaService": {
             "Fn::Join": ["", ["secretsmanager.", REGION, ".amazonaws.com"]]}}}},
    ]


def test_grant_read_with_an_imported_key_decrypts_with_it_through_secrets_manager(app, stack, role):
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    secret = secretsmanager.Secret(stack, "Db", encryption_key=kms.Key.from_key_arn(stack, "Shared", key_arn))

    secret.grant_read(role)

    assert resources(app)[SECRET]["Properties"]["KmsKeyId"] == key_arn
    assert statements(app, role)[1] == {
        "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": {
            "Fn::Join": ["", ["secretsmanager.", REGION, ".amazonaws.com"]]}}}}


def test_a_rotation_schedule_invokes_the_function_with_a_permission_for_this_account(app, stack):
    secret = secretsmanager.Secret(stack, "Db")
    rotator = function(stack)

    schedule = secret.add_rotation_schedule(function=rotator, automatically_after=Duration.days(7))

    written = resources(app)
    assert written[schedule.resource.logical_id] == {
        "Type": "AWS::SecretsManager::RotationSchedule",
        "Properties": {
            "SecretId": {"Ref": SECRET},
            "RotationLambdaARN": {"Fn::GetAtt": [rotator.resource.logical_id, "Arn"]},
            "RotationRules": {"AutomaticallyAfterDays": 7},
        },
        "DependsOn": [schedule.permission.logical_id],
    }
    assert written[schedule.permission.logical_id] == {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [rotator.resource.logical_id, "Arn"]},
            "Principal": "secretsmanager.amazonaws.com",
            "SourceAccount": ACCOUNT,
        },
    }
    assert (schedule.resource.logical_id, schedule.permission.logical_id) == (
        "DbRotationSchedule71ADDF58", "DbRotationScheduleInvokePermission7CE3E8D9")


def test_rotation_defaults_to_thirty_days(app, stack):
    schedule = secretsmanager.Secret(stack, "Db").add_rotation_schedule(function=function(stack))

    assert resources(app)[schedule.resource.logical_id]["Properties"]["RotationRules"] == {
        "AutomaticallyAfterDays": 30}


def test_the_rotation_function_gets_exactly_what_rotation_needs(app, stack):
    secret = secretsmanager.Secret(stack, "Db", encryption_key=kms.Key(stack, "Key"))
    rotator = function(stack)

    secret.add_rotation_schedule(function=rotator)

    assert statements(app, rotator.role) == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
         "Resource": {"Fn::GetAtt": [KEY, "Arn"]},
         "Condition": {"StringEquals": {"kms:EncryptionContext:SecretARN": {"Ref": SECRET}}}},
        {"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                                       "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
         "Resource": {"Ref": SECRET}},
        {"Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
    ]


def test_a_second_rotation_schedule_is_refused(stack):
    secret = secretsmanager.Secret(stack, "Db")
    secret.add_rotation_schedule(function=function(stack))

    with pytest.raises(ConstructError, match="already has a rotation schedule") as caught:
        secret.add_rotation_schedule(function=function(stack, "Other"))

    assert caught.value.location is not None and caught.value.location.file.endswith("test_secretsmanager.py")


@pytest.mark.parametrize(("after", "message"), [
    (Duration.hours(36), "36 hours is not a whole number of days"),
    (Duration.days(secretsmanager.ROTATION_DAYS_RANGE[1] + 1), "is outside 1-1000"),
    (0, "0 is outside 1-1000"),
])
def test_rotation_intervals_secrets_manager_refuses_are_refused_at_the_callers_line(stack, after, message):
    secret = secretsmanager.Secret(stack, "Db")

    with pytest.raises(ConstructError, match=message) as caught:
        secret.add_rotation_schedule(function=function(stack), automatically_after=after)

    assert caught.value.path == "Main/Db/RotationSchedule"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_secretsmanager.py")


def test_rotation_needs_a_function(stack, role):
    with pytest.raises(ConstructError, match="function must be Invocable"):
        secretsmanager.Secret(stack, "Db").add_rotation_schedule(function=role)


def test_a_secret_imported_by_name_is_granted_by_its_arn_pattern(app, stack, role, resolve):
    secret = secretsmanager.Secret.from_secret_name_v2(stack, "Api", "prod/api")

    secret.grant_read(role)

    assert resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [{
        "Effect": "Allow",
        "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        "Resource": {"Fn::Join": ["", ["arn:", PARTITION, ":secretsmanager:", REGION, ":", ACCOUNT,
                                       ":secret:prod/api-??????"]]},
    }]
    assert secret.secret_value_from_json("token") == "{{resolve:secretsmanager:prod/api:SecretString:token::}}"


def test_a_secret_imported_by_arn_is_granted_by_that_arn(app, stack, role):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api-AbCdEf"
    secret = secretsmanager.Secret.from_secret_complete_arn(stack, "Api", arn)

    secret.grant_read(role)

    assert statements(app, role)[0]["Resource"] == arn
    assert secret.secret_value_from_json("token") == f"{{{{resolve:secretsmanager:{arn}:SecretString:token::}}}}"


def test_an_imported_secret_adds_nothing_to_the_template(stack):
    secret = secretsmanager.Secret.from_secret_name_v2(stack, "Api", "prod/api")

    assert [node for node in secret.walk() if isinstance(node, CfnResource)] == []


def test_an_arn_that_is_not_a_secrets_arn_is_refused(stack):
    with pytest.raises(ConstructError, match="is not a Secrets Manager secret ARN"):
        secretsmanager.Secret.from_secret_complete_arn(stack, "Api", "arn:aws:s3:::bucket")


def test_a_misspelt_argument_is_refused_with_did_you_mean(stack):
    with pytest.raises(ConstructError, match="has no argument 'pasword_length'") as caught:
        secretsmanager.Secret(stack, "Db", pasword_length=20)

    assert caught.value.hint == "did you mean password_length?"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_secretsmanager.py")


def test_the_name_and_description_follow_the_schemas_lengths(stack):
    _, longest_name = property_length(secretsmanager.RESOURCE_TYPE, "Name")
    _, longest_description = property_length(secretsmanager.RESOURCE_TYPE, "Description")
    assert longest_name is not None and longest_description is not None
    secretsmanager.Secret(stack, "Long", secret_name="n" * longest_name, description="d" * longest_description)
    secretsmanager.Secret(stack, "Path", secret_name="prod/app_db+1=x.y@z-w")

    with pytest.raises(ConstructError, match="secret_name: .* is too long"):
        secretsmanager.Secret(stack, "TooLong", secret_name="n" * (longest_name + 1))
    with pytest.raises(ConstructError, match="description: .* is too long"):
        secretsmanager.Secret(stack, "Wordy", description="d" * (longest_description + 1))


@pytest.mark.parametrize(("options", "message"), [
    ({"secret_name": "app db!"}, r"secret_name: 'app db!' has characters a secret's name cannot have \(' !'\)"),
    ({"secret_name": "app\n"}, "has characters a secret's name cannot have"),
    ({"password_length": 0}, "password_length: 0 is outside 1-4096"),
    ({"password_length": secretsmanager.PASSWORD_LENGTH_RANGE[1] + 1}, "is outside 1-4096"),
    ({"password_length": "20"}, r"password_length must be int \| None, got str '20'"),
    ({"generate_string_key": "password"}, "generate_string_key needs secret_string_template"),
    ({"secret_string_template": {"username": "app"}}, "secret_string_template needs generate_string_key"),
    ({"secret_string_template": {"username": "app", "password": "hunter2"}, "generate_string_key": "password"},
     "secret_string_template already has 'password', the key the generated value goes under"),
    ({"secret_string_template": '{"password": ""}', "generate_string_key": "password"}, "already has 'password'"),
    ({"secret_string_template": "[1]", "generate_string_key": "p"}, "must be a JSON object"),
    ({"secret_string_template": "{oops", "generate_string_key": "p"}, "is not JSON"),
    ({"encryption_key": "alias/mine"}, r"encryption_key must be KeyBase \| None, got str"),
    ({"removal_policy": "snapshot"}, "AWS::SecretsManager::Secret does not support the Snapshot policy"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        secretsmanager.Secret(stack, "Db", **options)

    assert caught.value.path == "Main/Db"
    assert caught.value.location is not None and caught.value.location.file.endswith("test_secretsmanager.py")


def test_secrets_rotation_and_grants_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key", alias="alias/app/secrets")
    secret = secretsmanager.Secret(stack, "Db", encryption_key=key, secret_name="app/db",
                                   secret_string_template={"username": "app"}, generate_string_key="password",
                                   exclude_characters='"@/\\')
    reader = function(stack, "Reader", environment={"DB_PASSWORD": secret.secret_value_from_json("password")})
    secret.grant_read(reader)
    secret.add_rotation_schedule(function=function(stack), automatically_after=Duration.days(14))
    secretsmanager.Secret(stack, "Plain", removal_policy="destroy")
    secretsmanager.Secret(stack, "Copy", secret_string_reference=secret.secret_value_from_json("username"))
    secretsmanager.Secret.from_secret_name_v2(stack, "Api", "prod/api").grant_read(reader)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
    assert secret_findings(assembly.template("Main")) == []


def test_keys_secrets_rotation_and_encrypted_storage_synthesize_strict_clean(write_app, run_iac):
    write_app('''
        from iac import App, Duration, Stack, suppress
        from iac.constructs import awslambda, kms, logs, s3, secretsmanager

        app = App()
        stack = Stack(app, "Keys")
        key = kms.Key(stack, "Key", alias="alias/app/data")
        bucket = s3.Bucket(stack, "Uploads", encryption_key=key)
        suppress(bucket, "IAC-S3-005", reason="a test app without a log bucket")
        logs.LogGroup(stack, "Audit", log_group_name="/app/audit", encryption_key=key)
        secret = secretsmanager.Secret(stack, "Db", encryption_key=key, secret_string_template={"username": "app"},
                                       generate_string_key="password", exclude_characters='"@/')
        code = awslambda.Code.from_inline("def handler(event, context):\\n    return None\\n")
        runtime = awslambda.DEFAULT_PYTHON_RUNTIME
        reader = awslambda.Function(stack, "Reader", handler="index.handler", runtime=runtime, code=code,
                                    environment={"DB_PASSWORD": secret.secret_value_from_json("password")})
        rotator = awslambda.Function(stack, "Rotator", handler="index.handler", runtime=runtime, code=code)
        secret.grant_read(reader)
        bucket.grant_read_write(reader)
        secret.add_rotation_schedule(function=rotator, automatically_after=Duration.days(14))
        app.synth()
    ''')

    result = run_iac("synth", "--strict")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()
