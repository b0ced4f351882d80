"""The ``kehu`` command: Django's manage.py with kehu's settings.

``kehu calendar due …``, ``kehu ledger verify``, ``kehu demo`` and ``kehu rules <app>`` are
management commands owned by the app they belong to; this wrapper only selects the settings.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kehu", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
