"""Continuity audit: how many different carers each citizen meets, from plans and from visits actually
performed, the Swedish national 14-day measure, and a pseudonymised report for the municipality.

The modules here are pure (no database, no HTTP): `performed` parses and validates performed-visit files;
`inputs` is what an audit counts, `grouping` makes visits of rows and links them to the plan, `stats` the
summaries, `figures` and `national` count, `reality` sets performed against planned; `pseudonym` hides
ids, `report` renders CSV and a self-contained HTML file, `files` audits files without a database.
"""
