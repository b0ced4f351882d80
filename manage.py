#!/usr/bin/env python
"""Django's command-line utility; ``kehu`` (src/kehu/cli.py) does the same."""

from kehu.cli import main

if __name__ == "__main__":
    main()
