"""The sales office's start page (/sales/): every area of the office the user may open.

The areas each have their own pages and sub-navigation; this page is the one place that lists
them all, so nothing built for the office is out of reach from the main navigation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET


@dataclass(frozen=True)
class Area:
    url_name: str
    title: str | Promise
    text: str | Promise
    rule_ids: str
    perm: str | None  # None: every staff member of the office


AREAS: tuple[Area, ...] = (
    Area(
        "sales:rotation_index",
        _("轮排与接待台"),
        _("大屏、前台平板接待台、项目经理调整轮排"),
        "A2.1 A2.5 A7.1 A7.2",
        None,
    ),
    Area(
        "sales:book_register",
        _("登记来访"),
        _("同日登记，按电话、姓名、车牌识别老客户"),
        "A1.1 A7.4",
        "sales.add_registration",
    ),
    Area(
        "sales:book_mine", _("我的客户"), _("自己的客户与跟进提醒"), "A1.4", "sales.view_followup"
    ),
    Area(
        "sales:book_index",
        _("客户登记本"),
        _("整本登记本，查阅留痕，可校验"),
        "A1.2 A7.21",
        "sales.view_registration_book",
    ),
    Area(
        "sales:phone_index",
        _("电话咨询登记本"),
        _("来电登记，与客户登记本分开"),
        "A1.3 A7.5",
        "sales.view_phoneenquiry",
    ),
    Area(
        "sales:deal_index",
        _("成交与业绩"),
        _("定金、认购书、业绩分成与月度业绩台账"),
        "A7.16 A7.17",
        "sales.view_deal",
    ),
    Area(
        "sales:dispute_queue",
        _("撞单裁决"),
        _("销售经理裁决，裁决为最终决定"),
        "A7.20",
        "sales.rule_dispute",
    ),
    Area(
        "sales:dispute_mine",
        _("我的争议"),
        _("对归属决定提出异议"),
        "A7.20",
        "sales.view_registration",
    ),
    Area(
        "sales:prereg_list",
        _("预先登记"),
        _("老客户介绍的新客户，到访前登记"),
        "A7.10",
        "sales.add_registration",
    ),
    Area(
        "sales:channel_index",
        _("渠道报备"),
        _("渠道客户保护期、到期提醒、到访为王"),
        "",
        "sales.manage_channel",
    ),
    Area(
        "sales:pool_index",
        _("公客池"),
        _("长期未跟进的客户回收，每日领取上限"),
        "A1.4",
        "sales.claim_pool_customer",
    ),
    Area(
        "sales:alert_index",
        _("异常行为提醒"),
        _("频繁修改登记、频繁变更归属"),
        "",
        "sales.view_sales_alerts",
    ),
    Area(
        "sales:report_index",
        _("案场报表"),
        _("轮排公平、来访→成交、撞单、业绩"),
        "",
        "sales.view_sales_reports",
    ),
    Area(
        "sales:import_index",
        _("导入旧登记本"),
        _("Excel 试导入报告，确认后导入"),
        "",
        "sales.import_legacy_register",
    ),
)


@require_GET
@login_required
def sales_hub(request: HttpRequest) -> HttpResponse:
    user = request.user
    areas = [
        {
            "url": reverse(a.url_name),
            "title": a.title,
            "text": a.text,
            "rule_ids": a.rule_ids.split(),
        }
        for a in AREAS
        if a.perm is None or user.has_perm(a.perm)
    ]
    return render(request, "sales/hub.html", {"areas": areas})
