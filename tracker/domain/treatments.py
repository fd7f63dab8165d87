"""A patient's treatments: what each is, its name, and which is the pain treatment.

A patient may have several injection treatments at once (issue 16): Botox every
3 months, a B12 injection monthly, a biologic every 2 weeks. Each has a name,
unique per patient with case and spaces ignored (text.same_name_key, as for
patients), a product, an interval, a reminder window and, optionally, a
rotation of sites (tracker.domain.rotation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.domain.errors import Conflict, InvalidInput, NotFound
from tracker.domain.intervals import DEFAULT_INTERVAL, Interval
from tracker.domain.products import ProductProfile, profile_of
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS
from tracker.domain.text import LABEL_MAX_LENGTH, clean_text, preview, same_name_key


@dataclass(frozen=True)
class Treatment:
    name: str
    # A known product's code ("botox"), or the name of a product tracker has no
    # profile for, as typed ("hydroxocobalamin": no label rules, issue 16).
    product: str
    interval: Interval = DEFAULT_INTERVAL
    within_days: int = DEFAULT_REMINDER_DAYS
    sites: tuple[str, ...] = ()  # the rotation, in order; () for none

    @property
    def profile(self) -> ProductProfile | None:
        """The product's profile; None for a product tracker knows no label rules for."""
        try:
            return profile_of(self.product)
        except ValueError:
            return None

    @property
    def botulinum_toxin(self) -> bool:
        return self.profile is not None and self.profile.botulinum_toxin


def clean_treatment_name(text: str) -> str:
    """The name as typed without the spaces around it: one line of at most
    LABEL_MAX_LENGTH characters (tracker.domain.text), not empty."""
    name = text.strip()
    if not name:
        raise InvalidInput("the treatment name is empty; give it a name, like 'botox' or 'B12'")
    return clean_text(name, "treatment name", LABEL_MAX_LENGTH, multiline=False)


def check_unused_name(name: str, existing: Iterable[str], renaming: str | None = None) -> str:
    """``name``, unless another of the patient's treatments has it, or one that differs
    only in case or spaces. ``renaming``: the stored name of the treatment being
    renamed, which may keep its own name in another case ("botox" to "Botox")."""
    wanted = same_name_key(name)
    for other in existing:
        if other != renaming and same_name_key(other) == wanted:
            raise Conflict(f"there is already a treatment called {preview(other)}")
    return name


def find_treatment(treatments: Sequence[Treatment], name: str) -> Treatment:
    """The treatment called ``name`` (case and spaces ignored), else NotFound naming them all."""
    wanted = same_name_key(name)
    for treatment in treatments:
        if same_name_key(treatment.name) == wanted:
            return treatment
    raise NotFound(
        f"there is no treatment called {preview(name.strip())}; {names_text(treatments)}"
    )


def names_text(treatments: Sequence[Treatment]) -> str:
    """ "the treatments are 'botox', 'B12'" (or "there are no treatments yet")."""
    if not treatments:
        return "there are no treatments yet"
    return "the treatments are " + ", ".join(preview(t.name) for t in treatments)


def pain_treatment(treatments: Sequence[Treatment]) -> Treatment | None:
    """The treatment a review without ``--treatment`` reviews (issue 16): the only
    botulinum toxin treatment, else the first one (in the order given, oldest first).

    With several botulinum toxin treatments, the first of them: the review is
    about the injections for pain, and those are the toxins.
    """
    toxins = [treatment for treatment in treatments if treatment.botulinum_toxin]
    if toxins:
        return toxins[0]
    return treatments[0] if treatments else None
