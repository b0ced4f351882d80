"""API endpoints for policy (mounted at /api/v1/policy/ by kehu/api.py)."""

from ninja import Router

router = Router(tags=["policy"])
