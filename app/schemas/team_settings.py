"""API models of a team's own planning settings."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from exchange import MAX_INT


class TeamSettingsOut(BaseModel):
    team_id: int
    continuity: str = Field(description="the continuity setting the team's plan runs use when a run chooses "
                                        "none: fewest, balanced, travel or a face budget faces:N")
    chosen: bool = Field(description="true when the team chose it; false: the planner's default (fewest)")
    version: int = Field(description="give it back when saving: another save since answers 409 "
                                     "(0: never set)")
    updated_at: dt.datetime | None


class TeamSettingsIn(BaseModel):
    continuity: str = Field(max_length=20,
                            description="fewest (fewest carers per citizen), balanced, travel (least travel "
                                        "that keeps the monthly cap), or faces:N")
    version: int | None = Field(default=None, ge=0, le=MAX_INT,
                                description="the version read; omitted: save whatever is stored")
