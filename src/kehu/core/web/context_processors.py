from typing import Any

from django.http import HttpRequest

from kehu.core.org.selectors import staff_for_user


def staff(request: HttpRequest) -> dict[str, Any]:
    """The logged-in staff member (or None) for every template."""
    return {"staff": staff_for_user(getattr(request, "user", None))}
