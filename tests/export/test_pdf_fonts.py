"""The PDF writes every name: the bundled DejaVu font for Latin, Greek and Cyrillic, an
installed font for other scripts, and the Unicode number, visibly, when no font has a
character. Read back with pdftotext (poppler) and pypdf, as a doctor's computer would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from tests.conftest import Tracker
from tracker.export.pdf import one_line, placeholder

NAME = "Zoë Łukasiewicz Müller‑Şahin"  # with U+2011, the non-breaking hyphen
PROVIDER = "Dr Ελένη Παπαδοπούλου"
NOTE = "Иван — «хорошо» – 2‑3 days, №5"
EFFECT = "головокружение"
EFFECT_NOTE = "ζάλη — ήπια, café"
HAN = "李中文"  # in no bundled face: drawn by an installed font, or written as numbers


def flat(text: str) -> str:
    return " ".join(text.split())


def pdftotext(path: Path) -> str:
    """poppler's reading of the file; .ci/run installs poppler-utils, so CI never skips."""
    if shutil.which("pdftotext") is None and not os.environ.get("CI"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return flat(done.stdout)


def pypdf_text(path: Path) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(path).pages))


def embedded_fonts(path: Path) -> set[str]:
    """BaseFont names of the fonts the PDF carries, e.g. 'MPDFAA+DejaVuSansCondensed'."""
    names = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), "embedded"
            names.add(str(font["/BaseFont"]))
    return names


def write_font(path: Path, chars: str, family: str) -> None:
    """A tiny TrueType font with a box for each of ``chars``, standing in for an installed one."""
    glyph_names = {char: f"uni{ord(char):04X}" for char in chars}
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", *glyph_names.values()])
    builder.setupCharacterMap({ord(char): name for char, name in glyph_names.items()})
    glyphs = {}
    for name in [".notdef", *glyph_names.values()]:
        pen = TTGlyphPen(None)
        pen.moveTo((100, 0))
        pen.lineTo((100, 700))
        pen.lineTo((900, 700))
        pen.lineTo((900, 0))
        pen.closePath()
        glyphs[name] = pen.glyph()
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: (1000, 100) for name in glyphs})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))


def export(tracker: Tracker, path: Path) -> tuple[str, str]:
    tracker.ok("export", "-o", str(path))
    return pdftotext(path), pypdf_text(path)


def record_han(tracker: Tracker) -> None:
    tracker.ok("plan", "--name", f"{HAN[0]} Zoë")
    tracker.ok("log", "2026-09-01", "--units", "200", "--note", f"{HAN[1:]} ok")


def test_latin_greek_and_cyrillic_appear_exactly(tracker: Tracker, tmp_path: Path) -> None:
    tracker.ok("plan", "--name", NAME)
    tracker.ok("log", "2026-09-01", "--units", "200", "--provider", PROVIDER, "--note", NOTE)
    tracker.ok("effect", EFFECT, "--date", "2026-09-03", "--note", EFFECT_NOTE)
    path = tmp_path / "r.pdf"
    for text in export(tracker, path):
        for needle in (NAME, PROVIDER, NOTE, f"{EFFECT}; note: {EFFECT_NOTE}"):
            assert needle in text
        assert "?" not in text and "[U+" not in text
    fonts = embedded_fonts(path)
    # Subsets ("ABCDEF+" tag) of the shipped faces, nothing else.
    assert {font.split("+")[1] for font in fonts} == {
        "DejaVuSansCondensed",
        "DejaVuSansCondensedBold",
        "DejaVuSansCondensedOblique",
    }
    assert path.stat().st_size < 60_000, "subset fonts keep the file small"


