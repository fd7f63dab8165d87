"""Click parameter types: typed, validated values reach the commands."""

from __future__ import annotations

from typing import Any

import click

from tracker.domain.errors import InvalidInput


class _DomainParam(click.ParamType):
    """Turns a domain parser's InvalidInput into click's one-line usage error."""

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value)
        except InvalidInput as error:
            self.fail(str(error), param, ctx)


class DateParam(_DomainParam):
    name = "date"

    def parse(self, text: str) -> Any:
        from tracker.clock import today
        from tracker.domain.dates import parse_date

        return parse_date(text, today())


class UnitsParam(_DomainParam):
    name = "units"

    def parse(self, text: str) -> Any:
        from tracker.domain.dosing import parse_units

        return parse_units(text)


class SiteParam(_DomainParam):
    name = "muscle[:units]"

    def parse(self, text: str) -> Any:
        from tracker.domain.dosing import parse_site

        return parse_site(text)


class ProductParam(_DomainParam):
    name = "product"

    def parse(self, text: str) -> Any:
        from tracker.domain.dosing import parse_product

        return parse_product(text)


class ScoreParam(_DomainParam):
    name = "0-10"

    def parse(self, text: str) -> Any:
        from tracker.domain.response import parse_score

        return parse_score(text)


class TimeParam(_DomainParam):
    name = "HH:MM"

    def parse(self, text: str) -> Any:
        from tracker.domain.appointments import parse_time

        return parse_time(text)


DATE = DateParam()
TIME = TimeParam()
SCORE = ScoreParam()
SEVERITY = click.Choice(["mild", "moderate", "severe"], case_sensitive=False)
UNITS = UnitsParam()
SITE = SiteParam()
PRODUCT = ProductParam()
RECORD_ID = click.IntRange(min=1)
