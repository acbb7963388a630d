"""Continuity audit (issue 6): how many different carers each citizen meets, from plans and from visits
actually performed, the Swedish national 14-day measure, and a pseudonymised report for the municipality.

The modules here are pure (no database, no HTTP): `performed` parses and validates performed-visit files,
`figures` and `national` count, `pseudonym` hides ids, `report` renders CSV and a self-contained HTML file.
"""
