"""Small read queries shared by several use cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import InjectionSession


def injection_dates(session: Session) -> list[date]:
    return list(session.scalars(select(InjectionSession.date).order_by(InjectionSession.date)))


def latest_injection_date(session: Session) -> date | None:
    return session.scalar(
        select(InjectionSession.date).order_by(InjectionSession.date.desc()).limit(1)
    )
