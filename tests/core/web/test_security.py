"""Security defaults: `check --deploy` is clean with production settings; no inline code."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

import kehu

SRC = Path(kehu.__file__).resolve().parent
PROJECT = SRC.parent.parent


def run_check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "DJANGO_"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "kehu.settings", "KEHU_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), "check", "--deploy", "--fail-level", "DEBUG"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    # Given the environment an operator sets in production (docs/operations.md)
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    key = "".join(secrets.choice(alphabet) for _ in range(50))
    # When Django's deployment checklist runs
    result = run_check_deploy(tmp_path, KEHU_SECRET_KEY=key, KEHU_ALLOWED_HOSTS="kehu.example.cn")
    # Then it finds nothing, and nothing was silenced to get there
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_catches_a_forgotten_secret_key(tmp_path: Path) -> None:
    result = run_check_deploy(tmp_path, KEHU_ALLOWED_HOSTS="kehu.example.cn")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_settings_are_secure(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")} | {
        "DJANGO_SETTINGS_MODULE": "kehu.settings",
        "KEHU_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True", "True"]


TEMPLATE_DIRS = [SRC / "templates", *SRC.glob("core/*/templates"), *SRC.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=|<style", re.I)
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)


@pytest.mark.parametrize(
    "template",
    sorted({p for d in TEMPLATE_DIRS for p in d.rglob("*.html")}),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_no_template_has_inline_script_or_style(template: Path) -> None:
    # The CSP would block them in the browser; catch them before a user does.
    text = TEMPLATE_COMMENT.sub("", template.read_text(encoding="utf-8"))
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not INLINE_HANDLER.search(text), "on…= handler: use kehu.js / data- attributes"
    assert not STYLE_ATTR.search(text), "inline style: add a class to kehu/kehu.css"


def test_vendored_files_are_local_and_licensed() -> None:
    vendor = SRC / "static" / "vendor"
    for name in ("htmx.min.js", "htmx.LICENSE", "echarts.min.js", "echarts.LICENSE"):
        assert (vendor / name).stat().st_size > 0
    base = (SRC / "templates" / "base.html").read_text(encoding="utf-8")
    assert "vendor/htmx.min.js" in base
    assert "http://" not in base and "https://" not in base
