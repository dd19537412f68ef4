"""The closing summary of destroy follows deploy's rules for exit statuses and internal errors."""

from __future__ import annotations

import pytest

from iac.cli.deploy_output import finish_destroy
from iac.deploy.polling import Interrupted
from iac.deploy.scheduling import Ran
from iac.errors import CredentialsError, DeployError


def test_expired_credentials_during_destroy_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        finish_destroy({"Api": Ran(error=CredentialsError("the credentials have expired"))}, interrupted=False)
    assert exit_.value.code == 2
    assert "the credentials have expired" in capsys.readouterr().err


def test_a_failed_deletion_exits_1(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        finish_destroy({"Api": Ran(error=DeployError("DELETE_FAILED"))}, interrupted=False)
    assert exit_.value.code == 1


def test_an_unexpected_error_is_named_a_bug(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        finish_destroy({"Api": Ran(error=KeyError("x"))}, interrupted=False)
    assert exit_.value.code == 1
    assert "This is a bug in iac" in capsys.readouterr().err


def test_an_interrupted_stack_is_not_reported_as_an_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        finish_destroy({"Api": Ran(error=Interrupted())}, interrupted=True)
    assert exit_.value.code == 130
    output = capsys.readouterr()
    assert "Api: interrupted" in output.out and "Interrupted" not in output.err
