"""The team keeps its own data: citizens, needs, carers and rosters changed from a date, each change
recorded (who, when, before, after), the visits regenerated from that date on only, and the accepted
plan's assignments the change made wrong listed as needing a re-plan (never deleted).

- `records`: the change record and the snapshots it keeps.
- `replan_needs`: flag the assignments a change invalidated; resolve them when a re-plan covers them.
- `citizens`, `needs`, `carers`, `roster`: the changes themselves (keyword-only, flush, never commit).
"""
