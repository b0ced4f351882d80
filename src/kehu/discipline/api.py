"""API of the rewards-and-penalties app, mounted at /api/v1/discipline/."""

from ninja import Router

router = Router(tags=["discipline"])
