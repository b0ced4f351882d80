"""API endpoints for customers (mounted at /api/v1/customers/ by kehu/api.py)."""

from ninja import Router

router = Router(tags=["customers"])
