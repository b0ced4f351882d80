"""Organisation error codes (``org.*``)."""

from __future__ import annotations

from kehu.core.errors import KehuError


class OrgError(KehuError):
    """An organisation request the caller can fix."""
