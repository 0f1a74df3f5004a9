"""The coi-v1 renderer: what a certificate states, on one page, in real embedded text."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from compliance_hub.certificates.pdf import UnknownTemplate, render
from compliance_hub.core.text import BIDI_CONTROLS
from tests.certificates.samples import document, flat, sha256, snapshot, text_of

ROOT = Path(__file__).resolve().parents[2]


def test_states_the_insured_holder_policies_and_assignment_dates():
    text = flat(text_of(render("coi-v1", document())))
    assert "CERTIFICATE OF LIABILITY INSURANCE" in text
    assert "ISSUED AS A MATTER OF INFORMATION ONLY AND CONFERS NO RIGHTS UPON THE" in text
    assert "CH-7K3M-9QXP" in text
    assert "José Nguyễn" in text
    assert "St. Łukasz Memorial Hospital" in text
    assert "GL-2026-0042871" in text and "OA-771203" in text
    # effective and end dates of this assignment, in the table and in words
    assert text.count("03/01/2026") >= 3  # issue date + each coverage line
    assert text.count("03/05/2026") >= 2
    assert "March 1, 2026 through March 5, 2026" in text
    assert "Registered nurse, night shift, medical-surgical unit" in text


def test_states_producer_insurers_limits_flags_holder_address_and_cancellation():
    text = flat(text_of(render("coi-v1", document())))
    assert "Harbor & Vale Insurance Brokers LLC" in text
    assert "220 Market Street, Suite 400" in text
    assert "Renée Okafor" in text and "+1 (614) 555-0142" in text
    assert "certificates@harborvale.example" in text
    assert "Granite Mutual Insurance Company" in text and "24512" in text
    assert "Northfield Casualty Co." in text and "10345" in text
    assert "$1,000,000" in text and "$3,000,000" in text and "$250,000" in text
    assert "COMMERCIAL GENERAL LIABILITY" in text
    assert "14 Elm Court" in text  # insured address
    assert "1 Main St" in text  # holder address
    assert "Should any of the policies described above be cancelled" in text
    assert "4D9P2-X7KQM" in text  # verification code as printed
    assert "hub.example.com/v/CH-7K3M-9QXP/4D9P2X7KQM" in text
    assert "hub.example.com/verify" in text


def test_additional_insured_and_waiver_flags_per_line():
    one_line = snapshot()
    one_line["coverages"] = one_line["coverages"][:1]
    lines = text_of(render("coi-v1", document(one_line))).splitlines()
    row = next(line for line in lines if "GL-2026-0042871" in line)
    assert "Y Y" in row  # additional insured, subrogation waived
    other = snapshot()
    other["coverages"] = other["coverages"][1:]
    lines = text_of(render("coi-v1", document(other))).splitlines()
    row = next(line for line in lines if "OA-771203" in line)
    assert "N N" in row


@pytest.mark.parametrize(
    "name",
    ["José García", "Zoë Brennan", "Nguyễn Thị Thảo", "Łukasz Kowalczyk", "Siobhán Ó Súilleabháin"],
)
def test_accents_survive_in_the_text(name):
    text = flat(text_of(render("coi-v1", document(snapshot(insured={"name": name})))))
    assert name in text


def test_decomposed_accents_are_composed_before_drawing():
    decomposed = "Zoe\u0308 Nguye\u0302\u0303n"  # e + combining diaeresis, etc.
    text = flat(text_of(render("coi-v1", document(snapshot(insured={"name": decomposed})))))
    assert "Zoë Nguyễn" in text


def test_characters_without_a_glyph_do_not_break_the_document():
    text = flat(text_of(render("coi-v1", document(snapshot(insured={"name": "Mei 王芳"})))))
    assert "Mei ??" in text


def test_text_is_drawn_with_the_embedded_dejavu_font():
    reader = PdfReader(io.BytesIO(render("coi-v1", document())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 2
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0"
        assert "DejaVuSans" in font["/BaseFont"]
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 1000  # embedded
        assert "/ToUnicode" in font


def test_same_certificate_renders_to_identical_bytes():
    first = render("coi-v1", document())
    assert render("coi-v1", document()) == first
    # a different certificate is a different file
    assert render("coi-v1", document(number="CH-0000-0001")) != first


def test_identical_bytes_in_another_process_with_another_hash_seed():
    script = (
        "import hashlib, sys; from compliance_hub.certificates.pdf import render;"
        "from tests.certificates.samples import document;"
        "sys.stdout.write(hashlib.sha256(render('coi-v1', document())).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout == sha256(render("coi-v1", document()))


def test_creation_date_is_the_issue_time_and_metadata_names_the_certificate():
    reader = PdfReader(io.BytesIO(render("coi-v1", document())))
    assert reader.metadata["/CreationDate"].startswith("D:20260301140500")
    assert "CH-7K3M-9QXP" in reader.metadata["/Title"]


def test_verification_address_is_a_link_on_the_page():
    reader = PdfReader(io.BytesIO(render("coi-v1", document())))
    uris = {a.get_object()["/A"]["/URI"] for a in reader.pages[0]["/Annots"]}
    assert uris == {"https://hub.example.com/v/CH-7K3M-9QXP/4D9P2X7KQM/"}


def test_long_names_description_and_many_coverage_lines_still_fit_one_page():
    snap = snapshot(
        insured={"name": "Maria-Guadalupe Anastasia Wilhelmina Nguyễn-Ó Súilleabháin de la Cruz"},
        holder={
            "name": "The Regional Medical Center and Rehabilitation Hospital of the Greater "
            "Columbus Metropolitan Area — North Campus Annex Building C"
        },
        assignment={
            "description": (
                "Travel registered nurse covering intensive care, "
                "step-down and emergency shifts. " * 10
            )[:500]
        },
    )
    lines = []
    for i in range(12):
        lines.append(
            {
                "kind": "general_liability",
                "label": "Commercial general liability",
                "insurer": "A",
                "policy_number": f"POLICY-{i:02d}-{'X' * 12}",
                "limits": [
                    ["Each occurrence", 1_000_000],
                    ["General aggregate", 3_000_000],
                    ["Damage to rented premises (each occurrence)", 100_000],
                    ["Products \u2013 completed operations aggregate", 3_000_000],
                ],
                "additional_insured": True,
                "subrogation_waived": False,
            }
        )
    snap["coverages"] = lines
    data = render("coi-v1", document(snap))
    text = flat(text_of(data))  # asserts exactly one page
    for line in lines:
        assert line["policy_number"] in text
    assert "Maria-Guadalupe Anastasia Wilhelmina Nguyễn-Ó Súilleabháin de la Cruz" in text
    assert "North Campus Annex" in text
    assert "could not be shown" not in text


def test_an_absurd_number_of_coverage_lines_is_cut_with_a_note_not_a_second_page():
    snap = snapshot()
    snap["coverages"] = [
        {
            **snap["coverages"][0],
            "policy_number": f"P-{i:03d}",
            "limits": [[f"Limit {j}", 1000 * j] for j in range(1, 7)],
        }
        for i in range(60)
    ]
    text = flat(text_of(render("coi-v1", document(snap))))
    assert "P-000" in text
    assert "further coverage line(s) of this program could not be shown" in text


def test_no_coverage_in_the_program_is_stated_plainly():
    text = flat(text_of(render("coi-v1", document(snapshot(coverages=[])))))
    assert "No coverage was in force" in text


def test_unknown_template_version_is_refused():
    with pytest.raises(UnknownTemplate):
        render("coi-v0", document())


TEXT = st.text(
    alphabet=st.sampled_from([*sorted(BIDI_CONTROLS), *"Ann Lee-Smith =+@\u00e9\u1ec5.exe"]),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(name=TEXT, holder=TEXT, description=TEXT)
def test_no_bidi_control_reaches_the_page_or_the_document_properties(name, holder, description):
    """A name that reads backwards (``Smith\\u202eFDP.exe``) would be shown reordered by a
    viewer: neither the page nor the properties a viewer shows (title, subject) carry one."""
    snap = snapshot(
        insured={"name": name}, holder={"name": holder}, assignment={"description": description}
    )
    reader = PdfReader(io.BytesIO(render("coi-v1", document(snap))))
    shown = [reader.pages[0].extract_text(), reader.metadata.title, reader.metadata.subject]
    for text in shown:
        assert BIDI_CONTROLS.isdisjoint(text), ascii(text)
