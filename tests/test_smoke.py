"""The site answers: login page, static files, API schema."""

from django.test import Client


def test_login_page_is_chinese_by_default(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_api_schema_is_served(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "kehu API"
