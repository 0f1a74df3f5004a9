"""Building schedules and reconciliations for audit tests."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

from openpyxl import Workbook

from compliance_hub.audits import services
from compliance_hub.audits.columns import guess_mapping
from compliance_hub.audits.models import Reconciliation
from compliance_hub.audits.schedule import read_schedule_rows


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], sheet_title: str = "Payments") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"


def workbook_parts(
    sheet_xml: str | bytes, shared: str | None = None, *, prefix: str = "x", date1904: bool = False
) -> dict[str, bytes]:
    """The parts of a one-sheet workbook written by hand: ``sheet_xml`` goes inside
    ``<sheetData>``, ``shared`` inside ``<sst>``; elements carry the namespace ``prefix``."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN}"'
    body = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
    flag = f'<{p}workbookPr date1904="1"/>' if date1904 else ""
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<{p}workbook {ns} xmlns:r="{_REL}">{flag}<{p}sheets>'
        f'<{p}sheet name="Data" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f"<{p}worksheet {ns}><{p}sheetData>".encode()
        + body
        + f"</{p}sheetData></{p}worksheet>".encode(),
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = f"<{p}sst {ns}>{shared}</{p}sst>"
    return {name: v.encode() if isinstance(v, str) else v for name, v in parts.items()}


def package(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """``parts`` zipped as a workbook file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def run_schedule(
    facility, person, rows: list[list[object]], *, include_unreadable: bool = False, data=None
) -> Reconciliation:
    """Upload ``rows`` as CSV and run them with the guessed mapping."""
    upload = services.keep_upload(facility, person, "schedule.csv", data or csv_bytes(rows))
    table = services.table_of(upload)
    return services.run(
        upload,
        guess_mapping(table.header),
        include_unreadable=include_unreadable,
        person=person,
    )


def read(data: bytes):
    """(table, schedule) of ``data`` with the guessed mapping."""
    from compliance_hub.audits.parsing.files import read_schedule

    table = read_schedule(data)
    return table, read_schedule_rows(table, guess_mapping(table.header))


def by_line(reconciliation: Reconciliation) -> dict[int, object]:
    return {row.line: row for row in reconciliation.rows.all()}


def d(text: str) -> date:
    return date.fromisoformat(text)


def upload_file(client, facility, data: bytes, name: str = "schedule.csv"):
    """POST ``data`` to the upload page; return the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(
        reverse("audits:upload", args=[facility.pk]),
        {"schedule": SimpleUploadedFile(name, data)},
    )


def form_data(response, **changes) -> dict[str, str]:
    """The mapping form's current values (as the page rendered them), with ``changes``."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "include_unreadable"}
    data = {k: "" if v is None else str(v) for k, v in data.items()}
    data.update({k: str(v) for k, v in changes.items()})
    return data
