"""Names of certificates inside the ZIP, and of the downloaded files."""

from datetime import date, datetime

from compliance_hub.certificates.exports.filenames import (
    UniqueNames,
    certificate_member,
    export_filename,
    slug,
)


def test_certificate_member_name_is_readable_ascii_last_name_first():
    name = certificate_member("José", "García", date(2026, 3, 1), date(2026, 3, 14), "CH-7K3M-9QXP")
    assert name == "Garcia-Jose_2026-03-01_2026-03-14_CH-7K3M-9QXP.pdf"


def test_slug_drops_accents_and_punctuation_and_keeps_non_latin_names():
    assert slug("Zoë O'Neil", "x") == "Zoe-ONeil"
    assert slug("Łukasz  Ó Súilleabháin", "x") == "Lukasz-O-Suilleabhain"
    assert slug("王 芳", "x") == "王-芳"
    assert slug("=cmd|'/C calc'!A0", "x") == "cmd-C-calc-A0"
    assert slug("../../etc", "x") == "etc"
    assert slug("", "fallback") == "fallback"
    assert len(slug("A" * 300, "x")) == 60


def test_repeated_names_get_a_number_ignoring_case():
    names = UniqueNames()
    assert names.claim("Lee-Ann_2025.pdf") == "Lee-Ann_2025.pdf"
    assert names.claim("Lee-Ann_2025.pdf") == "Lee-Ann_2025-2.pdf"
    assert names.claim("LEE-ANN_2025.PDF") == "LEE-ANN_2025-3.PDF"
    assert names.claim("Lee-Ann_2025-2.pdf") == "Lee-Ann_2025-2-2.pdf"
    assert names.claim("README") == "README"
    assert names.claim("README") == "README-2"


def test_export_filename():
    moment = datetime(2026, 3, 4, 23, 59)
    assert export_filename("St. Mary's Hospital", "assignments", moment, "csv") == (
        "St-Marys-Hospital_assignments_2026-03-04.csv"
    )
    assert export_filename("医院", "certificates", moment, "zip") == (
        "facility_certificates_2026-03-04.zip"
    )
