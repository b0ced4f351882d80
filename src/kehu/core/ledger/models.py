"""The evidence ledger: append-only, hash-chained entries in named streams.

A stream is (company, name). ``LedgerEntry`` rows are never updated or deleted — the database
refuses both (see ``append_only.py`` and migration 0002) — and the chain can be re-derived from
them alone. ``LedgerStream`` is the one mutable row per stream: appends lock it to number
entries one after another, and it remembers the head so that verification notices a missing
tail or rows beyond it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kehu.core.ledger.rules import GENESIS_HASH, stream_label
from kehu.core.org.models import Company


class LedgerStream(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("账本", max_length=40)
    last_seq = models.PositiveBigIntegerField("最新序号", default=0)
    last_hash = models.CharField("最新哈希", max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "账本"
        verbose_name_plural = "账本"
        constraints = (
            models.UniqueConstraint(fields=["company", "name"], name="ledger_stream_unique_name"),
        )

    def __str__(self) -> str:
        return f"{self.company_id}/{self.name} #{self.last_seq}"

    @property
    def label(self) -> str:
        return stream_label(self.name)[0]


class LedgerEntry(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    stream = models.CharField("账本", max_length=40)
    seq = models.PositiveBigIntegerField("序号")
    recorded_at = models.DateTimeField("记录时间")
    kind = models.CharField("类别", max_length=40)
    payload = models.JSONField("内容")
    subject_type = models.CharField("业务对象类型", max_length=60, blank=True)
    subject_id = models.CharField("业务对象", max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="更正的记录",
    )
    reason = models.TextField("理由", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="记录人",
    )
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        verbose_name = "账本记录"
        verbose_name_plural = "账本记录"
        permissions = (("verify_ledger", "可校验账本"),)
        constraints = (
            models.UniqueConstraint(
                fields=["company", "stream", "seq"], name="ledger_entry_unique_seq"
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ledger_entry_seq_positive"),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(reason=""),
                name="ledger_entry_correction_has_reason",
            ),
        )
        indexes = (
            models.Index(fields=["subject_type", "subject_id"], name="ledger_entry_subject"),
        )

    def __str__(self) -> str:
        return f"{self.stream} #{self.seq} {self.kind}"

    @property
    def label(self) -> str:
        return stream_label(self.stream)[0]
