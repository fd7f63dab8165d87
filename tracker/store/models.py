"""The tables. Their shape is created and changed only by Alembic migrations."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from tracker.domain.text import LABEL_MAX_LENGTH

# Named constraints, so batch migrations on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# SQLite's AUTOINCREMENT: a deleted record's id is never given to a new one
# (migration 0007). PostgreSQL's sequences behave so already.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def patient_column() -> Mapped[int]:
    """Every record belongs to one patient."""
    return mapped_column(ForeignKey("patients.id"), index=True)


class InjectionSession(Base):
    """One visit at which injections were given (several muscles, one date)."""

    __tablename__ = "injection_sessions"
    # One session a day per treatment (migration 0008; before it, per patient).
    __table_args__ = (UniqueConstraint("treatment_id", "date"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = patient_column()
    date: Mapped[date] = mapped_column(Date)
    # A known product's code, or the treatment's product as typed (no label rules).
    product: Mapped[str] = mapped_column(String(LABEL_MAX_LENGTH))
    units: Mapped[float | None] = mapped_column(Float)
    provider: Mapped[str | None] = mapped_column(Text)
    lot: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # Last, where migration 0008 added it.
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)

    treatment: Mapped[TreatmentRow] = relationship(lazy="joined", innerjoin=True)
    sites: Mapped[list[InjectionSite]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="InjectionSite.position",
        lazy="selectin",
    )


class InjectionSite(Base):
    __tablename__ = "injection_sites"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("injection_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    muscle: Mapped[str] = mapped_column(Text)
    units: Mapped[float | None] = mapped_column(Float)

    session: Mapped[InjectionSession] = relationship(back_populates="sites")


class Patient(Base):
    """Whose records these are; their plans are their treatments'."""

    __tablename__ = "patients"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    # Random, given once; every id handed to another system derives from it.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))


class TreatmentRow(Base):
    """One of a patient's treatments, with the plan agreed for it (migration 0008).

    Names are unique per patient with case and spaces ignored, which the
    services check (tracker.domain.treatments); the oldest treatment has the
    lowest id.
    """

    __tablename__ = "treatments"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = patient_column()
    name: Mapped[str] = mapped_column(String(LABEL_MAX_LENGTH))
    # A known product's code ("botox"), or any other product's name as typed.
    product: Mapped[str] = mapped_column(String(LABEL_MAX_LENGTH))
    every: Mapped[str] = mapped_column(String(8))  # an Interval's text: "3m", "12w", "28d"
    within_days: Mapped[int] = mapped_column(Integer)
    # The rotation, as rotation.sites_text writes it ("left thigh, right thigh"); None: none.
    sites: Mapped[str | None] = mapped_column(Text)


class PainEntry(Base):
    """One pain-diary entry; several a day are all kept (analyses use the day's mean)."""

    __tablename__ = "pain_entries"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = patient_column()
    date: Mapped[date] = mapped_column(Date, index=True)
    score: Mapped[int] = mapped_column(Integer)
    function: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class SideEffect(Base):
    """A side effect as the patient reported it, with the class it was given then."""

    __tablename__ = "side_effects"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = patient_column()
    date: Mapped[date] = mapped_column(Date, index=True)
    text: Mapped[str] = mapped_column(Text)
    term: Mapped[str | None] = mapped_column(Text)
    effect_class: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str | None] = mapped_column(String(20))  # None: not stated
    note: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date)


class Appointment(Base):
    """A booked visit. Cancelling or attending changes its status; it is never erased."""

    __tablename__ = "appointments"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = patient_column()
    date: Mapped[date] = mapped_column(Date, index=True)
    time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM", local wall-clock time
    provider: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))


class Change(Base):
    """One entry of the append-only change log: what a command did to one record.

    Rows are only ever added. An undo is itself a batch of changes that names,
    in ``undo_of``, the batch it reverted.
    """

    __tablename__ = "changes"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = patient_column()
    batch: Mapped[int | None] = mapped_column(Integer, index=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO timestamp in UTC: when it was done
    command: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(10))  # insert, update or delete
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    old_values: Mapped[str | None] = mapped_column(Text)  # JSON
    new_values: Mapped[str | None] = mapped_column(Text)  # JSON
    undo_of: Mapped[int | None] = mapped_column(Integer)
