"""Working out each distinct due picture once gives what each picture says alone."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.intervals import Interval, IntervalUnit
from tracker.store.due_picture import DuePicture, every_due

TODAY = date(2026, 11, 25)
# Few distinct values, so that pictures share their dates and plans as a clinic's do.
LAST = st.one_of(st.none(), st.integers(0, 3).map(lambda n: TODAY - timedelta(days=40 * n)))
BOOKED = st.lists(
    st.builds(
        AppointmentRecord,
        id=st.integers(1, 9),
        day=st.integers(-50, 50).map(lambda n: TODAY + timedelta(days=n)),
    ),
    max_size=2,
)
PICTURES = st.lists(
    st.builds(
        DuePicture,
        every=st.one_of(
            st.integers(1, 4).map(lambda n: Interval(n, IntervalUnit.MONTHS)),
            st.sampled_from([Interval(12, IntervalUnit.WEEKS), Interval(28, IntervalUnit.DAYS)]),
        ),
        within_days=st.sampled_from([7, 14]),
        last_injection=LAST,
        appointments=BOOKED,
        product=st.sampled_from(["botox", "dysport", "hydroxocobalamin"]),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(pictures=PICTURES, within=st.one_of(st.none(), st.sampled_from([0, 14, 30])))
def test_every_due_says_what_each_picture_says_alone(pictures, within):
    assert every_due(pictures, TODAY, within) == [p.due(TODAY, within) for p in pictures]
