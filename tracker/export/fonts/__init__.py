"""The fonts the PDF report draws with.

DejaVu Sans Condensed ships with tracker (licence in ``LICENSE`` next to this
file): it covers Latin, Greek and Cyrillic with their accents and typographic
punctuation, so names and notes in those scripts appear exactly on every
computer. Its narrow width keeps a year of records on one A4 page.

Text in a script DejaVu lacks (Chinese, Japanese, emoji, ...) is drawn with a
font installed on this computer that has it, looked up only when such text
occurs: through fontconfig's index (``fc-list``) where it exists, else by
reading the fonts in the system's font folders. ``TRACKER_FONT_DIRS`` (folders
separated like ``PATH``) replaces both with exactly those folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FAMILY = "dejavu"
FOLDER = Path(__file__).resolve().parent
# fpdf2 style letters -> the shipped file drawing that style.
BUNDLED = {
    "": FOLDER / "DejaVuSansCondensed.ttf",
    "B": FOLDER / "DejaVuSansCondensed-Bold.ttf",
    "I": FOLDER / "DejaVuSansCondensed-Oblique.ttf",
}

FONT_DIRS_VARIABLE = "TRACKER_FONT_DIRS"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
FONTCONFIG_TIMEOUT = 5.0  # seconds; a hung fc-list must not hang the export


@dataclass(frozen=True)
class FontFile:
    """One font on disk; ``index`` picks the font inside a collection (.ttc)."""

    path: Path
    index: int = 0


def default_font_dirs() -> list[Path]:
    """Where systems without fontconfig keep their fonts."""
    home = Path.home()
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        return [windows / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local" / "share" / "fonts",
        home / ".fonts",
    ]


def configured_font_dirs() -> list[Path] | None:
    """The folders named by ``TRACKER_FONT_DIRS``, or None when it is not set."""
    value = os.environ.get(FONT_DIRS_VARIABLE)
    if value is None:
        return None
    return [Path(folder) for folder in value.split(os.pathsep) if folder]


class SystemFonts:
    """Finds installed fonts that draw a given character; asked only for rare text."""

    def __init__(self) -> None:
        folders = configured_font_dirs()
        self.fontconfig = shutil.which("fc-list") if folders is None else None
        self.folders = default_font_dirs() if folders is None else folders
        self._scanned: list[tuple[FontFile, frozenset[int]]] | None = None

    def having(self, char: str) -> Iterator[FontFile]:
        """Installed fonts with a glyph for ``char``, regular sans-serif faces first."""
        if self.fontconfig is not None:
            yield from self._ask_fontconfig(self.fontconfig, char)
            return
        for font, codepoints in self._scan():
            if ord(char) in codepoints:
                yield font

    def _ask_fontconfig(self, fc_list: str, char: str) -> list[FontFile]:
        try:
            done = subprocess.run(
                [fc_list, "--format", "%{file}\t%{index}\t%{style}\n", f":charset={ord(char):x}"],
                capture_output=True,
                text=True,
                timeout=FONTCONFIG_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return []
        found: list[tuple[bool, FontFile]] = []
        for line in done.stdout.splitlines():
            path, index, style = [*line.split("\t"), "", ""][:3]
            if path.lower().endswith(FONT_SUFFIXES) and index.isdigit():
                plain = any(word in style.lower() for word in ("regular", "book"))
                found.append((not plain, FontFile(Path(path), int(index))))
        found.sort(key=lambda pair: (pair[0], str(pair[1].path), pair[1].index))
        return [font for _, font in found]

    def _scan(self) -> list[tuple[FontFile, frozenset[int]]]:
        """Every readable font in the folders with the characters it has (read once)."""
        if self._scanned is None:
            self._scanned = [
                (FontFile(path), codepoints)
                for path in _font_paths(self.folders)
                if (codepoints := _codepoints(path))
            ]
        return self._scanned


def _font_paths(folders: list[Path]) -> list[Path]:
    paths = set()
    for folder in folders:
        if folder.is_dir():
            paths.update(
                path
                for path in folder.rglob("*")
                if path.suffix.lower() in FONT_SUFFIXES and path.is_file()
            )
    return sorted(paths)


def _codepoints(path: Path) -> frozenset[int]:
    """The characters a font file maps (the first font of a collection); none if unreadable."""
    from fontTools.ttLib import TTFont  # fpdf2 depends on fontTools

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # any broken font file is simply not a candidate
        return frozenset()
