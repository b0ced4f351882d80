"""Audit events: who did what, from where, to which object, with which outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kehu.core.org.models import Company


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
    LOCKOUT = "lockout", "账户锁定"
    PERMISSION_DENIED = "permission_denied", "无权访问"
    BOOK_READ = "book_read", "查阅受保护账册"
    FIELD_REVEAL = "field_reveal", "查看隐藏信息"
    EXPORT = "export", "导出"
    POLICY_CHANGE = "policy_change", "规则设置变更"
    TOKEN_ISSUED = "token_issued", "签发 API 令牌"
    OWNERSHIP_RULING = "ownership_ruling", "归属裁决（A7.20）"
    IMPORT = "import", "导入"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILURE = "failure", "失败"


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", db_index=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Kept as text too, so the trail still reads after an account is renamed.
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    action = models.CharField("动作", max_length=30, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=AuditOutcome.choices)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [
            models.Index(fields=["company", "action", "at"], name="audit_company_action_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.outcome}"
