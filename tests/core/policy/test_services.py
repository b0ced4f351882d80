"""Saving versions: numbering, validation in Chinese, permissions, audit, append-only rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction

from kehu.core.audit.models import AuditAction, AuditEvent, AuditOutcome
from kehu.core.errors import KehuError
from kehu.core.org.models import Company, Staff
from kehu.core.policy.errors import PolicyPermissionDenied, PolicyValuesInvalid
from kehu.core.policy.models import PolicyVersion, PolicyVersionIsAppendOnly
from kehu.core.policy.services import policy_version_create

from .support import shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]

TODAY = date(2026, 3, 10)


def create(staff: Staff, key: str = "customers", **overrides: Any) -> PolicyVersion:
    arguments: dict[str, Any] = {
        "values": {"follow_up_days": 10},
        "effective_from": TODAY,
        "note": "销售例会决定",
    }
    arguments.update(overrides)
    return policy_version_create(staff=staff, key=key, **arguments)


def test_version_numbers_increment_per_company_and_key(liu: Staff, zhou: Staff) -> None:
    first = create(liu, values={"follow_up_days": 10})
    second = create(liu, values={"follow_up_days": 12})
    identity = create(liu, key="identity", values={"full_name_alone": "decides"})
    west_first = create(zhou, values={"follow_up_days": 3})
    assert [first.version, second.version] == [1, 2]
    assert identity.version == 1
    assert west_first.version == 1 and west_first.company == zhou.company


def test_the_stored_version_is_the_complete_validated_set(liu: Staff) -> None:
    row = create(liu, values={"follow_up_days": "14"})
    assert row.data == {"follow_up_days": 14, "phone_mask": True}
    assert row.created_by == liu and row.note == "销售例会决定"


def test_a_change_is_audited_in_the_same_transaction(liu: Staff) -> None:
    row = create(liu, values={"follow_up_days": 10})
    event = AuditEvent.objects.get(action=AuditAction.POLICY_CHANGE)
    assert event.outcome == AuditOutcome.SUCCESS
    assert (event.company, event.actor) == (liu.company, liu.user)
    assert event.object_id == str(row.pk)
    assert event.detail["ref"] == "customers@v1"
    assert event.detail["replaces"] == "customers@default"
    assert event.detail["changes"] == {"follow_up_days": {"old": 7, "new": 10}}
    assert event.detail["note"] == "销售例会决定"


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        ("customers", {"follow_up_days": "abc"}, "「未跟进提醒天数」必须是整数（填写的是“abc”）"),
        ("customers", {"follow_up_days": 0}, "「未跟进提醒天数」不能小于 1（填写的是“0”）"),
        ("customers", {"follow_up_days": 1000}, "「未跟进提醒天数」不能大于 365"),
        ("customers", {"follow_up_days": 7.5}, "「未跟进提醒天数」必须是整数"),
        ("customers", {"phone_mask": "maybe"}, "「隐藏客户电话中间四位」必须是“是”或“否”"),
        (
            "identity",
            {"full_name_alone": "sometimes"},
            "「仅全名相同时的处理」只能是以下之一：“直接判定为同一客户”、“列为冲突，交销售经理确认”",
        ),
        ("customers", {"follow_up_dayz": 3}, "「follow_up_dayz」不是这项规则设置的设置项"),
    ],
)
def test_invalid_values_are_refused_with_a_chinese_message_naming_the_field(
    liu: Staff, key: str, values: dict[str, Any], expected: str
) -> None:
    with pytest.raises(PolicyValuesInvalid) as caught:
        create(liu, key=key, values=values)
    error = caught.value
    assert error.status == 400 and error.code == "policy.invalid_values"
    assert expected in error.message_zh
    assert error.details[0]["field"] == next(iter(values))
    assert expected in error.details[0]["message_zh"]
    assert error.message_en  # the English message is there for the API
    assert not PolicyVersion.objects.exists()


def test_every_problem_is_listed(liu: Staff) -> None:
    with pytest.raises(PolicyValuesInvalid) as caught:
        create(liu, values={"follow_up_days": -1, "phone_mask": "x"})
    assert [p["field"] for p in caught.value.details] == ["follow_up_days", "phone_mask"]
    assert caught.value.message_zh.startswith("客户跟进设置有误：")


def test_a_reason_is_required(liu: Staff) -> None:
    with pytest.raises(KehuError) as caught:
        create(liu, note="   ")
    assert caught.value.code == "policy.note_required"
    assert "「变更原因」必须填写" in caught.value.message_zh


def test_a_start_before_today_is_refused(liu: Staff) -> None:
    """A backdated policy would change the grounds of decisions already made."""
    with pytest.raises(KehuError) as caught:
        create(liu, effective_from=TODAY - timedelta(days=1))
    assert caught.value.code == "policy.backdated"
    assert "2026-03-09 早于今天（2026-03-10）" in caught.value.message_zh
    assert not PolicyVersion.objects.exists()


def test_backdating_is_possible_only_when_explicitly_allowed_and_is_marked(liu: Staff) -> None:
    row = create(liu, effective_from=date(2026, 1, 1), allow_backdate=True)
    assert row.backdated and row.effective_from == shanghai(2026, 1, 1)
    assert AuditEvent.objects.get(action=AuditAction.POLICY_CHANGE).detail["backdated"] is True


def test_a_naive_datetime_start_is_refused(liu: Staff) -> None:
    from datetime import datetime

    with pytest.raises(KehuError) as caught:
        create(liu, effective_from=datetime(2026, 3, 12, 8))
    assert caught.value.code == "policy.naive_datetime"


def test_saving_the_values_already_in_force_is_refused(liu: Staff) -> None:
    create(liu, values={"follow_up_days": 10})
    with pytest.raises(KehuError) as caught:
        create(liu, values={"follow_up_days": 10}, note="再存一次")
    assert caught.value.code == "policy.no_change"
    assert PolicyVersion.objects.count() == 1


def test_pinning_the_defaults_as_a_first_version_is_allowed(liu: Staff) -> None:
    """A company may record the defaults as its own v1, so a later code change of the defaults
    does not change its settings."""
    row = create(liu, values={})
    assert row.version == 1 and row.data == {"follow_up_days": 7, "phone_mask": True}


def test_permission_denied_is_audited_and_nothing_is_saved(wang: Staff) -> None:
    """王经理 (sales manager) may read policies but not change them."""
    with pytest.raises(PolicyPermissionDenied) as caught:
        create(wang)
    assert caught.value.status == 403
    assert "policy.add_policyversion" in caught.value.message_zh
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.outcome == AuditOutcome.DENIED
    assert (event.actor, event.company) == (wang.user, wang.company)
    assert event.detail["permission"] == "policy.add_policyversion"
    assert event.detail["key"] == "customers"
    assert not PolicyVersion.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.POLICY_CHANGE).exists()


def test_an_unknown_key_cannot_be_saved(liu: Staff) -> None:
    with pytest.raises(KehuError) as caught:
        create(liu, key="nonsense")
    assert caught.value.status == 404


class TestAppendOnly:
    def test_a_version_cannot_be_edited(self, liu: Staff) -> None:
        row = create(liu)
        row.note = "改写"
        with pytest.raises(PolicyVersionIsAppendOnly):
            row.save()
        with pytest.raises(PolicyVersionIsAppendOnly), transaction.atomic():
            PolicyVersion.objects.filter(pk=row.pk).update(note="改写")
        assert PolicyVersion.objects.get(pk=row.pk).note == "销售例会决定"

    def test_a_version_cannot_be_deleted(self, liu: Staff) -> None:
        row = create(liu)
        with pytest.raises(PolicyVersionIsAppendOnly):
            row.delete()
        with pytest.raises(PolicyVersionIsAppendOnly):
            PolicyVersion.objects.all().delete()
        assert PolicyVersion.objects.filter(pk=row.pk).exists()


def test_a_version_belongs_to_the_creators_company(liu: Staff, east: Company) -> None:
    row = create(liu)
    assert row.company == east


def test_the_database_itself_refuses_to_change_a_version(liu: Staff) -> None:
    """Raw SQL bypasses the model guard; the triggers still refuse (policy versions are cited
    by stored decisions, so they are evidence too)."""
    from django.db import DatabaseError, connection

    row = create(liu)
    for sql in (
        "UPDATE policy_policyversion SET note = 'x' WHERE id = %s",
        "DELETE FROM policy_policyversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert PolicyVersion.objects.get(pk=row.pk).note == "销售例会决定"
