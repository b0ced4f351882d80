"""Evidence files of appeals (A4 四.七.3): allowed types and size, SHA-256, checked downloads.

Files are stored under MEDIA_ROOT but never served from a public media URL: the download view
checks that the caller is the appellant, a handler or HR, and that the file still has the
SHA-256 recorded when it was submitted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kehu.core.org.models import Staff
from kehu.discipline import appeals_services as services
from kehu.discipline.errors import DisciplineError
from kehu.discipline.models import Appeal, AppealEvidence

from .test_appeals_support import (  # noqa: F401  (the *_fixture names register fixtures)
    Org,
    appeal_urls_fixture,
    criticism,
    docx,
    frozen_fixture,
    media_fixture,
    org_fixture,
    pdf,
    png,
)

pytestmark = pytest.mark.usefixtures("frozen", "appeal_urls")


def submit_with(org: Org, *files: SimpleUploadedFile) -> Appeal:
    return services.appeal_submit(
        appellant=org.li,
        entry_id=criticism(org).pk,
        statement="资料已按时交回",
        files=list(files),
    )


def test_a_pdf_a_png_and_a_docx_are_stored_with_their_sha256(org: Org, media: Path) -> None:
    upload = pdf()
    expected = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    appeal = submit_with(org, upload, png(), docx())
    stored = list(AppealEvidence.objects.filter(appeal=appeal).order_by("pk"))
    assert [row.file.name.rsplit("/", 1)[-1] for row in stored] == [
        "考勤记录.pdf",
        "聊天截图.png",
        "情况说明.docx",
    ]
    assert stored[0].file_sha256 == expected
    assert (media / stored[0].file.name).is_file()
    assert all(row.added_by == org.li for row in stored)


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("病毒.exe", b"MZ\x90\x00", "类型不允许"),
        ("page.html", b"<html><script>alert(1)</script>", "类型不允许"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "内容与其扩展名不符"),
        ("伪装.docx", b"PK\x03\x04 broken zip", "内容与其扩展名不符"),
        ("二进制.txt", b"abc\x00def", "内容与其扩展名不符"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_files_of_other_types_or_with_false_names_are_refused(
    org: Org, name: str, body: bytes, says: str
) -> None:
    with pytest.raises(DisciplineError) as caught:
        submit_with(org, SimpleUploadedFile(name, body))
    assert caught.value.code == "discipline.bad_input" and caught.value.status == 422
    assert says in caught.value.message_zh
    assert caught.value.details["allowed"] == ["docx", "jpeg", "jpg", "pdf", "png", "txt", "xlsx"]
    assert not Appeal.objects.exists()


def test_a_file_over_10_mb_is_refused_and_one_of_exactly_10_mb_accepted(org: Org) -> None:
    with pytest.raises(DisciplineError) as caught:
        submit_with(org, pdf(size=services.EVIDENCE_MAX_BYTES + 1))
    assert "超过 10 MB" in caught.value.message_zh
    appeal = submit_with(org, pdf(size=services.EVIDENCE_MAX_BYTES))
    assert appeal.evidence.get().file.size == services.EVIDENCE_MAX_BYTES


def test_a_chinese_text_file_in_gb18030_is_accepted(org: Org) -> None:
    note = SimpleUploadedFile("说明.txt", "当天考勤正常".encode("gb18030"))
    assert submit_with(org, note).evidence.count() == 1


def test_at_most_ten_files_at_a_time(org: Org) -> None:
    with pytest.raises(DisciplineError) as caught:
        submit_with(org, *[pdf(f"{n}.pdf") for n in range(11)])
    assert caught.value.details == {"max_files": 10}


# --- downloads --------------------------------------------------------------------------------


def download(client: Client, staff: Staff, evidence: AppealEvidence, *, api: bool = False) -> int:
    client.force_login(staff.user)
    if api:
        url = f"/api/v1/discipline/appeals/{evidence.appeal_id}/evidence/{evidence.pk}/file"
    else:
        url = reverse("discipline:appeal_evidence_file", args=[evidence.appeal_id, evidence.pk])
    response = client.get(url)
    return response.status_code


@pytest.mark.parametrize("api", [False, True])
def test_the_file_is_served_only_to_the_appellant_the_handlers_and_hr(
    org: Org, client: Client, api: bool
) -> None:
    appeal = submit_with(org, pdf())
    evidence = appeal.evidence.get()
    services.appeal_reject(actor=org.yang, appeal_id=appeal.pk, reason="不成立")
    services.appeal_escalate(actor=org.li, appeal_id=appeal.pk, reason="仍有异议")
    for allowed in (org.li, org.yang, org.wang, org.hr):
        assert download(client, allowed, evidence, api=api) == 200, allowed.name
    for refused in (org.zhao, org.chen):
        assert download(client, refused, evidence, api=api) == 404, refused.name


def test_the_download_is_an_attachment_with_its_checksum(org: Org, client: Client) -> None:
    appeal = submit_with(org, pdf())
    evidence = appeal.evidence.get()
    client.force_login(org.li.user)
    response = client.get(reverse("discipline:appeal_evidence_file", args=[appeal.pk, evidence.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-SHA256"] == evidence.file_sha256
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == evidence.file_sha256


def test_a_file_changed_on_disk_is_not_served(org: Org, client: Client, media: Path) -> None:
    appeal = submit_with(org, pdf())
    evidence = appeal.evidence.get()
    (media / evidence.file.name).write_bytes(b"%PDF-1.4 tampered")
    client.force_login(org.li.user)
    response = client.get(reverse("discipline:appeal_evidence_file", args=[appeal.pk, evidence.pk]))
    assert response.status_code == 409
    assert "SHA-256" in response.content.decode()


def test_media_files_have_no_public_url(org: Org, client: Client) -> None:
    appeal = submit_with(org, pdf())
    evidence = appeal.evidence.get()
    client.force_login(org.li.user)
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
