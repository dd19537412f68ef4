"""The rules, one per module; iac.checks loads every module here and reads its RULE (or RULES)."""
