"""Constructs: `core` (the tree and L1 resources); one module per AWS service (L2); `patterns` (L3)."""
