"""A type checker reads the generated stubs: a misspelt keyword, a wrong enum value or a wrong key of a
nested type fails mypy, and the same file fails `iac synth` with "did you mean" at the user's line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

USER_FILE = '''\
from iac import App, Stack
from iac.cfn import ec2, lambda_, sqs

app = App()
stack = Stack(app, "Main")
dlq = sqs.Queue(stack, "Dead")
queue = sqs.Queue(stack, "Jobs", visibility_timeout=60,
                  redrive_policy={"deadLetterTargetArn": dlq.attr_arn, "maxReceiveCount": 3})
arn: object = queue.attr_arn
vpc = ec2.VPC(stack, "Vpc", cidr_block="10.0.0.0/16")
ec2.Subnet(stack, "Subnet", vpc_id=vpc.ref, cidr_block="10.0.0.0/24")
mapping: ec2.Instance.BlockDeviceMapping = {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}
ec2.Instance(stack, "Host", image_id="ami-12345678", block_device_mappings=[mapping])
{extra}
app.synth()
'''


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "app.py"
    path.write_text(source, encoding="utf-8")
    environment = {**os.environ, "MYPYPATH": str(REPO)}  # the editable install's import hook is not for mypy
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-error-summary", "--hide-error-context",
         "--cache-dir", str(tmp_path / ".mypy_cache"), str(path)],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def mypy_available() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra")


def errors_in_user_file(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(("app.py:", str(Path("app.py"))))]


def test_correct_code_passes_mypy(tmp_path, mypy_available):
    result = mypy(tmp_path, USER_FILE.replace("{extra}", ""))
    assert errors_in_user_file(result) == [], result.stdout + result.stderr


def test_mypy_flags_a_misspelt_keyword_a_wrong_enum_and_a_wrong_nested_key(tmp_path, mypy_available):
    extra = "\n".join([
        'sqs.Queue(stack, "Typo", visibilty_timeout=3)',
        'lambda_.Function(stack, "Fn", code={"ZipFile": "x"}, role="r", architectures=["arm65"])',
        'sqs.Queue(stack, "Tags", tags=[sqs.Queue.Tag(Key="a", Valeu="b")])',
        'lambda_.Function(stack, "NoRole", code={"ZipFile": "x"})',
        'sqs.Queue(stack, "Policy", redrive_policy={"deadLetterTargetArm": "x"})',
    ])
    errors = errors_in_user_file(mypy(tmp_path, USER_FILE.replace("{extra}", extra)))
    by_line: dict[int, str] = {}
    for error in errors:
        line = int(error.split(":")[1])
        by_line[line] = by_line.get(line, "") + error
    assert sorted(by_line) == [14, 15, 16, 17, 18], "\n".join(errors)
    assert ('Unexpected keyword argument "visibilty_timeout" for "Queue"; did you mean "visibility_timeout"?'
            in by_line[14])
    assert "arm65" in by_line[15]
    assert 'Extra key "Valeu" for TypedDict "Tag"' in by_line[16]
    assert 'Missing named argument "role" for "Function"' in by_line[17]
    # in a dict literal, mypy names the argument and the TypedDict (not the key) when the type is a union
    assert '"redrive_policy"' in by_line[18] and "RedrivePolicy" in by_line[18]


def test_the_same_misspelling_fails_iac_synth_with_did_you_mean(tmp_path, run_iac):
    path = tmp_path / "app.py"
    path.write_text(USER_FILE.replace("{extra}", 'sqs.Queue(stack, "Typo", visibilty_timeout=3)'), encoding="utf-8")
    result = run_iac("synth", "--app", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Queue 'Typo' has no argument 'visibilty_timeout'" in output
    assert "did you mean visibility_timeout?" in output
    assert "app.py:14" in output
    assert "Traceback" not in output


def test_correct_code_synthesizes(tmp_path, run_iac):
    path = tmp_path / "app.py"
    path.write_text(USER_FILE.replace("{extra}", ""), encoding="utf-8")
    result = run_iac("synth", "--app", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_array_typed_definition_is_a_list_of_its_items_not_one_item(tmp_path, mypy_available):
    """cfn-lint's DynamoDB `KeySchema` definition is an array (its `properties` annotate the items): the
    stub takes a list of key dicts, for the table and inside each index, and refuses a single key dict
    where only the list is allowed (an index's KeySchema has no JSON-string alternative)."""
    extra = "\n".join([
        "from iac.cfn import dynamodb",
        'keys: list[dynamodb.Table.KeySchema] = [{"AttributeName": "pk", "KeyType": "HASH"}]',
        'dynamodb.Table(stack, "Table", key_schema=[{"AttributeName": "pk", "KeyType": "HASH"},',
        '               {"AttributeName": "sk", "KeyType": "RANGE"}], local_secondary_indexes=[',
        '    {"IndexName": "byName", "Projection": {"ProjectionType": "KEYS_ONLY"}, "KeySchema": keys}])',
        'dynamodb.Table(stack, "One", key_schema=keys, local_secondary_indexes=[',
        '    {"IndexName": "byName", "Projection": {}, "KeySchema": {"AttributeName": "pk", "KeyType": "HASH"}}])',
    ])
    errors = errors_in_user_file(mypy(tmp_path, USER_FILE.replace("{extra}", extra)))
    assert [int(error.split(":")[1]) for error in errors] == [20], "\n".join(errors)  # the single dict only
    assert "LocalSecondaryIndex" in errors[0]
