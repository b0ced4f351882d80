"""Typed inputs of the customer services (also the API's request bodies) and API outputs.

Outputs never carry a full phone number or ID number, except the two reveal responses.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from kehu.core.customers.rules import Relation

CustomerKindValue = Literal["person", "organisation"]


class CustomerData(Schema):
    """A new customer as typed at registration (A7.4: incomplete registrations are allowed,
    but at least a name or a phone is needed to recognise the customer again)."""

    kind: CustomerKindValue = "person"
    name: str = Field(default="", max_length=100)
    phones: list[str] = Field(default_factory=list, max_length=10)
    employer: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=200)
    car_brand: str = Field(default="", max_length=50)
    plate: str = Field(default="", max_length=20)
    id_number: str = Field(default="", max_length=40)
    source: str = Field(default="", max_length=200)
    intention: str = Field(default="", max_length=2000)


class CustomerChanges(Schema):
    """Fields to change; ``None`` leaves a field as it is. ``id_number=""`` removes it."""

    kind: CustomerKindValue | None = None
    name: str | None = Field(default=None, max_length=100)
    employer: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=200)
    car_brand: str | None = Field(default=None, max_length=50)
    plate: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, max_length=40)
    source: str | None = Field(default=None, max_length=200)
    intention: str | None = Field(default=None, max_length=2000)


class PhoneIn(Schema):
    phone: str = Field(max_length=40)
    label: str = Field(default="", max_length=20)


class FamilyLinkIn(Schema):
    relative_id: int
    relation: Relation


class VisitBatchIn(Schema):
    visit_date: dt.date
    customer_ids: list[int] = Field(min_length=1, max_length=50)
    site_id: int | None = None
    note: str = Field(default="", max_length=200)


class StaffRef(Schema):
    id: int
    name: str


class PhoneOut(Schema):
    id: int
    masked: str
    label: str


class CustomerListItem(Schema):
    id: int
    kind: str
    name: str
    phones: list[PhoneOut]
    plate: str
    car_brand: str
    owner: StaffRef | None
    created_at: dt.datetime


class CustomerOut(CustomerListItem):
    employer: str
    address: str
    source: str
    intention: str
    id_number_masked: str
    created_by: StaffRef | None


class MatchOut(Schema):
    customer_id: int
    name: str
    owner: StaffRef | None
    created_at: dt.datetime
    keys: list[str]
    keys_zh: list[str]
    needs_confirmation: bool
    rule_ids: list[str]


class PhoneRevealOut(Schema):
    customer_id: int
    phone_id: int
    phone: str
    national: str


class IdNumberRevealOut(Schema):
    customer_id: int
    id_number: str


class FamilyLinkOut(Schema):
    id: int
    relative_id: int
    relative_name: str
    relation: str
    relation_label: str


class BatchMemberOut(Schema):
    id: int
    name: str


class VisitBatchOut(Schema):
    id: int
    visit_date: dt.date
    site_id: int | None
    site_name: str
    note: str
    member_count: int
    members: list[BatchMemberOut]
