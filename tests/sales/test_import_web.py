"""The import through the web (upload → dry-run report → confirm), the API and the CLI
(``kehu sales_import``); outsiders refused."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from kehu.core.org.models import Staff
from kehu.sales.import_rules import HEADERS
from kehu.sales.models.registration import Registration
from kehu.sales.registration_selectors import registration_book_verify

from .test_import_legacy import BAD_ROWS, row, site_of, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def login(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("旧登记本.xlsx", content)


def test_upload_dry_run_report_then_confirm_writes_the_accepted_rows(
    wang: Staff, li: Staff
) -> None:
    client = login(wang)
    assert client.get("/sales/import/").status_code == 200
    # when the sales manager uploads the register
    report = client.post(
        "/sales/import/check/", {"site": site_of(li), "file": upload(workbook(*BAD_ROWS))}
    )
    # then the dry-run report lists each rejected row with the reason, and nothing is written
    assert report.status_code == 200
    page = report.content.decode()
    assert (
        "不存在的人" in page and "与第 2 行是同一客户" in page and "No active salesperson" in page
    )
    assert Registration.objects.count() == 0
    token = report.context["token"]
    plan = report.context["report"].plan
    # when they confirm
    done = client.post("/sales/import/run/", {"token": token, "plan": plan})
    # then the accepted rows are written and the book verifies
    assert done.status_code == 200
    assert "导入完成" in done.content.decode()
    assert Registration.objects.count() == 2
    assert registration_book_verify(wang).ok
    # a second confirmation of the same token does nothing
    again = client.post("/sales/import/run/", {"token": token, "plan": plan})
    assert again.status_code == 302 and Registration.objects.count() == 2


def test_the_template_downloads_with_the_layout(wang: Staff) -> None:
    response = login(wang).get("/sales/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(HEADERS)


def test_a_file_that_is_not_excel_is_a_form_error(wang: Staff, li: Staff) -> None:
    response = login(wang).post(
        "/sales/import/check/", {"site": site_of(li), "file": upload(b"hello")}
    )
    assert response.status_code == 400
    assert "请上传 Excel 工作簿" in response.content.decode()


def test_api_dry_run_then_import_with_the_plan(wang: Staff, li: Staff) -> None:
    client = login(wang)
    content = workbook(*BAD_ROWS)
    dry = client.post(
        "/api/v1/sales/imports/check", {"site_id": site_of(li), "file": upload(content)}
    )
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["accepted"], body["rejected"], body["written"]) == (2, 8, 0)
    assert body["problems"][0] == {
        "row": 3,
        "column": "接待售楼员",
        "column_en": "receiving salesperson",
        "code": "salesperson_unknown",
        "message_zh": "本公司没有名为“不存在的人”的在职售楼员。",
        "message_en": "No active salesperson named “不存在的人” in your company.",
        "rule_ids": ["A7.4", "A2.12"],
    }
    assert Registration.objects.count() == 0
    done = client.post(
        "/api/v1/sales/imports/",
        {"site_id": site_of(li), "file": upload(content), "plan": body["plan"]},
    )
    assert done.status_code == 201, done.content
    assert done.json()["written"] == 2 and Registration.objects.count() == 2


def test_api_outsiders(li: Staff, chen: Staff, wang: Staff) -> None:
    content = workbook(row())
    refused = login(li).post(
        "/api/v1/sales/imports/check", {"site_id": site_of(li), "file": upload(content)}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "sales.import.permission_denied"
    assert login(li).get("/sales/import/").status_code == 403
    assert (
        login(chen)
        .post("/api/v1/sales/imports/check", {"site_id": site_of(li), "file": upload(content)})
        .status_code
        == 403
    )
    assert Registration.objects.count() == 0


def test_cli_dry_run_then_import(wang: Staff, li: Staff, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(workbook(*BAD_ROWS))
    site = li.site
    assert site is not None
    call_command("sales_import", str(path), "--site", site.name, "--user",
                 wang.user.get_username(), "--dry-run", "--json")  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert (report["accepted"], report["rejected"], report["dry_run"]) == (2, 8, True)
    assert Registration.objects.count() == 0
    call_command("sales_import", str(path), "--site", str(site.pk), "--user",
                 wang.user.get_username())  # fmt: skip
    out = capsys.readouterr().out
    assert "写入 2 written" in out and "第 3 行" in out
    assert Registration.objects.count() == 2
    with pytest.raises(CommandError, match=r"sales\.import\.permission_denied"):
        call_command("sales_import", str(path), "--site", str(site.pk), "--user",
                     li.user.get_username(), "--dry-run")  # fmt: skip
