"""The deploy tests' fixtures live in tests/local_aws.py (shared with tests/cli/test_deploy_commands.py)."""

from local_aws import aws_env, moto, moto_client, moto_server, stubbed  # noqa: F401 - fixtures
