"""Outcome measurement: instruments, scoring, the headache diary, change, the practice report, charts.

The modules here are pure Python (no Django; import-linter enforces it) so that every number a
client or an owner sees can be tested against hand-worked examples. The Django layer stores
answers and scores, fills the plain dataclasses these modules take, and renders what they return.
See docs/outcomes.md.
"""
