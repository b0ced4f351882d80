"""The policy pages: overview, a key's page, the edit form, history and comparison."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from kehu.core.audit.models import AuditAction, AuditEvent
from kehu.core.org.models import Company, Staff
from kehu.core.policy.models import PolicyVersion
from kehu.core.policy.services import policy_version_create

from .support import as_staff, shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]


@pytest.fixture
def east_v1(liu: Staff, morning: object) -> PolicyVersion:
    return policy_version_create(
        staff=liu,
        key="customers",
        values={"follow_up_days": 10},
        effective_from=date(2026, 3, 10),
        note="销售例会决定",
    )


def edit_form(**overrides: str) -> dict[str, str]:
    form = {
        "values-follow_up_days": "10",
        "values-phone_mask": "on",
        "version-effective_from": "2026-03-20",
        "version-note": "季度例会调整",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_anonymous_visitors_are_sent_to_login(client: Client) -> None:
    response = client.get("/policy/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_overview_lists_every_key_with_the_version_in_force(
    wang: Staff, east_v1: PolicyVersion, django_assert_max_num_queries: object
) -> None:
    client = as_staff(wang)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get("/policy/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("客户身份识别", "客户跟进", "期限日历", "customers@v1", "identity@default"):
        assert text in page


def test_a_keys_page_shows_values_titles_defaults_and_sources(
    wang: Staff, east_v1: PolicyVersion
) -> None:
    page = as_staff(wang).get("/policy/customers/").content.decode()
    for text in ("未跟进提醒天数", "A1.4", "本公司设置", "制度默认值", "销售例会决定", "v1"):
        assert text in page
    # 王经理 may read but not edit: no edit button.
    assert "/policy/customers/edit/" not in page


def test_the_edit_form_is_generated_from_the_schema(liu: Staff) -> None:
    page = as_staff(liu).get("/policy/identity/edit/").content.decode()
    assert '<select name="values-full_name_alone"' in page
    assert "列为冲突，交销售经理确认" in page
    page = as_staff(liu).get("/policy/customers/edit/").content.decode()
    assert 'type="number" name="values-follow_up_days"' in page
    assert 'min="1"' in page and 'max="365"' in page
    assert 'type="checkbox" name="values-phone_mask"' in page
    assert 'type="date" name="version-effective_from"' in page


def test_saving_the_form_creates_a_new_version(liu: Staff, east: Company) -> None:
    response = as_staff(liu).post("/policy/customers/edit/", edit_form())
    assert response.status_code == 302
    row = PolicyVersion.objects.get()
    assert (row.company, row.version, row.data["follow_up_days"]) == (east, 1, 10)
    assert row.effective_from == shanghai(2026, 3, 20)
    assert row.note == "季度例会调整"


def test_an_unticked_checkbox_saves_false(liu: Staff) -> None:
    as_staff(liu).post("/policy/customers/edit/", edit_form(**{"values-phone_mask": None}))  # type: ignore[arg-type]
    assert PolicyVersion.objects.get().data["phone_mask"] is False


def test_an_invalid_value_is_shown_next_to_its_field_in_chinese(liu: Staff) -> None:
    response = as_staff(liu).post(
        "/policy/customers/edit/", edit_form(**{"values-follow_up_days": "0"})
    )
    assert response.status_code == 400
    assert "「未跟进提醒天数」不能小于 1" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_a_backdated_start_is_refused_on_the_form(liu: Staff) -> None:
    response = as_staff(liu).post(
        "/policy/customers/edit/", edit_form(**{"version-effective_from": "2026-03-01"})
    )
    assert response.status_code == 400
    assert "规则设置不能倒签生效" in response.content.decode()


def test_a_reader_cannot_open_the_edit_form_and_the_refusal_is_audited(wang: Staff) -> None:
    response = as_staff(wang).post("/policy/customers/edit/", edit_form())
    assert response.status_code == 403
    assert not PolicyVersion.objects.exists()
    events = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, actor=wang.user)
    assert events.count() == 1
    assert events.get().detail["permission"] == "policy.add_policyversion"


def test_a_salesperson_cannot_see_the_policies(li: Staff) -> None:
    assert as_staff(li).get("/policy/").status_code == 403


def test_the_compare_page_shows_the_diff(liu: Staff, east_v1: PolicyVersion) -> None:
    policy_version_create(
        staff=liu,
        key="customers",
        values={"phone_mask": False},
        effective_from=date(2026, 3, 11),
        note="内网使用",
    )
    page = as_staff(liu).get("/policy/customers/compare/", {"a": 1, "b": 2}).content.decode()
    assert "隐藏客户电话中间四位" in page
    assert "未跟进提醒天数" not in page


def test_the_version_page_shows_its_values(wang: Staff, east_v1: PolicyVersion) -> None:
    page = as_staff(wang).get(f"/policy/versions/{east_v1.pk}/").content.decode()
    assert "customers@v1" in page and "销售例会决定" in page


def test_an_unknown_key_is_404(wang: Staff) -> None:
    assert as_staff(wang).get("/policy/nonsense/").status_code == 404


class TestOutsiders:
    """西湖燃气's people never see or change 华东置业's versions through the pages."""

    def test_west_cannot_open_an_east_version(self, zhou: Staff, east_v1: PolicyVersion) -> None:
        response = as_staff(zhou).get(f"/policy/versions/{east_v1.pk}/")
        assert response.status_code == 404
        assert "销售例会决定" not in response.content.decode()

    def test_west_sees_its_own_values_not_easts(self, zhou: Staff, east_v1: PolicyVersion) -> None:
        page = as_staff(zhou).get("/policy/customers/").content.decode()
        assert "销售例会决定" not in page
        assert "customers@default" in page

    def test_west_saving_the_form_changes_only_west(
        self, zhou: Staff, east: Company, east_v1: PolicyVersion
    ) -> None:
        response = as_staff(zhou).post("/policy/customers/edit/", edit_form())
        assert response.status_code == 302
        assert list(PolicyVersion.objects.filter(company=east)) == [east_v1]
        assert PolicyVersion.objects.get(company=zhou.company).version == 1
