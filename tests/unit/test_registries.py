"""Every registry has one source, and everything that uses it follows it.

A registry is a list of names that other code is built from: the export
formats, the commands (tests/cli/test_help.py ties COMMAND_MODULES to the
command modules), the kinds of records the change log knows, the side-effect
classes and the review's recommendations. Adding an entry in one place and
forgetting a user of it fails here, not in front of a patient.
"""

from __future__ import annotations

import importlib
import pkgutil

import click
import pytest

from tracker import export
from tracker.cli import COMMAND_MODULES, STORED, cli

# --- export formats -----------------------------------------------------------


def export_command() -> click.Command:
    command = cli.get_command(click.Context(cli), "export")
    assert command is not None
    return command


def test_the_export_command_offers_exactly_the_registered_formats():
    option = next(p for p in export_command().params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == export.FORMATS


def test_the_export_command_s_help_names_every_format():
    help_text = export_command().help or ""
    for fmt in export.FORMATS:
        assert fmt.upper() in help_text, fmt


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_every_registered_format_has_a_renderer(fmt):
    assert callable(export.renderer(fmt))


def test_every_renderer_module_is_a_registered_format():
    registered = {export.renderer(fmt).__module__ for fmt in export.FORMATS}
    for info in pkgutil.iter_modules(export.__path__):
        module = importlib.import_module(f"tracker.export.{info.name}")
        if callable(getattr(module, "render", None)):
            assert module.__name__ in registered, info.name


def test_the_format_lists_name_only_registered_formats():
    formats = set(export.FORMATS)
    assert export.BINARY_FORMATS.issubset(formats)
    assert export.STREAMED_FORMATS.issubset(formats)
    assert set(export.EXTENSIONS.values()) <= formats


@pytest.mark.parametrize("fmt", sorted(export.STREAMED_FORMATS))
def test_every_streamed_format_writes_one_patient_and_a_clinic(fmt):
    assert callable(export.records_writer(fmt))
    assert callable(export.clinic_writer(fmt))


# --- commands -------------------------------------------------------------------


def test_what_a_command_stored_is_named_only_for_known_commands():
    assert set(STORED) <= set(COMMAND_MODULES)


# --- the change log ---------------------------------------------------------------


def test_the_change_log_s_kinds_are_the_same_everywhere():
    from tracker.cli.output import KIND_NAMES
    from tracker.domain.import_rules import CHANGE_KINDS
    from tracker.store.audit import KINDS

    assert set(KINDS) == set(CHANGE_KINDS)
    assert set(KIND_NAMES) == set(CHANGE_KINDS)


# --- side effects and the review ----------------------------------------------------


def test_every_side_effect_class_has_advice_and_a_headline():
    from tracker.cli.confirmations import CLASS_HEADLINES
    from tracker.domain.safety import CLASS_IN_WORDS, URGENT_CLASSES
    from tracker.domain.side_effects import ADVICE, EffectClass

    assert set(ADVICE) == set(EffectClass)
    assert set(CLASS_HEADLINES) == {effect_class.value for effect_class in EffectClass}
    assert set(CLASS_IN_WORDS) == set(URGENT_CLASSES)


def test_every_recommendation_has_a_headline():
    from tracker.domain.response import HEADLINES, Recommendation

    assert set(HEADLINES) == set(Recommendation)