def test_a_character_only_the_regular_face_has_is_drawn_in_a_bold_name(
    sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    # DejaVu Sans Condensed Bold lacks the mathematical sans-serif letters; the
    # name is drawn bold, so that letter comes from the regular face.
    sqlite_tracker.ok("plan", "--name", "Ann 𝖠")
    for text in export(sqlite_tracker, tmp_path / "r.pdf"):
        assert "Ann 𝖠" in text
        assert "[U+" not in text


def test_a_script_without_a_bundled_font_uses_an_installed_one(
    tracker: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts = tmp_path / "fonts"
    write_font(fonts / "cjk" / "TestHan.ttf", HAN, "TestHan")
    (fonts / "broken.ttf").write_bytes(b"not a font at all" * 10)  # skipped, not fatal
    monkeypatch.setenv("TRACKER_FONT_DIRS", f"{tmp_path / 'missing'}{os.pathsep}{fonts}")
    record_han(tracker)
    path = tmp_path / "r.pdf"
    for text in export(tracker, path):
        assert f"{HAN[0]} Zoë" in text
        assert f"{HAN[1:]} ok" in text
        assert "[U+" not in text and "?" not in text
    assert "TestHan" in {font.split("+")[1] for font in embedded_fonts(path)}


def test_without_any_font_for_it_a_character_is_written_as_its_unicode_number(
    tracker: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv("TRACKER_FONT_DIRS", str(empty))
    record_han(tracker)
    tracker.ok("effect", "dizzy 😵 めまい", "--date", "2026-09-03", "--note", "🙂 — better")
    for text in export(tracker, tmp_path / "r.pdf"):
        assert "[U+674E] Zoë" in text
        assert "[U+4E2D][U+6587] ok" in text
        # DejaVu has 😵 but no kana and no 🙂.
        assert "dizzy 😵 [U+3081][U+307E][U+3044]; note: [U+1F642] — better" in text
        assert "?" not in text
        # The first three met, in the order drawn (the name comes first; the review
        # above the tables may name the side effect), then "...".
        assert re.search(
            r"\[U\+674E\], \[U\+[0-9A-F]{4,5}\], \[U\+[0-9A-F]{4,5}\] \.\.\.: characters "
            "that no font on this computer can draw, written as their Unicode numbers.",
            text,
        )


def test_an_installed_font_that_cannot_be_embedded_costs_only_its_characters(
    sqlite_tracker: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its character map reads fine, but its glyph outlines are garbage: fpdf2
    # accepts the font and fails only when it embeds it.
    font = tmp_path / "fonts" / "Damaged.ttf"
    write_font(font, HAN, "Damaged")
    data = bytearray(font.read_bytes())
    glyf = TTFont(font).reader.tables["glyf"]
    data[glyf.offset : glyf.offset + glyf.length] = b"\xff" * glyf.length
    font.write_bytes(bytes(data))
    monkeypatch.setenv("TRACKER_FONT_DIRS", str(font.parent))
    record_han(sqlite_tracker)
    text = export(sqlite_tracker, tmp_path / "r.pdf")[0]
    assert "[U+674E] Zoë" in text and "[U+4E2D][U+6587] ok" in text


def test_a_report_every_font_draws_has_no_such_notice(
    sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    sqlite_tracker.ok("plan", "--name", NAME)
    pdftotext_text, pypdf_text = export(sqlite_tracker, tmp_path / "r.pdf")
    assert "Unicode numbers" not in pdftotext_text
    assert "Unicode numbers" not in pypdf_text


def fontconfig_file(tmp_path: Path, folder: Path) -> Path:
    """A fontconfig setup that knows only ``folder``, the way a user's system knows its fonts."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{folder}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir>"
        "</fontconfig>\n"
    )
    return config


@pytest.mark.parametrize("installed", [True, False], ids=["installed", "none"])
def test_without_tracker_font_dirs_fontconfig_finds_installed_fonts(
    sqlite_tracker: Tracker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    if shutil.which("fc-list") is None and not os.environ.get("CI"):
        pytest.skip("fontconfig (fc-list) is not installed")
    folder = tmp_path / "system-fonts"
    folder.mkdir()
    if installed:
        write_font(folder / "TestHan.ttf", HAN, "TestHan")
    monkeypatch.delenv("TRACKER_FONT_DIRS", raising=False)
    monkeypatch.setenv("FONTCONFIG_FILE", str(fontconfig_file(tmp_path, folder)))
    record_han(sqlite_tracker)
    text = export(sqlite_tracker, tmp_path / "r.pdf")[0]
    if installed:
        assert f"{HAN[0]} Zoë" in text and "[U+" not in text
    else:
        assert "[U+674E] Zoë" in text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("plain ASCII", "plain ASCII"),
        ("Zoë Łukasiewicz — Müller‑Şahin", "Zoë Łukasiewicz — Müller‑Şahin"),
        ("Zoe\u0308", "Zoë"),  # composed: one glyph the font has
        ("line\nbreak\ttab\r", "line break tab "),
        ("para\u2029graph\u2028line\x85end\x0c", "para graph line end "),
        ("no\u00a0break", "no\u00a0break"),
        ("zero\u200bwidth\u200d joiner\u00ad", "zerowidth joiner"),
        ("\u2764\ufe0f heart", "\u2764 heart"),  # variation selector dropped
        ("bell\x07", "bell"),
    ],
)
def test_one_line_keeps_every_visible_character(text: str, line: str) -> None:
    assert one_line(text) == line


@pytest.mark.parametrize(
    ("char", "shown"), [("中", "[U+4E2D]"), ("🙂", "[U+1F642]"), ("\x80", "[U+0080]")]
)
def test_a_placeholder_is_the_unicode_number(char: str, shown: str) -> None:
    assert placeholder(char) == shown
