"""The coi-v2 renderer (issue 23): what an auditor used to ACORD 25 looks for, on one page,
in extractable text, clean in qpdf and in three independent renderers."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from compliance_hub.certificates.pdf import render
from compliance_hub.core.text import BIDI_CONTROLS
from tests import needs
from tests.certificates.samples import EN_DASH, document, flat, snapshot, snapshot_v2, text_of


def v2_text(**changes: object) -> str:
    return flat(text_of(render("coi-v2", document(snapshot_v2(**changes)))))


def test_assignment_dates_labelled_as_its_coverage_period_policy_term_beside_the_number():
    data = render("coi-v2", document(snapshot_v2()))
    text = flat(text_of(data))
    assert f"COVERAGE PERIOD OF THIS ASSIGNMENT 03/01/2026 {EN_DASH} 03/05/2026" in text
    assert "ASSIGNMENT COVERAGE FROM (MM/DD/YYYY) ASSIGNMENT COVERAGE TO" in text
    assert "POLICY NUMBER AND POLICY TERM" in text
    # each policy's own term directly below its number, in the same cell
    assert "GL-2026-0042871 Term 01/01/2026 to 01/01/2027" in text
    assert "OA-771203 Term 07/01/2025 to 07/01/2026" in text
    assert "WC-55-1029 Term 02/15/2026 to 02/15/2027" in text
    # the table rows carry the assignment's dates, the band and the description say so
    assert text.count("03/01/2026 03/05/2026") == 3
    assert "March 1, 2026 through March 5, 2026" in text


def test_a_line_without_a_term_shows_only_its_number():
    snap = snapshot_v2()
    snap["coverages"][1].update(policy_effective=None, policy_expiry=None)
    text = flat(text_of(render("coi-v2", document(snap))))
    assert "OA-771203 03/01/2026" in text
    assert "Term 07/01/2025" not in text


def test_the_insured_is_a_participant_under_the_program_policy():
    text = v2_text()
    assert "The insured named above is covered as a participant under the program policies" in text
    assert "many insureds share a policy number" in text
    assert (
        "José Nguyễn is covered as a participant under the program policies of "
        "ShiftWise Staffing, Inc." in text
    )


def test_the_holder_is_named_as_additional_insured_and_subrogation_waived_in_its_favour():
    text = v2_text()
    assert (
        "Additional insured: St. Łukasz Memorial Hospital is an additional insured under the "
        "commercial general liability (GL-2026-0042871) policy" in text
    )
    assert (
        "Waiver of subrogation: the insurer waives its right of subrogation in favour of "
        "St. Łukasz Memorial Hospital under the commercial general liability (GL-2026-0042871) "
        "and workers' compensation (WC-55-1029) policies" in text
    )


def test_no_additional_insured_or_waiver_sentence_where_no_line_provides_it():
    snap = snapshot_v2()
    for line in snap["coverages"]:
        line.update(additional_insured=False, subrogation_waived=False)
    text = flat(text_of(render("coi-v2", document(snap))))
    assert "Additional insured:" not in text
    assert "Waiver of subrogation:" not in text


def test_occurrence_or_claims_made_and_what_the_general_aggregate_applies_per():
    text = v2_text()
    gl = "COMMERCIAL GENERAL LIABILITY Occurrence basis General aggregate applies per project"
    assert gl in text
    snap = snapshot_v2()
    snap["coverages"][0].update(basis="Claims-made", aggregate_applies_per="Location")
    text = flat(text_of(render("coi-v2", document(snap))))
    assert "Claims-made basis General aggregate applies per location" in text


def test_workers_compensation_and_employers_liability_section():
    text = v2_text()
    assert "WORKERS' COMPENSATION AND EMPLOYERS' LIABILITY" in text
    assert "Limits: per statute" in text
    assert "Proprietor / partner excluded: N" in text
    assert "E.L. each accident $1,000,000" in text
    assert "E.L. disease, each employee $500,000" in text
    assert "E.L. disease, policy limit $2,000,000" in text
    snap = snapshot_v2()
    snap["coverages"][2]["workers_compensation"].update(limits="Other", proprietor_excluded=True)
    text = flat(text_of(render("coi-v2", document(snap))))
    assert "Limits: other" in text and "partner excluded: Y" in text


def test_no_workers_compensation_section_without_that_line():
    snap = snapshot_v2()
    snap["coverages"] = snap["coverages"][:2]
    text = flat(text_of(render("coi-v2", document(snap))))
    assert "EMPLOYERS' LIABILITY" not in text
    assert "E.L." not in text and "excluded:" not in text


def test_authorized_representative_signs_electronically():
    text = v2_text()
    assert "AUTHORIZED REPRESENTATIVE /s/ Zoë Ångström-Ruiz" in text
    assert "Zoë Ångström-Ruiz, Senior Account Executive" in text
    assert (
        "Signed electronically for Harbor & Vale Insurance Brokers LLC on the date of issue" in text
    )


def test_without_a_named_representative_the_producer_signs():
    text = v2_text(representative={"name": "", "title": ""})
    assert "/s/" not in text
    assert "Authorized representative of Harbor & Vale Insurance Brokers LLC" in text
    assert "Signed electronically for Harbor & Vale Insurance Brokers LLC" in text


NAMES = [
    "José García",
    "Zoë Brennan",
    "Nguyễn Thị Thảo",
    "Łukasz Kowalczyk",
    "Siobhán Ó Súilleabháin",
]


@pytest.mark.parametrize("name", NAMES)
def test_accented_names_survive_everywhere(name):
    text = v2_text(
        insured={"name": name},
        holder={"name": f"Clínica {name}"},
        representative={"name": name, "title": "Directrice générale"},
    )
    assert f"{name} is covered as a participant" in text
    assert f"Additional insured: Clínica {name} is an additional insured" in text
    assert f"/s/ {name}" in text and f"{name}, Directrice générale" in text


def test_verification_qr_link_and_code_as_in_coi_v1():
    data = render("coi-v2", document(snapshot_v2()))
    reader = PdfReader(io.BytesIO(data))
    uris = {a.get_object()["/A"]["/URI"] for a in reader.pages[0]["/Annots"]}
    assert uris == {"https://hub.example.com/v/CH-7K3M-9QXP/4D9P2X7KQM/"}
    text = flat(text_of(data))
    assert "VERIFICATION CODE 4D9P2-X7KQM" in text
    assert "hub.example.com/v/CH-7K3M-9QXP/4D9P2X7KQM" in text
    assert "form coi-v2" in text
    assert reader.metadata.creator == "Compliance Hub (coi-v2)"


def test_same_document_same_bytes_and_different_from_coi_v1():
    first = render("coi-v2", document(snapshot_v2()))
    assert render("coi-v2", document(snapshot_v2())) == first
    assert render("coi-v1", document(snapshot_v2())) != first


def test_a_snapshot_taken_before_coi_v2_still_renders():
    """Keys added by coi-v2 are optional: an older snapshot states what it has."""
    text = flat(text_of(render("coi-v2", document(snapshot()))))
    assert "GL-2026-0042871" in text and "Term" not in text
    assert "Authorized representative of Harbor & Vale Insurance Brokers LLC" in text


def test_eight_coverage_lines_with_every_detail_and_long_names_still_fit_one_page():
    snap = snapshot_v2(
        insured={"name": "Maria-Guadalupe Anastasia Wilhelmina Nguyễn-Ó Súilleabháin de la Cruz"},
        holder={
            "name": "The Regional Medical Center and Rehabilitation Hospital of the Greater "
            "Columbus Metropolitan Area — North Campus Annex Building C"
        },
        assignment={"description": ("Travel registered nurse covering ICU shifts. " * 12)[:500]},
        representative={"name": "Bartholomew " * 12, "title": "Vice-President " * 12},
    )
    general, _, wc = snap["coverages"]
    snap["coverages"] = [
        {**(wc if i % 3 == 0 else general), "policy_number": f"POLICY-{i:02d}-{'X' * 12}"}
        for i in range(8)
    ]
    text = flat(text_of(render("coi-v2", document(snap))))  # asserts exactly one page
    for line in snap["coverages"]:
        assert line["policy_number"] in text
    assert "could not be shown" not in text
    assert "VERIFY THIS CERTIFICATE" in text and "Page 1 of 1" in text
    # with many lines, the sentences point at the table's columns instead of naming each
    assert "policies marked Y in the ADDL INSD column above" in text
    assert "policies marked Y in the SUBR WVD column above" in text


def test_an_absurd_number_of_coverage_lines_is_cut_with_a_note_not_a_second_page():
    snap = snapshot_v2()
    snap["coverages"] = [
        {**snap["coverages"][i % 3], "policy_number": f"P-{i:03d}"} for i in range(60)
    ]
    text = flat(text_of(render("coi-v2", document(snap))))  # asserts exactly one page
    assert "P-000" in text
    assert "further coverage line(s) of this program could not be shown" in text


def test_no_bidi_control_reaches_the_page():
    evil = "Ann\u202eLee"
    data = render(
        "coi-v2",
        document(snapshot_v2(representative={"name": evil, "title": evil}, holder={"name": evil})),
    )
    assert BIDI_CONTROLS.isdisjoint(text_of(data))


# --- other readers -----------------------------------------------------------------------

# Debian's mupdf is built without colour management and says so on every page it draws,
# whatever the file; any other message is about the file.
MUPDF_BUILD_NOTICE = "warning: ICC support is not available"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        needs.missing(name, f"apt-get install {package}")
    return path


@pytest.fixture(scope="module")
def certificate_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("coi-v2") / "certificate.pdf"
    path.write_bytes(render("coi-v2", document(snapshot_v2())))
    return path


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def test_qpdf_finds_no_error(certificate_file):
    out = _run(_tool("qpdf", "qpdf"), "--check", str(certificate_file))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No syntax or stream encoding errors found" in out.stdout
    assert "WARNING" not in (out.stdout + out.stderr).upper()


def _one_png(directory: Path) -> None:
    pngs = list(directory.glob("*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 20_000  # a drawn page, not blank


def test_poppler_renders_without_messages(certificate_file, tmp_path):
    out = _run(
        _tool("pdftoppm", "poppler-utils"),
        "-r",
        "72",
        "-png",
        str(certificate_file),
        str(tmp_path / "page"),
    )
    assert out.returncode == 0 and out.stdout + out.stderr == "", out.stderr
    _one_png(tmp_path)


def test_mupdf_renders_without_messages(certificate_file, tmp_path):
    out = _run(
        _tool("mutool", "mupdf-tools"),
        "draw",
        "-q",
        "-r",
        "72",
        "-o",
        str(tmp_path / "page.png"),
        str(certificate_file),
    )
    messages = [m for m in (out.stdout + out.stderr).splitlines() if m != MUPDF_BUILD_NOTICE]
    assert out.returncode == 0 and messages == [], messages
    _one_png(tmp_path)
    text = _run("mutool", "draw", "-q", "-F", "txt", "-o", "-", str(certificate_file)).stdout
    assert "Zoë Ångström-Ruiz" in text and "José Nguyễn" in text


def test_ghostscript_renders_without_messages(certificate_file, tmp_path):
    out = _run(
        _tool("gs", "ghostscript"),
        "-q",
        "-dSAFER",
        "-dBATCH",
        "-dNOPAUSE",
        "-sDEVICE=png16m",
        "-r72",
        "-o",
        str(tmp_path / "page.png"),
        str(certificate_file),
    )
    assert out.returncode == 0 and out.stdout + out.stderr == "", out.stdout + out.stderr
    _one_png(tmp_path)


@pytest.mark.parametrize("lines", [3, 60])
def test_finding_the_density_without_drawing_gives_the_same_page(monkeypatch, lines):
    """coi-v2 measures each density without drawing and draws once; the page is the one
    drawing every density (as coi-v1 does) would give."""
    from compliance_hub.certificates.pdf.coi_v2.page import Page

    snap = snapshot_v2()
    snap["coverages"] = [
        {**snap["coverages"][i % 3], "policy_number": f"P-{i:03d}"} for i in range(lines)
    ]
    measured = render("coi-v2", document(snap))
    monkeypatch.setattr(Page, "measure_first", False)
    assert render("coi-v2", document(snap)) == measured
