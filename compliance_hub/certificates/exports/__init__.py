"""Exports of the certificate table (CSV, XLSX) and the bulk ZIP of its certificates.

- ``services.begin_export``: the access rule, the row count, the Activity record;
- ``rows``: the rows for the filters; ``csv_export`` / ``xlsx_export`` write them, both
  streamed (on PostgreSQL the CSV is written by the database's ``COPY``);
- ``bulk``: the ZIP of PDFs with index.csv and README.txt, written by ``archive`` (stream-zip);
- ``safe.sql_neutralise``: ``core.text.spreadsheet_cell`` for cells PostgreSQL writes;
- ``filenames``: readable, unique member names and download names.

See docs/exports.md.
"""
