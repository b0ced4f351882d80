"""API endpoints for calendar (mounted at /api/v1/calendar/ by kehu/api.py)."""

from ninja import Router

router = Router(tags=["calendar"])
