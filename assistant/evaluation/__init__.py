"""The eval suite: a golden set, deterministic metrics, a baseline and a regression gate.

``assistant eval`` (see ``commands.py``) runs ``evals/golden.yaml`` against the current
configuration, compares the result with ``evals/baseline.json`` and writes reports.
"""
