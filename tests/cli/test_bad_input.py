"""A battery of bad input, through the real CLI in a subprocess: malformed apps, constructs, templates,
assemblies, options and project files.

Every case must end the same way a user can act on: exit status 1 (validation) or 2 (usage/input),
one block of text on one screen that says what is wrong (and, where there is one, the construct path
and the user's file:line), no Python traceback, no "bug in iac", no hang (a bounded time), and the
previous `iac.out/` byte for byte as it was.

Cases are data (`Case`): the files of a project, the command line, the exit status and what the
message must mention. Classes of cases, in order: the app program, the construct tree, resource
properties, CloudFormation limits and references, template files, assemblies, command-line usage,
project configuration.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest

TIMEOUT_SECONDS = 60
#: One screen: a terminal's usual height.
SCREEN_LINES = 50

HEADER = "from iac import App, CfnResource, Fn, Output, Parameter, Stack\napp = App()\nstack = Stack(app, 'Main')\n"
QUEUE = "CfnResource(stack, 'Queue', type='AWS::SQS::Queue')\n"
GOOD_APP = HEADER + QUEUE


@attrs.frozen
class Case:
    """One bad input: `files` of the project (text, or bytes as written), the `iac` arguments, the exit
    status expected and the texts the message must hold."""

    id: str
    args: tuple[str, ...]
    files: dict[str, str | bytes] = attrs.field(factory=dict)
    exit: int = 2
    mentions: tuple[str, ...] = ()


def app_case(id: str, body: str, *, exit: int = 2, mentions: tuple[str, ...] = (),
             args: tuple[str, ...] = ("synth", "--no-lint")) -> Case:
    """An app.py made of HEADER and `body` (dedented), synthesized (unless `args` say otherwise)."""
    return Case(id, args, {"app.py": HEADER + textwrap.dedent(body)}, exit, mentions)


def raw_app(id: str, source: str | bytes, *, exit: int = 2, mentions: tuple[str, ...] = ()) -> Case:
    return Case(id, ("synth", "--no-lint"), {"app.py": source}, exit, mentions)


def template_case(id: str, text: str | bytes, *, name: str = "t.yaml", exit: int = 2,
                  mentions: tuple[str, ...] = (), lint: bool = False) -> Case:
    args = ("validate", name) if lint else ("validate", "--no-lint", name)
    return Case(id, args, {name: text}, exit, mentions)


def diff_case(id: str, text: str | bytes, *, name: str = "t.yaml", mentions: tuple[str, ...] = ()) -> Case:
    return Case(id, ("diff", "--template", name), {"app.py": GOOD_APP, name: text}, 2, mentions)


def deep_json(depth: int) -> str:
    return '{"Resources": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


def alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for index, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[index]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\nResources: *i\n"


def many_resources(count: int) -> str:
    return json.dumps({"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(count)}})


APP_PROGRAM = [
    raw_app("app-syntax-error", HEADER + "def broken(:\n", mentions=("app.py:4",)),
    raw_app("app-indentation-error", HEADER + "if True:\nx = 1\n", mentions=("app.py",)),
    raw_app("app-name-error", HEADER + "undefined_name\n", mentions=("app.py:4", "undefined_name")),
    raw_app("app-import-error", "import no_such_module_for_iac\n", mentions=("app.py:1", "no_such_module_for_iac")),
    raw_app("app-raises", HEADER + "raise RuntimeError('boom in app')\n", mentions=("app.py:4", "boom in app")),
    raw_app("app-raises-in-function", HEADER + "def f():\n    raise ValueError('deep')\nf()\n",
            mentions=("app.py:5", "deep")),
    raw_app("app-type-error", HEADER + "len(5)\n", mentions=("app.py:4",)),
    raw_app("app-zero-division", HEADER + "1 / 0\n", mentions=("app.py:4", "ZeroDivisionError")),
    raw_app("app-recursion", HEADER + "def f():\n    return f()\nf()\n", mentions=("app.py", "RecursionError")),
    raw_app("app-sys-exit-zero", HEADER + QUEUE + "import sys\nsys.exit(0)\n", mentions=("app.py:6",)),
    raw_app("app-sys-exit-nonzero", HEADER + QUEUE + "import sys\nsys.exit(3)\n", mentions=("app.py:6",)),
    raw_app("app-sys-exit-message", HEADER + "raise SystemExit('leaving early')\n", mentions=("app.py:4",)),
    raw_app("app-exit-builtin", HEADER + QUEUE + "exit()\n", mentions=("app.py:5",)),
    raw_app("app-keyboard-interrupt-raised", HEADER + "raise KeyboardInterrupt\n", exit=130),
    raw_app("app-base-exception", HEADER + "class Odd(BaseException):\n    pass\nraise Odd('odd')\n",
            mentions=("app.py:6",)),
    raw_app("app-no-app", "x = 1\n", mentions=("App",)),
    raw_app("app-empty-file", ""),
    raw_app("app-not-utf8", b"\xff\xfe\x00garbage\x00\n"),
    raw_app("app-binary", bytes(range(256))),
    raw_app("app-two-apps", HEADER + QUEUE + "other = App()\nStack(other, 'B')\n"),
    raw_app("app-app-is-not-app", "from iac import Stack\napp = 5\n"),
    Case("app-missing-file", ("synth", "--app", "nothere.py")),
    Case("app-is-directory", ("synth", "--app", "folder"), {"folder/x.txt": "x"}),
    Case("app-module-attr-missing", ("synth", "--app", "mod:nothing"), {"mod.py": GOOD_APP}, 2, ("nothing",)),
    Case("app-module-attr-not-app", ("synth", "--app", "mod:x"), {"mod.py": "x = 5\n"}, 2, ("x",)),
    Case("app-module-missing", ("synth", "--app", "no_such_mod_iac:app"), {}, 2, ("no_such_mod_iac",)),
    raw_app("app-output-to-stdout-then-error", HEADER + "print('hello')\nraise ValueError('after print')\n",
            mentions=("after print",)),
]

CONSTRUCT_TREE = [
    app_case("tree-duplicate-id", QUEUE + QUEUE, exit=2, mentions=("app.py:5", "Queue")),
    app_case("tree-empty-id", "CfnResource(stack, '', type='AWS::SQS::Queue')\n", mentions=("app.py:4",)),
    app_case("tree-slash-in-id", "CfnResource(stack, 'a/b', type='AWS::SQS::Queue')\n", mentions=("app.py:4",)),
    app_case("tree-id-not-string", "CfnResource(stack, 5, type='AWS::SQS::Queue')\n", mentions=("app.py:4",)),
    app_case("tree-scope-not-construct", "CfnResource('stack', 'Q', type='AWS::SQS::Queue')\n",
             mentions=("app.py:4",)),
    app_case("tree-stack-without-resources", "", exit=1, mentions=("Main", "no resources")),
    app_case("tree-duplicate-stack-name", QUEUE + "other = Stack(app, 'Other', stack_name='Main')\n"
             "CfnResource(other, 'Q', type='AWS::SQS::Queue')\n", exit=1, mentions=("app.py:5",)),
    app_case("tree-stack-in-resource", QUEUE.replace("CfnResource", "q = CfnResource") + "Stack(q, 'Inner')\n",
             mentions=("app.py",)),
    app_case("tree-bad-stack-name", "s = Stack(app, 'Bad', stack_name='has spaces!')\n"
             "CfnResource(s, 'Q', type='AWS::SQS::Queue')\n", mentions=("app.py:4",)),
    app_case("tree-bad-region", "s = Stack(app, 'R', region='mars-north-1')\n"
             "CfnResource(s, 'Q', type='AWS::SQS::Queue')\n" + QUEUE, mentions=("mars-north-1",)),
    app_case("tree-duplicate-logical-id", "a = CfnResource(stack, 'A', type='AWS::SQS::Queue')\n"
             "b = CfnResource(stack, 'B', type='AWS::SQS::Queue')\n"
             "a.override_logical_id('Same')\nb.override_logical_id('Same')\n", exit=1, mentions=("Same",)),
    app_case("tree-bad-logical-id-override", "q = CfnResource(stack, 'A', type='AWS::SQS::Queue')\n"
             "q.override_logical_id('not valid!')\n", mentions=("app.py:4",)),
    app_case("tree-stack-cycle", "other = Stack(app, 'Other')\n"
             "a = CfnResource(stack, 'A', type='AWS::SNS::Topic')\n"
             "b = CfnResource(other, 'B', type='AWS::SNS::Topic', properties={'DisplayName': a.get_att('TopicName')})\n"
             "a.add_override('Properties.DisplayName', b.get_att('TopicName'))\n", exit=1,
             mentions=("depend on each other",)),
    app_case("tree-resource-cycle", "a = CfnResource(stack, 'A', type='AWS::SNS::Topic')\n"
             "b = CfnResource(stack, 'B', type='AWS::SNS::Topic', properties={'DisplayName': a.get_att('TopicName')})\n"
             "a.add_override('Properties.DisplayName', b.get_att('TopicName'))\n", exit=1,
             mentions=("cycle", "app.py:")),
    app_case("tree-reference-to-other-app", QUEUE + "other = App()\nos_ = Stack(other, 'O')\n"
             "t = CfnResource(os_, 'T', type='AWS::SNS::Topic')\n"
             "CfnResource(stack, 'S', type='AWS::SNS::Topic', properties={'DisplayName': t.get_att('TopicName')})\n"),
    app_case("tree-depends-on-not-resource", "q = CfnResource(stack, 'A', type='AWS::SQS::Queue')\n"
             "q.add_depends_on('nothing')\n", exit=1, mentions=("app.py:4", "nothing")),
    app_case("tree-output-bad-value", QUEUE + "Output(stack, 'O', value=object())\n", exit=1, mentions=("app.py:5",)),
    app_case("tree-output-no-value", QUEUE + "Output(stack, 'O')\n", mentions=("app.py:5",)),
    app_case("tree-parameter-bad-type", QUEUE + "Parameter(stack, 'P', type='NotAType')\n", mentions=("app.py:5",)),
    app_case("tree-parameter-default-not-allowed", QUEUE + "Parameter(stack, 'P', allowed_values=['a'], default='b')\n",
             mentions=("app.py:5",)),
    app_case("tree-condition-bad", QUEUE + "from iac import Condition\nCondition(stack, 'C', expression='yes')\n",
             mentions=("app.py:6",)),
    app_case("tree-tag-not-string", QUEUE + "s = Stack(app, 'T', tags={'k': 5})\nCfnResource(s, 'Q', "
             "type='AWS::SQS::Queue')\n", mentions=("app.py:5",)),
    app_case("tree-get-att-unknown", "q = CfnResource(stack, 'A', type='AWS::SQS::Queue')\n"
             "CfnResource(stack, 'T', type='AWS::SNS::Topic', properties={'DisplayName': q.get_att('Nope')})\n",
             exit=1, mentions=("Nope",)),
    app_case("tree-override-bad-path", "q = CfnResource(stack, 'A', type='AWS::SQS::Queue')\n"
             "q.add_override('', 1)\n", mentions=("app.py:4",)),
]

PROPERTIES = [
    app_case("prop-unknown-type", "CfnResource(stack, 'Q', type='AWS::SQS::Queu')\n", exit=1,
             mentions=("app.py:4", "AWS::SQS::Queue")),
    app_case("prop-type-not-string", "CfnResource(stack, 'Q', type=5)\n", mentions=("app.py:4",)),
    app_case("prop-type-malformed", "CfnResource(stack, 'Q', type='not a type')\n", mentions=("app.py:4",)),
    app_case("prop-misspelt", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={'VisibilityTimout': 1})\n",
             exit=1, mentions=("app.py:4", "VisibilityTimeout")),
    app_case("prop-wrong-type", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={'VisibilityTimeout': "
             "'x'})\n", exit=1, mentions=("app.py:4", "integer")),
    app_case("prop-out-of-range", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={'VisibilityTimeout': "
             "99999999})\n", exit=1, mentions=("app.py:4",)),
    app_case("prop-missing-required", "CfnResource(stack, 'S', type='AWS::SNS::Subscription', properties="
             "{'Protocol': 'sqs'})\n", exit=1, mentions=("app.py:4", "TopicArn")),
    app_case("prop-bad-enum", "CfnResource(stack, 'T', type='AWS::DynamoDB::Table', properties={'KeySchema': "
             "[{'AttributeName': 'id', 'KeyType': 'HASH'}], 'AttributeDefinitions': [{'AttributeName': 'id', "
             "'AttributeType': 'S'}], 'BillingMode': 'CHEAP'})\n", exit=1, mentions=("app.py:4", "CHEAP")),
    app_case("prop-properties-not-dict", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties=[1])\n",
             mentions=("app.py:4",)),
    app_case("prop-non-json-value", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties="
             "{'QueueName': object()})\n", exit=1, mentions=("app.py:4",)),
    app_case("prop-nan", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={'VisibilityTimeout': "
             "float('nan')})\n", exit=1, mentions=("app.py:4",)),
    # refused when the resource is created (properties are dict[str, Any]), so an input error at the line
    app_case("prop-non-string-key", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={1: 2})\n",
             exit=2, mentions=("app.py:4", "properties must be")),
    app_case("prop-bad-intrinsic", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={'QueueName': "
             "{'Ref': 'Nowhere'}})\n", exit=1, mentions=("Nowhere",)),
    app_case("prop-fn-select-bad-index", "CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={'QueueName': "
             "Fn.select('x', ['a'])})\n", exit=1, mentions=("app.py:4",),
             args=("synth",)),
    app_case("prop-lint-error", "CfnResource(stack, 'F', type='AWS::Lambda::Function', properties={'Runtime': "
             "'python2.7', 'Handler': 'i.h', 'Role': 'arn:aws:iam::123456789012:role/r', 'Code': {'ZipFile': 'x'}})\n",
             exit=1, mentions=("app.py:4",), args=("synth",)),
    app_case("prop-lambda-misspelt-kwarg", "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', handler='i.h', runtime='python3.12', "
             "code=awslambda.Code.from_inline('x'), timout=3)\n", mentions=("app.py:5", "timeout")),
    app_case("prop-lambda-bad-runtime", "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', handler='i.h', runtime='cobol', code=awslambda.Code.from_inline('x'))\n",
             mentions=("app.py:5", "cobol")),
    app_case("prop-lambda-memory-type", "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', handler='i.h', runtime='python3.12', "
             "code=awslambda.Code.from_inline('x'), memory_size='lots')\n", mentions=("app.py:5", "memory_size")),
    app_case("prop-lambda-missing-handler", "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', runtime='python3.12', code=awslambda.Code.from_inline('x'))\n",
             mentions=("app.py:5", "handler")),
    app_case("prop-lambda-asset-missing", "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', handler='i.h', runtime='python3.12', "
             "code=awslambda.Code.from_asset('nope'))\n", mentions=("app.py:5", "nope")),
    app_case("prop-lambda-asset-empty", "import os\nos.makedirs('empty', exist_ok=True)\n"
             "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', handler='i.h', runtime='python3.12', "
             "code=awslambda.Code.from_asset('empty'))\n", mentions=("app.py:7", "no files")),
    app_case("prop-lambda-env-bad-name", "from iac.constructs import awslambda\n"
             "awslambda.Function(stack, 'F', handler='i.h', runtime='python3.12', "
             "code=awslambda.Code.from_inline('x'), environment={'1bad': 'v'})\n", mentions=("app.py:5", "1bad")),
    app_case("prop-bucket-bad-name", "from iac.constructs import s3\ns3.Bucket(stack, 'B', bucket_name='Bad_Name')\n",
             mentions=("app.py:5", "Bad_Name")),
    app_case("prop-bucket-kms-without-key", "from iac.constructs import s3\n"
             "s3.Bucket(stack, 'B', encryption=s3.BucketEncryption.KMS)\n", mentions=("app.py:5", "kms_key_arn")),
    app_case("prop-table-no-key", "from iac.constructs import dynamodb\ndynamodb.Table(stack, 'T')\n",
             mentions=("app.py:5", "partition_key")),
    app_case("prop-table-same-keys", "from iac.constructs import dynamodb\n"
             "k = dynamodb.Attribute(name='id', type=dynamodb.AttributeType.STRING)\n"
             "dynamodb.Table(stack, 'T', partition_key=k, sort_key=k)\n", mentions=("app.py:6",)),
    app_case("prop-unknown-kwarg-bucket", "from iac.constructs import s3\ns3.Bucket(stack, 'B', versoned=True)\n",
             mentions=("app.py:5", "versioned")),
    app_case("prop-secret-literal-strict", "CfnResource(stack, 'Db', type='AWS::SSM::Parameter', properties="
             "{'Type': 'String', 'Value': 'x', 'Name': 'n', 'Description': 'AKIAABCDEFGHIJKLMNOP'})\n",
             exit=1, mentions=("app.py:4", "IAC-SECRET-003"), args=("synth", "--no-lint", "--strict")),
    app_case("prop-noecho-default-strict", QUEUE + "Parameter(stack, 'DbPass', no_echo=True, default='hunter22')\n",
             exit=1, mentions=("app.py:5", "NoEcho"), args=("synth", "--no-lint", "--strict")),
]

LIMITS = [
    app_case("limit-too-many-resources", "for i in range(501):\n    CfnResource(stack, f'Q{i}', "
             "type='AWS::SQS::Queue')\n", exit=1, mentions=("500",)),
    app_case("limit-too-many-outputs", QUEUE + "for i in range(201):\n    Output(stack, f'O{i}', value='v')\n",
             exit=1, mentions=("200",)),
    app_case("limit-too-many-parameters", QUEUE + "for i in range(201):\n    Parameter(stack, f'P{i}', "
             "default='v')\n", exit=1, mentions=("200",)),
    app_case("limit-template-too-large", "for i in range(200):\n    CfnResource(stack, f'Q{i}', "
             "type='AWS::SQS::Queue', metadata={'pad': 'x' * 6000})\n", exit=1, mentions=("1,048,576",)),
    app_case("limit-logical-id-too-long", "q = CfnResource(stack, 'A', type='AWS::SQS::Queue')\n"
             "q.override_logical_id('A' * 300)\n", mentions=("app.py:4",)),
]

TEMPLATE_FILES = [
    template_case("tpl-broken-yaml", "Resources:\n  Q: [\n", mentions=("t.yaml",)),
    template_case("tpl-broken-json", '{"Resources": ', name="t.json", mentions=("t.json",)),
    template_case("tpl-duplicate-keys", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: "
                  "AWS::SNS::Topic\n", mentions=("t.yaml:4",)),
    template_case("tpl-list", "- 1\n- 2\n", mentions=("t.yaml",)),
    template_case("tpl-scalar", "just text\n", mentions=("t.yaml",)),
    template_case("tpl-empty", "", mentions=("t.yaml",)),
    template_case("tpl-null", "null\n", mentions=("t.yaml",)),
    template_case("tpl-not-utf8", b"Resources: \xff\xfe\n", mentions=("t.yaml",)),
    template_case("tpl-binary", bytes(range(256)), mentions=("t.yaml",)),
    template_case("tpl-unknown-tag", "Resources:\n  Q:\n    Type: !Bogus x\n", exit=1, mentions=("t.yaml:3",)),
    template_case("tpl-tab-indent", "Resources:\n\tQ: 1\n", mentions=("t.yaml",)),
    template_case("tpl-alias-bomb", alias_bomb(), mentions=("t.yaml",)),
    template_case("tpl-deep-json", deep_json(2000), name="deep.json", mentions=("deep.json",)),
    template_case("tpl-deep-yaml", "Resources: " + "[" * 2000 + "]" * 2000 + "\n", mentions=("t.yaml",)),
    template_case("tpl-resources-not-mapping", "Resources: 5\n", exit=1, mentions=("t.yaml",)),
    template_case("tpl-resource-without-type", "Resources:\n  Q:\n    Properties: {}\n", exit=1,
                  mentions=("t.yaml:2",)),
    template_case("tpl-resource-type-not-string", "Resources:\n  Q:\n    Type: [1]\n", exit=1, mentions=("t.yaml",)),
    template_case("tpl-unknown-resource-type", "Resources:\n  Q:\n    Type: AWS::SQS::Queu\n", exit=1,
                  mentions=("t.yaml:3", "AWS::SQS::Queue")),
    template_case("tpl-unknown-property", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                  "      VisibilityTimout: 3\n", exit=1, mentions=("t.yaml:5", "VisibilityTimeout")),
    template_case("tpl-bad-intrinsic-arguments", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                  "      QueueName: !Select [x]\n", exit=1, mentions=("t.yaml",), lint=True),
    template_case("tpl-ref-to-nothing", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                  "      QueueName: !Ref Nowhere\n", exit=1, mentions=("t.yaml:5", "Nowhere"), lint=True),
    template_case("tpl-too-many-resources", many_resources(501), name="many.json", exit=1, mentions=("500",)),
    template_case("tpl-huge-integer", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                  "      VisibilityTimeout: " + "9" * 5000 + "\n", mentions=("t.yaml", "cannot be read")),
    template_case("tpl-misspelt-section", "Resource:\n  Q:\n    Type: AWS::SQS::Queue\n", exit=1,
                  mentions=("t.yaml",), lint=True),
    Case("tpl-noecho-default-strict", ("validate", "--no-lint", "--strict", "t.yaml"),
         {"t.yaml": "Parameters:\n  Pass:\n    Type: String\n    NoEcho: true\n    Default: hunter22\n"
                    "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"}, 1, ("t.yaml:5", "IAC-SECRET-001")),
    Case("tpl-missing-file", ("validate", "nothere.yaml"), {}, 2, ("nothere.yaml",)),
    Case("tpl-bad-region", ("validate", "--region", "mars-north-1", "t.yaml"),
         {"t.yaml": "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"}, 2, ("mars-north-1",)),
    Case("tpl-unreadable-folder-entry", ("validate", "dir"), {"dir/a.yaml": "Resources: [\n"}, 2, ("a.yaml",)),
    diff_case("diff-template-broken", "Resources: [\n", mentions=("t.yaml",)),
    diff_case("diff-template-alias-bomb", alias_bomb(), mentions=("t.yaml",)),
    diff_case("diff-template-deep-json", deep_json(2000), name="deep.json", mentions=("deep.json",)),
    diff_case("diff-template-list", "[1, 2]\n", mentions=("t.yaml",)),
    Case("diff-template-missing", ("diff", "--template", "nothere.yaml"), {"app.py": GOOD_APP}, 2,
         ("nothere.yaml",)),
]


def assembly_case(id: str, files: dict[str, str | bytes], *, mentions: tuple[str, ...] = ()) -> Case:
    """`iac diff --against old` where old/ is a damaged assembly."""
    return Case(id, ("diff", "--against", "old"), {"app.py": GOOD_APP, **{f"old/{k}": v for k, v in files.items()}},
                2, mentions)


ASSEMBLIES = [
    assembly_case("asm-manifest-not-json", {"manifest.json": "{"}, mentions=("manifest.json",)),
    assembly_case("asm-manifest-list", {"manifest.json": "[]"}, mentions=("manifest.json",)),
    assembly_case("asm-manifest-no-stacks", {"manifest.json": "{}"}, mentions=("manifest.json",)),
    assembly_case("asm-stacks-not-mapping", {"manifest.json": '{"stacks": [1]}'}, mentions=("manifest.json",)),
    assembly_case("asm-entry-without-template", {"manifest.json": '{"stacks": {"Main": {}}}'},
                  mentions=("manifest.json",)),
    assembly_case("asm-template-missing", {"manifest.json": '{"stacks": {"Main": {"template": "Main.template.json"}}}'},
                  mentions=("Main.template.json",)),
    assembly_case("asm-template-broken", {"manifest.json": '{"stacks": {"Main": {"template": "Main.template.json"}}}',
                                          "Main.template.json": "{"}, mentions=("Main.template.json",)),
    assembly_case("asm-template-path-escape",
                  {"manifest.json": '{"stacks": {"Main": {"template": "../../etc/passwd"}}}'},
                  mentions=("manifest.json",)),
    assembly_case("asm-not-an-assembly", {"notes.txt": "mine"}, mentions=("old",)),
    assembly_case("asm-manifest-not-utf8", {"manifest.json": b"\xff\xfe"}, mentions=("manifest.json",)),
    Case("asm-against-missing", ("diff", "--against", "nothere"), {"app.py": GOOD_APP}, 2, ("nothere",)),
    Case("asm-against-file", ("diff", "--against", "afile"), {"app.py": GOOD_APP, "afile": "x"}, 2, ("afile",)),
]

USAGE = [
    Case("cli-unknown-command", ("synthesise",), {}, 2, ("synthesise",)),
    Case("cli-unknown-option", ("synth", "--fast"), {"app.py": GOOD_APP}, 2, ("--fast",)),
    Case("cli-bad-format", ("synth", "--format", "xml"), {"app.py": GOOD_APP}, 2, ("xml",)),
    Case("cli-unknown-stack", ("synth", "--no-lint", "Nope"), {"app.py": GOOD_APP}, 2, ("Nope", "Main")),
    Case("cli-print-many-stacks", ("synth", "--no-lint", "--print"),
         {"app.py": GOOD_APP + "o = Stack(app, 'Other')\nCfnResource(o, 'Q', type='AWS::SQS::Queue')\n"}, 2,
         ("--print",)),
    Case("cli-out-is-file", ("synth", "--no-lint", "--out", "afile"), {"app.py": GOOD_APP, "afile": "mine"}, 2,
         ("afile",)),
    Case("cli-out-is-user-folder", ("synth", "--no-lint", "--out", "src"), {"app.py": GOOD_APP, "src/a.py": "x"}, 2,
         ("src",)),
    Case("cli-out-is-cwd", ("synth", "--no-lint", "--out", "."), {"app.py": GOOD_APP}, 2),
    Case("cli-out-is-parent", ("synth", "--no-lint", "--out", ".."), {"app.py": GOOD_APP}, 2),
    Case("cli-out-fake-manifest", ("synth", "--no-lint", "--out", "data"),
         {"app.py": GOOD_APP, "data/manifest.json": '{"mine": true}', "data/precious.txt": "keep"}, 2, ("data",)),
    Case("cli-no-app", ("synth",), {}, 2, ("app.py",)),
    Case("cli-diff-no-app", ("diff",), {}, 2, ("app.py",)),
    Case("cli-tree-bad-app", ("tree",), {"app.py": HEADER + "raise ValueError('tree boom')\n"}, 2, ("tree boom",)),
    Case("cli-ls-bad-app", ("ls",), {"app.py": HEADER + "raise ValueError('ls boom')\n"}, 2, ("ls boom",)),
    Case("cli-validate-bad-app", ("validate", "--no-lint"), {"app.py": HEADER + "raise ValueError('v boom')\n"}, 2,
         ("v boom",)),
    Case("cli-init-unknown-template", ("init", "no-such-template", "proj"), {}, 2, ("no-such-template",)),
    Case("cli-init-non-empty", ("init", "empty", "proj"), {"proj/mine.txt": "x"}, 2, ("proj",)),
    Case("cli-deploy-bad-parameter", ("deploy", "-p", "novalue", "--region", "us-east-1"), {"app.py": GOOD_APP}, 2,
         ("novalue",)),
    Case("cli-diff-bad-parameter", ("diff", "-p", "=x"), {"app.py": GOOD_APP}, 2),
    Case("cli-diff-both-baselines", ("diff", "--template", "t.yaml", "--against", "old"),
         {"app.py": GOOD_APP, "t.yaml": "Resources: {}\n"}, 2),
]

PROJECT = [
    Case("proj-pyproject-broken", ("synth",), {"pyproject.toml": "[tool.iac\napp = 'x.py'\n"}, 2,
         ("pyproject.toml",)),
    Case("proj-tool-iac-not-table", ("synth",), {"pyproject.toml": "[tool]\niac = 5\n"}, 2, ("pyproject.toml",)),
    Case("proj-app-missing", ("synth",), {"pyproject.toml": "[tool.iac]\napp = 'missing.py'\n"}, 2,
         ("missing.py",)),
    Case("proj-app-not-string", ("synth",), {"pyproject.toml": "[tool.iac]\napp = 5\n"}, 2, ("pyproject.toml",)),
]

CASES = APP_PROGRAM + CONSTRUCT_TREE + PROPERTIES + LIMITS + TEMPLATE_FILES + ASSEMBLIES + USAGE + PROJECT


def test_the_battery_is_large_and_every_case_is_named_once() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 100
    assert len(set(ids)) == len(ids)


@pytest.fixture(scope="module")
def previous_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An assembly from an earlier, good synth: every bad run must leave a copy of it as it was."""
    project = tmp_path_factory.mktemp("good")
    (project / "app.py").write_text(GOOD_APP, encoding="utf-8")
    done = run_cli(project, ("synth", "--no-lint"))
    assert done.returncode == 0, done.stderr
    return project / "iac.out"


def run_cli(cwd: Path, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PYTHONPATH")}
    environment.update({"NO_COLOR": "1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    return subprocess.run([sys.executable, "-m", "iac", *args], cwd=cwd, env=environment, capture_output=True,
                          text=True, errors="replace", timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)


def digest(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_one_clear_error(case: Case, tmp_path: Path, previous_assembly: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    write_files(project, case.files)
    shutil.copytree(previous_assembly, project / "iac.out")
    before = digest(project / "iac.out")

    done = run_cli(project, case.args)

    output = done.stderr + done.stdout
    assert done.returncode == case.exit, output
    assert "Traceback (most recent call last)" not in output
    assert "site-packages" not in output and "/iac/" not in output, output
    assert "bug in iac" not in output, output
    assert len(done.stderr.strip().splitlines()) <= SCREEN_LINES, output
    assert done.stderr.strip(), "the error is said on stderr"
    for text in case.mentions:
        assert text in output, f"{text!r} not in:\n{output}"
    assert digest(project / "iac.out") == before
    assert not [p.name for p in project.iterdir() if p.name.startswith(".iac.out")], "no staging left behind"
