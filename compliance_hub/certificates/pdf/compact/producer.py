"""An fpdf2 output producer that embeds the bundled fonts from a per-process cache.

fpdf2's own producer subsets every TrueType font with fontTools in every document. This one
emits the same PDF structures (Type0 font, CIDFontType2 descendant,
ToUnicode CMap so text stays searchable and selectable, CIDToGIDMap, FontFile2) from
``fonts.embedded_font``, keyed by the characters the document used, as objects that
serialize without introspection; page content is compressed at ``CONTENT_COMPRESSION``.
Text is encoded with the original glyph ids (``layout.Canvas``). The class is passed to
``FPDF.output(output_producer_class=...)``, fpdf2's extension point for file generation.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from fpdf.enums import PDFResourceType
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer
from fpdf.syntax import PDFContentStream, PDFObject

from compliance_hub.certificates.pdf.compact.fonts import embedded_font

# The FPDF attribute where ``layout.Canvas`` records the characters drawn, per font key.
USED_CHARS = "hub_used_chars"
# Page content compression level. Part of coi-v1's bytes: changing it changes every
# certificate rendered afterwards.
CONTENT_COMPRESSION = 3


class DictObject(PDFObject):
    """A PDF object whose dictionary entries are given, not discovered.

    fpdf2 serializes its objects by introspecting their attributes; these objects state
    their entries directly.
    ``entries`` is called when the file is written, once every object has its id.
    """

    def __init__(self, entries: Callable[[], dict[str, object]], stream: bytes | None = None):
        super().__init__()
        self._entries = entries
        self._stream = stream

    def content_stream(self) -> bytes | None:
        return self._stream

    def serialize(self, obj_dict: Any = None, _security_handler: Any = None) -> str:
        if _security_handler is not None:
            raise NotImplementedError("Certificates are not encrypted.")
        return super().serialize(self._entries(), None)


def flate_stream(compressed: bytes, **extra: object) -> DictObject:
    """A stream object for already Flate-compressed bytes."""
    entries = {"/Filter": "/FlateDecode", "/Length": len(compressed), **extra}
    return DictObject(lambda: entries, compressed)


class CompactFontProducer(OutputProducer):
    """``OutputProducer`` for documents drawn by ``layout.Canvas`` with the bundled fonts."""

    def _add_pages(self, *args: Any, **kwargs: Any) -> Any:
        compress, self.fpdf.compress = self.fpdf.compress, False
        try:
            pages = super()._add_pages(*args, **kwargs)
        finally:
            self.fpdf.compress = compress
        if compress:  # swap each raw content stream for a compressed one, same object id
            for page in pages:
                raw = page.contents
                assert isinstance(raw, PDFContentStream)
                packed = flate_stream(zlib.compress(raw.content_stream(), CONTENT_COMPRESSION))
                packed.id = raw.id
                self.pdf_objs[self.pdf_objs.index(raw)] = packed
                page.contents = packed  # type: ignore[assignment]  # any object: a reference
        return pages

    def _add_fonts(self, *args: Any, **kwargs: Any) -> dict[int, Any]:
        used_ids: set[int] = set()
        for page in range(1, self.fpdf.pages_count + 1):
            used_ids.update(
                int(str(i))
                for i in self.fpdf._resource_catalog.get_resources_per_page(
                    page, PDFResourceType.FONT
                )
            )
        used_chars: dict[str, set[str]] = getattr(self.fpdf, USED_CHARS, {})
        result: dict[int, Any] = {}
        try:
            for font in sorted(self.fpdf.fonts.values(), key=lambda f: f.i):
                if font.i not in used_ids:
                    continue
                if not isinstance(font, TTFFont) or font.color_font:
                    raise TypeError(f"Only the bundled TrueType fonts are supported: {font}")
                result[font.i] = self._embed(font, used_chars.get(font.fontkey, set()))
        finally:
            # fpdf2 memoises these per (subset, character) globally; free this document's.
            SubsetMap.pick.cache_clear()
            SubsetMap.get_glyph.cache_clear()
        return result

    def _embed(self, font: TTFFont, chars: set[str]) -> DictObject:
        """The objects of one embedded font; returns the Type0 font the page refers to."""
        embedded = embedded_font(font.fontkey, chars)
        name = f"/{embedded.base_font}"
        desc = font.desc
        font_file = flate_stream(embedded.font_file, **{"/Length1": embedded.font_file_length})
        cid_to_gid = flate_stream(embedded.cid_to_gid)
        to_unicode = flate_stream(embedded.to_unicode)
        descriptor = DictObject(
            lambda: {
                "/Type": "/FontDescriptor",
                "/FontName": name,
                "/Flags": desc.flags.value,
                "/FontBBox": desc.font_b_box,
                "/ItalicAngle": desc.italic_angle,
                "/Ascent": desc.ascent,
                "/Descent": desc.descent,
                "/CapHeight": desc.cap_height,
                "/StemV": desc.stem_v,
                "/MissingWidth": desc.missing_width,
                "/FontFile2": font_file.ref,
            }
        )
        cid_font = DictObject(
            lambda: {
                "/Type": "/Font",
                "/Subtype": "/CIDFontType2",
                "/BaseFont": name,
                "/CIDSystemInfo": "<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>",
                "/FontDescriptor": descriptor.ref,
                "/DW": desc.missing_width,
                "/W": embedded.widths,
                "/CIDToGIDMap": cid_to_gid.ref,
            }
        )
        type0 = DictObject(
            lambda: {
                "/Type": "/Font",
                "/Subtype": "/Type0",
                "/BaseFont": name,
                "/Encoding": "/Identity-H",
                "/DescendantFonts": f"[{cid_font.ref}]",
                "/ToUnicode": to_unicode.ref,
            }
        )
        for obj in (type0, cid_font, to_unicode, descriptor, cid_to_gid, font_file):
            self._add_pdf_obj(obj, "fonts")
        return type0
