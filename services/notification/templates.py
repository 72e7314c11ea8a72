"""What the recipient reads: one template per event that concerns them, Vietnamese
first with English beside it. Money is shown as "135.000 ₫", times in Asia/Ho_Chi_Minh.

The texts are Jinja files in `templates/`, one per message and language, named
`<template id>.<vi|en>.txt`: the title on the first line, a blank line, then the body.
They see the event's fields as they are, shown with the filters `dong` (money),
`vn_time` (a moment, in Viet Nam time and the file's language) and `vn_date` (a day),
plus `dossier`: the dossier as the recipient knows it (its national code and procedure
name when this service has seen it submitted). A name the event lacks is an error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from shared.events.dossier import (
    DossierAccepted,
    DossierApproved,
    DossierFeePaid,
    DossierRejected,
    DossierSubmitted,
    DossierSupplemented,
    DossierWithdrawn,
    ResultIssued,
    SupplementRequested,
)
from shared.events.payment import (
    PaymentExpired,
    PaymentFailed,
    PaymentRefunded,
    PaymentRequested,
    PaymentSettled,
)
from shared.events.registry import EventData

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

Language = Literal["vi", "en"]


def money(amount: int) -> str:
    """Đồng with a dot between thousands: 135000 -> "135.000 ₫"."""
    return f"{amount:,} ₫".replace(",", ".")


def local_time(moment: datetime, language: Language) -> str:
    shown = moment.astimezone(LOCAL_TIME)
    if language == "vi":
        return shown.strftime("%H:%M ngày %d/%m/%Y")
    return shown.strftime("%H:%M on %d/%m/%Y (Viet Nam time)")


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class DossierRef:
    """What this service remembers of a dossier from its submission."""

    code: str
    procedure_name_vi: str

    def label(self, language: Language) -> str:
        noun = "hồ sơ" if language == "vi" else "dossier"
        return f"{noun} {self.code} ({self.procedure_name_vi})"


def unknown_dossier(language: Language) -> str:
    return "hồ sơ của bạn" if language == "vi" else "your dossier"


@dataclass(frozen=True)
class Message:
    template: str
    recipient_id: str
    title_vi: str
    body_vi: str
    title_en: str
    body_en: str


@pass_context
def _vn_time(context: Context, moment: datetime) -> str:
    return local_time(moment, context["language"])


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("services.notification", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dong=money, vn_time=_vn_time, vn_date=day)
    return env


@dataclass(frozen=True)
class Template:
    name: str
    recipient_field: str
    version: int = 1

    @property
    def id(self) -> str:
        return f"{self.name}.v{self.version}"

    def file(self, language: Language) -> str:
        return f"{self.id}.{language}.txt"

    def render(self, event: EventData, dossier: DossierRef | None) -> Message:
        title_vi, body_vi = self._render(event, dossier, "vi")
        title_en, body_en = self._render(event, dossier, "en")
        return Message(
            template=self.id,
            recipient_id=getattr(event, self.recipient_field),
            title_vi=title_vi,
            body_vi=body_vi,
            title_en=title_en,
            body_en=body_en,
        )

    def _render(
        self, event: EventData, dossier: DossierRef | None, language: Language
    ) -> tuple[str, str]:
        known_as = dossier.label(language) if dossier else unknown_dossier(language)
        template = environment().get_template(self.file(language))
        text = template.render(dict(event), dossier=known_as, language=language)
        title, _, body = text.partition("\n\n")
        return title, body

    def source(self, language: Language) -> tuple[str, str]:
        """The title and the body as written, before rendering."""
        env = environment()
        assert env.loader is not None
        text, _, _ = env.loader.get_source(env, self.file(language))
        title, _, body = text.rstrip("\n").partition("\n\n")
        return title, body

    @property
    def title_vi(self) -> str:
        return self.source("vi")[0]

    @property
    def body_vi(self) -> str:
        return self.source("vi")[1]

    @property
    def title_en(self) -> str:
        return self.source("en")[0]

    @property
    def body_en(self) -> str:
        return self.source("en")[1]


TEMPLATES: dict[type[EventData], Template] = {
    DossierSubmitted: Template("dossier-submitted", "applicant_id"),
    DossierFeePaid: Template("dossier-fee-paid", "applicant_id"),
    DossierAccepted: Template("dossier-accepted", "applicant_id"),
    SupplementRequested: Template("supplement-requested", "applicant_id"),
    DossierSupplemented: Template("dossier-supplemented", "applicant_id"),
    DossierApproved: Template("dossier-approved", "applicant_id"),
    DossierRejected: Template("dossier-rejected", "applicant_id"),
    ResultIssued: Template("result-issued", "applicant_id"),
    DossierWithdrawn: Template("dossier-withdrawn", "applicant_id"),
    PaymentRequested: Template("payment-requested", "payer_id"),
    PaymentSettled: Template("payment-settled", "payer_id"),
    PaymentFailed: Template("payment-failed", "payer_id"),
    PaymentExpired: Template("payment-expired", "payer_id"),
    PaymentRefunded: Template("payment-refunded", "payer_id"),
}


def template_for(event: EventData) -> Template:
    return TEMPLATES[type(event)]
