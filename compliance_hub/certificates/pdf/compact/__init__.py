"""Hand-written parts of certificate rendering that the libraries cannot replace: why, and how
they are checked against those libraries, is in README.md beside this file.

- ``qr``: QR encoder (checked module for module against ``qrcode``);
- ``sfnt``: TrueType subsetter (subsets read back by fontTools, glyph for glyph);
- ``fonts``: the bundled faces, parsed once, their embeddings cached per character set;
- ``producer``: the fpdf2 output producer that embeds those cached fonts.
"""
