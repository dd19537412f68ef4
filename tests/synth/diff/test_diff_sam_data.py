"""SAM types that hold data count as stateful for iac diff's data-at-risk findings."""

from __future__ import annotations

import pytest
from diff_helpers import change_of, diff, findings_of, resource

from iac.specs import is_stateful

SAM = "AWS::Serverless-2016-10-31"


def sam_template(resources: dict[str, object]) -> dict[str, object]:
    return {"Transform": SAM, "Resources": resources}


@pytest.mark.parametrize("type_", ["AWS::Serverless::SimpleTable", "AWS::Serverless::Application"])
def test_sam_types_that_hold_data_are_stateful(type_: str) -> None:
    assert is_stateful(type_)


def test_sam_function_is_not_stateful() -> None:
    assert not is_stateful("AWS::Serverless::Function")


def test_removing_a_simple_table_without_retain_is_data_at_risk() -> None:
    table = resource("AWS::Serverless::SimpleTable", {"PrimaryKey": {"Name": "id", "Type": "String"}})
    result = diff(sam_template({"Orders": table}), sam_template({}))
    assert change_of(result, "Orders").data_at_risk
    [finding] = findings_of(result, "data-at-risk")
    assert finding.logical_id == "Orders" and "DELETED" in finding.message


def test_removing_a_retained_simple_table_is_not_at_risk() -> None:
    table = resource("AWS::Serverless::SimpleTable", DeletionPolicy="Retain")
    result = diff(sam_template({"Orders": table}), sam_template({}))
    assert findings_of(result, "data-at-risk") == []
