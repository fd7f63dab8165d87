"""Small read queries shared by several use cases, always for the current patient."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.store.models import InjectionSession
from tracker.store.scope import patient_id


def injection_dates(session: Session) -> list[date]:
    return list(
        session.scalars(
            select(InjectionSession.date)
            .where(InjectionSession.patient_id == patient_id(session))
            .order_by(InjectionSession.date)
        )
    )


def latest_injection_date(session: Session) -> date | None:
    return session.scalar(
        select(InjectionSession.date)
        .where(InjectionSession.patient_id == patient_id(session))
        .order_by(InjectionSession.date.desc())
        .limit(1)
    )


def latest_injection_product(session: Session, until: date | None = None) -> str | None:
    """The product of the latest session (up to ``until``): the patient's product."""
    query = select(InjectionSession.product).where(
        InjectionSession.patient_id == patient_id(session)
    )
    if until is not None:
        query = query.where(InjectionSession.date <= until)
    return session.scalar(query.order_by(InjectionSession.date.desc()).limit(1))
