"""Login, logout, language switch and lockout (django-axes), all audited."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.org.models import Staff

from .conftest import PASSWORD, login_staff

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client: Client) -> None:
    # Given a browser that says nothing about its language
    # When it opens the login page
    response = client.get("/login/")
    # Then the page is in Chinese
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    for text in ("用户名", "密码", "登录"):
        assert text in html
    assert 'name="csrf-token"' in html


def test_login_page_switches_to_english_and_back(client: Client) -> None:
    # Given the login page in Chinese, when the user presses "English"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    # Then the same page comes back in English
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/login/"
    assert '<html lang="en">' in html
    assert "Username" in html and "Password" in html and "Log in" in html
    assert ">中文<" in html  # the switch back
    # And 中文 switches back
    html = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"}, follow=True)
    assert "用户名" in html.content.decode()


def test_english_browser_still_gets_chinese_until_the_user_switches(client: Client) -> None:
    # Shared office machines often have English browsers; the UI stays Chinese-first.
    html = client.get("/login/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get("/login/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="en">' in html


def test_wrong_password_shows_a_clear_chinese_error_and_is_audited(
    client: Client, li: Staff
) -> None:
    # When 李 mistypes the password
    response = client.post("/login/", {"username": li.user.username, "password": "wrong-pass-1"})
    # Then the form says what happened and what happens next (lockout after 5)
    html = response.content.decode()
    assert response.status_code == 200
    assert "用户名或密码不正确" in html
    assert "5 次" in html
    # And the failure is in the audit trail
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.outcome == AuditOutcome.FAILURE
    assert event.actor_label == li.user.username


def test_login_and_logout_are_audited(client: Client, li: Staff) -> None:
    login_staff(client, li)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=li.user).count() == 1
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "您已退出登录" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=li.user).count() == 1


def test_logged_in_user_visiting_login_goes_home(client: Client, li: Staff) -> None:
    login_staff(client, li)
    response = client.get("/login/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_anonymous_home_redirects_to_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_five_failures_lock_the_account_and_the_lockout_is_audited(
    client: Client, li: Staff
) -> None:
    username = li.user.username
    # Given four failed attempts, the login page still answers normally
    for _ in range(4):
        response = client.post("/login/", {"username": username, "password": "wrong-pass-1"})
        assert response.status_code == 200
    # When the fifth attempt fails
    response = client.post("/login/", {"username": username, "password": "wrong-pass-1"})
    # Then the Chinese lockout page answers (429) and says for how long
    html = response.content.decode()
    assert response.status_code == 429
    assert "账户已暂时锁定" in html
    assert "连续 5 次登录失败" in html
    assert "30 分钟" in html
    # And the lockout is audited
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.outcome == AuditOutcome.DENIED
    assert lockout.actor_label == username
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    # And even the right password is refused while locked
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 429
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
