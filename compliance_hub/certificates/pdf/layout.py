"""Small drawing helpers on top of fpdf2 for one-page forms.

Measuring uses the parsed font's width table directly (a dict lookup per character), and
text is written straight into the page's content stream (no line-breaking machinery).
Positions are in millimetres from the top-left corner; ``y`` is the top of a line of text,
not its baseline.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF

from compliance_hub.certificates.pdf.compact import fonts, qr
from compliance_hub.certificates.pdf.compact.producer import USED_CHARS, CompactFontProducer
from compliance_hub.core.text import neutralise_bidi

PT = 25.4 / 72  # millimetres per point
Color = tuple[int, int, int]
ELLIPSIS = "…"


def clean(text: object) -> str:
    """NFC-normalised single-line text: accents composed, control and format characters
    (bidirectional controls included) replaced by spaces."""
    value = unicodedata.normalize("NFC", str(text or ""))
    if not value.isprintable():
        value = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in value)
    return value.strip()


class Canvas:
    """One Letter-size page with the bundled faces, measured and drawn in millimetres.

    fpdf2 assembles the file (fonts, resources, links, metadata); the page's content stream
    is written here directly, one PDF operator sequence per call.
    """

    def __init__(self, *, created: datetime, title: str, subject: str, creator: str) -> None:
        pdf = FPDF(unit="mm", format="letter")
        fonts.attach(pdf)
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.set_creation_date(created)
        pdf.set_title(neutralise_bidi(title))  # shown by viewers, as the page is
        pdf.set_subject(neutralise_bidi(subject))
        pdf.set_creator(creator)
        pdf.set_lang("en-US")
        pdf.add_page()
        self.pdf = pdf
        self.width: float = pdf.w
        self.height: float = pdf.h
        self._k: float = pdf.k
        self._faces = fonts.faces()
        self._font_ids: dict[str, int] = {}
        self._codes: dict[str, dict[str, str]] = {}
        for key, face in self._faces.items():
            style = key[len(fonts.FAMILY) :]
            pdf.set_font(fonts.FAMILY, style, 10)
            pdf.text(0, 0, "")  # registers the font as a resource of the page
            self._font_ids[style] = pdf.fonts[key].i
            self._codes[style] = face.char_codes
        self._wraps: dict[tuple[str, float, float, str], list[str]] = {}
        self.reset()

    def reset(self) -> None:
        """Forget everything drawn so far (to lay the page out again, denser)."""
        self._ops: list[str] = []
        self._links: list[tuple[float, float, float, float, str]] = []
        self._used: dict[str, set[str]] = {style: set() for style in self._codes}
        setattr(
            self.pdf, USED_CHARS, {fonts.FAMILY + style: used for style, used in self._used.items()}
        )
        self._fill: Color | None = None
        self._stroke: Color | None = None
        self._line_width: float | None = None
        self._font: tuple[str, float] | None = None

    # -- text ---------------------------------------------------------------------------
    def printable(self, text: object, style: str = "") -> str:
        """``text`` cleaned, with characters the font cannot draw replaced by '?'."""
        widths = self._faces[fonts.FAMILY + style].char_widths
        value = clean(text)
        if all(ch in widths for ch in value):
            return value
        return "".join(ch if ch in widths else "?" for ch in value)

    def measure(self, text: str, size: float, style: str = "") -> float:
        """Width of ``text`` in mm at ``size`` points (``text`` must be printable)."""
        widths = self._faces[fonts.FAMILY + style].char_widths
        return sum(map(widths.__getitem__, text)) * size * (PT / 1000)

    def wrap(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        """Greedy word wrap of ``text`` to ``width`` mm; over-long words are split."""
        key = (text, width, size, style)
        cached = self._wraps.get(key) or _static_wraps.get(key)
        if cached is None:
            cached = self._wrap(text, width, size, style)
            self._wraps[key] = cached
        return list(cached)

    def _wrap(self, text: str, width: float, size: float, style: str) -> list[str]:
        lines: list[str] = []
        space = self.measure(" ", size, style)
        current = ""
        current_width = 0.0
        for word in text.split():
            word_width = self.measure(word, size, style)
            while word_width > width:  # a word longer than the line: split it
                cut = 1
                while cut < len(word) and self.measure(word[: cut + 1], size, style) <= width:
                    cut += 1
                if current:
                    lines.append(current)
                    current, current_width = "", 0.0
                lines.append(word[:cut])
                word = word[cut:]
                word_width = self.measure(word, size, style)
            if not word:
                continue
            if current and current_width + space + word_width <= width:
                current += " " + word
                current_width += space + word_width
            else:
                if current:
                    lines.append(current)
                current, current_width = word, word_width
        if current:
            lines.append(current)
        return lines

    def remember_static(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        """``wrap`` for fixed template text, cached for the life of the process."""
        key = (text, width, size, style)
        if key not in _static_wraps:
            _static_wraps[key] = self._wrap(text, width, size, style)
        return list(_static_wraps[key])

    def clip(self, text: str, width: float, size: float, style: str = "") -> str:
        """``text`` shortened with an ellipsis so that it fits ``width`` mm."""
        if self.measure(text, size, style) <= width:
            return text
        while text and self.measure(text + ELLIPSIS, size, style) > width:
            text = text[:-1]
        return text.rstrip() + ELLIPSIS

    def limit_lines(
        self, lines: list[str], max_lines: int, width: float, size: float, style: str = ""
    ) -> list[str]:
        """At most ``max_lines`` lines; the last one ends with an ellipsis if text was cut."""
        if len(lines) <= max_lines:
            return lines
        kept = lines[:max_lines]
        kept[-1] = self.clip(kept[-1] + " " + ELLIPSIS, width, size, style)
        if not kept[-1].endswith(ELLIPSIS):
            kept[-1] = self.clip(kept[-1].rstrip(ELLIPSIS + " ") + ELLIPSIS, width, size, style)
        return kept

    def _encode(self, text: str, style: str) -> str:
        """``text`` as PDF codes: the glyph ids, 4 hex digits each (Identity-H encoding)."""
        self._used[style].update(text)
        return "".join(map(self._codes[style].__getitem__, text))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        style: str = "",
        color: Color = (0, 0, 0),
        align: str = "L",
        width: float = 0,
    ) -> None:
        """Draw one line with its top at ``y``; ``align`` R or C uses ``width``."""
        if not text:
            return
        if align == "R":
            x += width - self.measure(text, size, style)
        elif align == "C":
            x += (width - self.measure(text, size, style)) / 2
        k = self._k
        self._set_fill(color)
        font = ""
        if self._font != (style, size):
            self._font = (style, size)
            font = f"/F{self._font_ids[style]} {size:.2f} Tf "
        self._ops.append(
            f"BT {font}{x * k:.2f} {(self.height - y - 0.76 * size * PT) * k:.2f} Td "
            f"<{self._encode(text, style)}> Tj ET"
        )

    def lines(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        size: float,
        style: str = "",
        color: Color = (0, 0, 0),
        leading: float = 1.22,
    ) -> float:
        """Draw lines top-down from ``y``; returns the y below the last line."""
        step = size * PT * leading
        for line in lines:
            self.text(x, y, line, size, style, color)
            y += step
        return y

    @staticmethod
    def line_height(size: float, leading: float = 1.22) -> float:
        return size * PT * leading

    # -- shapes -------------------------------------------------------------------------
    def _set_fill(self, color: Color) -> None:
        if color != self._fill:
            self._fill = color
            self._ops.append("{:.3f} {:.3f} {:.3f} rg".format(*(c / 255 for c in color)))

    def _set_stroke(self, color: Color, line_width: float) -> None:
        if color != self._stroke:
            self._stroke = color
            self._ops.append("{:.3f} {:.3f} {:.3f} RG".format(*(c / 255 for c in color)))
        if line_width != self._line_width:
            self._line_width = line_width
            self._ops.append(f"{line_width * self._k:.2f} w")

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: Color | None = None,
        stroke: Color | None = None,
        line_width: float = 0.25,
    ) -> None:
        k = self._k
        box = f"{x * k:.2f} {(self.height - y - h) * k:.2f} {w * k:.2f} {h * k:.2f} re"
        if fill is not None:
            self._set_fill(fill)
        if stroke is not None:
            self._set_stroke(stroke, line_width)
        if fill is not None and stroke is not None:
            self._ops.append(f"{box} B")
        elif fill is not None:
            self._ops.append(f"{box} f")
        elif stroke is not None:
            self._ops.append(f"{box} S")

    def line(
        self, x1: float, y1: float, x2: float, y2: float, color: Color, line_width: float = 0.2
    ) -> None:
        k, top = self._k, self.height
        self._set_stroke(color, line_width)
        self._ops.append(
            f"{x1 * k:.2f} {(top - y1) * k:.2f} m {x2 * k:.2f} {(top - y2) * k:.2f} l S"
        )

    def hline(self, x1: float, x2: float, y: float, color: Color, line_width: float = 0.2) -> None:
        self.line(x1, y, x2, y, color, line_width)

    def vline(self, x: float, y1: float, y2: float, color: Color, line_width: float = 0.2) -> None:
        self.line(x, y1, x, y2, color, line_width)

    def qr_code(self, x: float, y: float, size: float, text: str, color: Color) -> None:
        """A QR code for ``text`` as vector squares, ``size`` mm wide, top-left at (x, y)."""
        modules = qr.matrix(text)
        module = size / len(modules) * self._k
        self._set_fill(color)
        # In module units, rows downwards from the top-left corner: short integer operands.
        runs = " ".join(f"{col} {row} {length} 1 re" for col, row, length in qr.runs(modules))
        self._ops.append(
            f"q {module:.4f} 0 0 {-module:.4f} {x * self._k:.3f} "
            f"{(self.height - y) * self._k:.3f} cm {runs} f Q"
        )

    def link(self, x: float, y: float, w: float, h: float, url: str) -> None:
        """Make the area (top-left x, y; w by h mm) open ``url`` when clicked."""
        self._links.append((x, y, w, h, url))

    def output(self) -> bytes:
        """The finished PDF. fpdf2 has no public call for raw page content, hence ``_out``."""
        self.pdf._out("q\n" + "\n".join(self._ops) + "\nQ")
        for x, y, w, h, url in self._links:
            self.pdf.link(x, y, w, h, url)
        data = bytes(self.pdf.output(output_producer_class=CompactFontProducer))
        self.reset()
        return data


# Wrapped lines of fixed template text, shared by all documents of this process.
_static_wraps: dict[tuple[str, float, float, str], list[str]] = {}
