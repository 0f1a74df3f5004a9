"""What an uploaded schedule may be, and how much of the hub it may use.

Every refusal names the limit and the file's own figure (docs/audits.md lists them all).
"""

from __future__ import annotations

MB = 1024 * 1024

# The file.
MAX_BYTES = 20 * MB
MAX_ROWS = 50_000  # payment rows below the header
MAX_COLUMNS = 64  # columns read; cells further right are ignored
MAX_CELLS = 2_000_000  # cells in the file (a sheet's used area; a CSV's fields)
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_RECORD_CHARS = 1_000_000  # one CSV row, with the lines of a quoted cell spanning several

# The XLSX package, checked from the ZIP's central directory before anything is unpacked.
MAX_MEMBERS = 1_000  # parts in the package
MAX_UNPACKED_BYTES = 200 * MB  # all parts together
MAX_RATIO = 100  # unpacked/packed size of a part; Excel's parts stay below 20
RATIO_CHECKED_FROM = 1 * MB  # parts smaller than this unpacked are harmless at any ratio
MAX_SHARED_STRINGS = 1_000_000  # as the workbook declares them (uniqueCount)

# The child process that reads a workbook.
PARSE_SECONDS = 5
PARSE_MEMORY = 1024 * MB

# Uploads waiting to be run (not yet reconciled, discarded or expired), and upload rate.
PENDING_PER_PERSON = 5
PENDING_BYTES_PER_PERSON = 60 * MB
PENDING_PER_FACILITY = 20
PENDING_BYTES_PER_FACILITY = 200 * MB
UPLOADS_PER_HOUR = 20  # per person, refused uploads included
