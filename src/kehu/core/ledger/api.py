"""API endpoints for ledger (mounted at /api/v1/ledger/ by kehu/api.py)."""

from ninja import Router

router = Router(tags=["ledger"])
