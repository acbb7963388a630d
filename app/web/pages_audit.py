"""Placeholder while the page is being written."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.render import WebRoute

router = APIRouter(route_class=WebRoute)
