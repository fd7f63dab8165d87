"""The products tracker knows, as data: one profile per product.

Everything that differs from one product to another lives in its profile: the
names, whether it is a botulinum toxin, the label's minimum retreatment
interval and dose ceiling (each with its source), the default interval, the
texts the review and the reports show, and the codes other systems read. The
schedule, the dose warnings, the review and every export ask the profile, so
adding a product is one entry in :data:`PROFILES` (or one :func:`register`).

Which product is "the patient's": the product of their latest injection, or
:data:`DEFAULT_PRODUCT` before the first one (tracker stores no product in the
plan). Units are never added up or converted across products (clinical.md #4).

Sources are named as in ``/work/shared/clinical.md`` (the fact sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Product(StrEnum):
    """A product's code, as typed and stored ("botox").

    The members are the products tracker ships with; a profile registered later
    (:func:`register`) is a Product too, so it can be logged, stored and read back.
    """

    BOTOX = "botox"
    DYSPORT = "dysport"
    XEOMIN = "xeomin"
    MYOBLOC = "myobloc"
    OTHER = "other"

    @classmethod
    def _missing_(cls, value: object) -> Product | None:
        if not isinstance(value, str) or value not in _REGISTRY:
            return None
        member = str.__new__(cls, value)
        member._value_ = value
        member._name_ = value.upper()
        return member


DEFAULT_PRODUCT = Product.BOTOX


class LimitScope(StrEnum):
    SESSION = "session"
    TRAILING_3_MONTHS = "3 months"


@dataclass(frozen=True)
class DoseLimit:
    """A labelled ceiling: a ceiling, never a "safe" dose (toxin spread has occurred
    below them; clinical.md #1 and "Rules it must NOT encode")."""

    max_units: float
    scope: LimitScope
    label: str  # what the patient is shown: the ceiling's source


@dataclass(frozen=True)
class PublishedFigure:
    """A published result shown beside the patient's own, with its source."""

    text: str
    source: str


@dataclass(frozen=True)
class Coding:
    """A code another system reads (FHIR ``Coding``)."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class ProductProfile:
    code: str  # as typed and stored; at most 20 characters (the database column)
    name: str  # as shown in tables and texts: "Botox", "other product"
    # The product's brand, for calendar titles and FHIR texts; None for "other".
    brand: str | None
    generic_name: str  # "onabotulinumtoxinA"
    botulinum_toxin: bool
    # The label's minimum time between injections, and where it is written; None
    # when tracker knows no label rule (then the clinician's interval is the schedule).
    min_interval: timedelta | None
    min_interval_source: str | None
    dose_limit: DoseLimit | None
    default_interval_months: int
    # The review's and the reports' product texts; None / () when there are none.
    off_label_notice: str | None
    published_figures: tuple[PublishedFigure, ...]
    # The side-effect vocabulary that classifies what the patient writes
    # (tracker.domain.effect_vocabulary holds the botulinum toxin one); None: none.
    side_effect_vocabulary: str | None
    codings: tuple[Coding, ...]  # FHIR medication codes; () leaves it text only

    @property
    def medication_text(self) -> str:
        """FHIR's medication text: "onabotulinumtoxinA (Botox)"."""
        return f"{self.generic_name} ({self.brand})" if self.brand else self.generic_name

    @property
    def min_interval_days(self) -> int | None:
        return None if self.min_interval is None else self.min_interval.days

    @property
    def min_interval_text(self) -> str:
        """ "12 weeks" (or "90 days" when not whole weeks); "" without a minimum."""
        days = self.min_interval_days
        if days is None:
            return ""
        if days % 7:
            return _plural(days, "day")
        return _plural(days // 7, "week")

    @property
    def min_interval_long_text(self) -> str:
        """ "12 weeks (84 days)"; "" without a minimum."""
        days = self.min_interval_days
        if days is None or days % 7:
            return self.min_interval_text
        return f"{self.min_interval_text} ({_plural(days, 'day')})"

    @property
    def min_interval_adjective(self) -> str:
        """ "12-week", as in "the label's 12-week minimum"."""
        return self.min_interval_text.replace(" ", "-").removesuffix("s")

    @property
    def no_minimum_text(self) -> str:
        """What tracker says when it knows no label minimum (clinical.md, leads' decisions)."""
        return (
            f"tracker knows no label minimum for {self.name}: "
            "your clinician's interval is the schedule"
        )


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def toxin_off_label_notice(subject: str) -> str:
    """The FDA has approved no botulinum toxin for low back pain (Cochrane CD008257,
    clinical.md #11): the notice every toxin's review and report shows."""
    return (
        f"{subject} for back pain is off-label: it is not FDA-approved for this use, and the "
        "evidence for it is of low quality. Your doctor can explain why it was offered to you."
    )


# Retreatment "no sooner than 12 weeks", on each label (clinical.md #3 and B);
# "Rules the software can safely encode": label-minimum date = last injection + 84 days.
TOXIN_MIN_INTERVAL = timedelta(weeks=12)
# Patient leaflet: injections "four times a year", the effect wears off after
# about 3 months (shared/seeds leaflet); the clinician may set another interval.
TOXIN_DEFAULT_INTERVAL_MONTHS = 3
BOTULINUM_TOXIN_VOCABULARY = "botulinum toxin"
# WHO ATC M03AX01 "botulinum toxin": every botulinum toxin product (docs/codes.md).
BOTULINUM_TOXIN_ATC = Coding("http://www.whocc.no/atc", "M03AX01", "botulinum toxin")

# Published figures: only those confirmed in clinical.md, all from studies of
# Botox. The leaflet's unsourced claims are shown as the leaflet's, never as
# trial results (clinical.md #13). Other products have none in clinical.md, so
# they show none rather than Botox's.
BOTOX_FIGURES = (
    PublishedFigure(
        text=(
            "In a randomised trial of 31 patients (200 units vs saline), more than 50 % pain "
            "relief was reported by 73.3 % of patients given Botox vs 25 % given placebo at "
            "3 weeks, and by 60 % vs 12.5 % at 8 weeks."
        ),
        # clinical.md #8
        source="Foster L et al., Neurology 2001;56:1290-3",
    ),
    PublishedFigure(
        text=(
            "In an open-label study of 60 patients, 60 % improved at 3 weeks and 58 % at "
            "2 months; relief lasted in 16.6 % at 4 months and 8.3 % at 6 months."
        ),
        # clinical.md #7, #9
        source="Ney JP et al., Clin J Pain 2006;22:363-9",
    ),
    PublishedFigure(
        text=(
            "A Cochrane review of 3 trials (123 patients) rated the evidence for botulinum "
            "toxin in low back pain as low to very low quality; no botulinum toxin is "
            "FDA-approved for low back pain."
        ),
        # clinical.md #11
        source="Waseem et al., Cochrane Database Syst Rev 2011, CD008257",
    ),
    PublishedFigure(
        text=(
            "A patient leaflet reports about 70 % good-to-excellent pain reduction over two "
            "years and about 10 % of patients pain-free; tracker could not find a study "
            "behind these figures."
        ),
        # clinical.md #13: the study behind these figures was not found.
        source="patient leaflet 'Botox for Back Pain', citing Doctor's Guide; no study found",
    ),
)


def _toxin(
    product: Product,
    brand: str | None,
    generic_name: str,
    min_interval_source: str,
    dose_limit: DoseLimit | None = None,
    published_figures: tuple[PublishedFigure, ...] = (),
) -> ProductProfile:
    """A botulinum toxin: the class's minimum interval, default interval and vocabulary."""
    return ProductProfile(
        code=product.value,
        name=brand or "other product",
        brand=brand,
        generic_name=generic_name,
        botulinum_toxin=True,
        min_interval=TOXIN_MIN_INTERVAL,
        min_interval_source=min_interval_source,
        dose_limit=dose_limit,
        default_interval_months=TOXIN_DEFAULT_INTERVAL_MONTHS,
        off_label_notice=toxin_off_label_notice(brand or "Botulinum toxin"),
        published_figures=published_figures,
        side_effect_vocabulary=BOTULINUM_TOXIN_VOCABULARY,
        codings=(BOTULINUM_TOXIN_ATC,) if brand else (),
    )


PROFILES: tuple[ProductProfile, ...] = (
    _toxin(
        Product.BOTOX,
        "Botox",
        "onabotulinumtoxinA",
        # clinical.md #3: "generally no sooner than 12 weeks" (Allergan, botoxone.com).
        "Botox label, Allergan (botoxone.com)",
        # clinical.md #2: 400 U per 3-month interval in adults, all indications.
        DoseLimit(400, LimitScope.TRAILING_3_MONTHS, "Botox label, adults, all uses together"),
        BOTOX_FIGURES,
    ),
    _toxin(
        Product.DYSPORT,
        "Dysport",
        "abobotulinumtoxinA",
        # clinical.md B: retreat no sooner than 12 weeks (dysporthcp.com).
        "Dysport label (dysporthcp.com)",
        # clinical.md B: max 1,500 U per session, upper + lower limb.
        DoseLimit(1500, LimitScope.SESSION, "Dysport label"),
    ),
    _toxin(
        Product.XEOMIN,
        "Xeomin",
        "incobotulinumtoxinA",
        # clinical.md B: no sooner than every 12 weeks (drugs.com/dosage/xeomin.html).
        "Xeomin label (drugs.com)",
        # clinical.md B: max 400 U per session, any indication.
        DoseLimit(400, LimitScope.SESSION, "Xeomin label"),
    ),
    _toxin(
        Product.MYOBLOC,
        "Myobloc",
        "rimabotulinumtoxinB",
        # clinical.md B: no sooner than every 12 weeks; no ceiling in the fact sheet.
        "Myobloc label (cancertherapyadvisor.com)",
    ),
    # Another botulinum toxin tracker has no profile for: every toxin label it
    # knows gives the same minimum (clinical.md A3, B); no ceiling, no codes.
    _toxin(
        Product.OTHER,
        None,
        "other botulinum toxin",
        "Botox, Dysport, Xeomin and Myobloc labels, which all give it",
    ),
)

_REGISTRY: dict[str, ProductProfile] = {profile.code: profile for profile in PROFILES}


def register(profile: ProductProfile) -> Product:
    """Add a product; its code then reads as a :class:`Product` everywhere."""
    if profile.code in _REGISTRY:
        raise ValueError(f"product {profile.code!r} is already registered")
    _REGISTRY[profile.code] = profile
    return Product(profile.code)


def unregister(code: str) -> None:
    """Remove a product added with :func:`register` (the shipped ones stay)."""
    if code in Product.__members__.values():
        raise ValueError(f"product {code!r} ships with tracker and cannot be removed")
    del _REGISTRY[code]


def profiles() -> tuple[ProductProfile, ...]:
    """Every known product, the shipped ones first, in the order they were added."""
    return tuple(_REGISTRY.values())


def products() -> tuple[Product, ...]:
    return tuple(Product(code) for code in _REGISTRY)


def profile_of(product: str) -> ProductProfile:
    """The profile of a product code; a code tracker does not know is a ValueError
    (a stored value no command could have written)."""
    try:
        return _REGISTRY[product]
    except KeyError:
        raise ValueError(f"unknown product {product!r}") from None


DEFAULT_PROFILE = profile_of(DEFAULT_PRODUCT)


def plain_profile(name: str) -> ProductProfile:
    """A product tracker knows no label rules for, named as typed ("hydroxocobalamin",
    issue 16): no minimum interval, no ceiling, no texts, no codes; not a toxin."""
    return ProductProfile(
        code=name,
        name=name,
        brand=None,
        generic_name=name,
        botulinum_toxin=False,
        min_interval=None,
        min_interval_source=None,
        dose_limit=None,
        default_interval_months=TOXIN_DEFAULT_INTERVAL_MONTHS,
        off_label_notice=None,
        published_figures=(),
        side_effect_vocabulary=None,
        codings=(),
    )


def any_profile(product: str) -> ProductProfile:
    """The profile of a known product, else :func:`plain_profile` of the name as stored."""
    known = _REGISTRY.get(product)
    return plain_profile(product) if known is None else known


def is_known(product: str) -> bool:
    return product in _REGISTRY


def patient_profile(latest_product: str | None) -> ProductProfile:
    """The patient's product: that of their latest injection, else the default."""
    return DEFAULT_PROFILE if latest_product is None else profile_of(latest_product)
