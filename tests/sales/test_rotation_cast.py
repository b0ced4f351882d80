"""A sales office for the rotation tests: 华东置业项目 with four salespeople (李明, 赵强, 钱芳,
孙磊), the front desk 前台小周, the project manager 杨经理; and 西湖燃气's 陈小 as an outsider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kehu.core.org.models import Company, Site, Staff
from kehu.core.org.posts import Post
from kehu.sales import rotation_services as services

TODAY = dt.date(2026, 11, 27)


@dataclass
class Office:
    site: Site
    li: Staff
    zhao: Staff
    qian: Staff
    sun: Staff
    desk: Staff
    pm: Staff
    wang: Staff  # 王经理, sales manager
    chen: Staff  # outsider, another company

    @property
    def sellers(self) -> list[Staff]:
        return [self.li, self.zhao, self.qian, self.sun]

    def open(self, **extra: object) -> None:
        services.rotation_day_open(
            actor=self.pm,
            site=self.site,
            order=[s.pk for s in self.sellers],
            on=TODAY,
            **extra,  # type: ignore[arg-type]
        )


def make_office(
    cast: object, east: Company, li: Staff, zhao: Staff, wang: Staff, chen: Staff
) -> Office:
    """Build the office; each test module wraps it in its own ``office`` fixture."""
    site = li.site
    assert site is not None
    make = cast.staff  # type: ignore[attr-defined]
    return Office(
        site=site,
        li=li,
        zhao=zhao,
        qian=make(east, "钱芳", Post.SALESPERSON, site=site),
        sun=make(east, "孙磊", Post.SALESPERSON, site=site),
        desk=make(east, "前台小周", Post.RECEPTIONIST, site=site),
        pm=make(east, "杨经理", Post.PROJECT_MANAGER, site=site),
        wang=wang,
        chen=chen,
    )
