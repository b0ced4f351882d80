"""Versioned policy settings: one row per version of one company's settings for one key.

Rows are append-only: an edit is a new version, never an update, so every decision that
recorded ``policy_version_id`` can be replayed with exactly the values it used. The app layer
refuses updates and deletes (below); the database-level guard is the ledger's
``append_only`` helper once it exists.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from kehu.core.org.models import CompanyOwned, Staff


class PolicyVersionIsAppendOnly(Exception):
    """Policy versions are evidence of what was in force; they are never changed or removed."""


class PolicyVersionQuerySet(models.QuerySet["PolicyVersion"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PolicyVersionIsAppendOnly("Policy versions cannot be updated; create a new version.")

    def delete(self) -> NoReturn:
        raise PolicyVersionIsAppendOnly("Policy versions cannot be deleted.")

    def for_key(self, company_id: int, key: str) -> PolicyVersionQuerySet:
        return self.filter(company_id=company_id, key=key)


class PolicyVersion(CompanyOwned):
    key = models.CharField("规则设置", max_length=40)
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateTimeField("生效时间")
    # Every value of the schema as it was saved (a complete snapshot, not a diff): changing the
    # defaults or a profile in code later does not change what this version meant.
    data = models.JSONField("设置值", encoder=DjangoJSONEncoder)
    note = models.TextField("变更原因")
    backdated = models.BooleanField("补录（生效时间早于创建日）", default=False)
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "规则设置版本"
        verbose_name_plural = "规则设置版本"
        # No change/delete permissions: there is nothing to grant.
        default_permissions = ("add", "view")
        constraints = (
            models.UniqueConstraint(
                fields=["company", "key", "version"], name="policy_version_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="policy_version_number_positive"
            ),
            models.CheckConstraint(condition=~models.Q(note=""), name="policy_version_note_given"),
        )
        indexes = (
            models.Index(
                fields=["company", "key", "effective_from", "version"],
                name="policy_version_in_force",
            ),
        )

    def __str__(self) -> str:
        return self.ref

    @property
    def ref(self) -> str:
        return f"{self.key}@v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PolicyVersionIsAppendOnly(
                "Policy versions cannot be updated; create a new version."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PolicyVersionIsAppendOnly("Policy versions cannot be deleted.")
