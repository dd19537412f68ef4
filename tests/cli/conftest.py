"""Fixtures of the deploy command tests (tests/local_aws.py: the moto server, dummy credentials, stubs)."""

from local_aws import aws_env, moto, moto_client, moto_server, stubbed  # noqa: F401 - fixtures
