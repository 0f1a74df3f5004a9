"""Who a payment is about: ids and e-mails win; names match robustly; several hits are ambiguous."""

import pytest

from compliance_hub.audits.identity import (
    BY_EMAIL,
    BY_ID,
    BY_NAME,
    BY_NAME_JOINED,
    BY_NAME_LOOSE,
    IdentityIndex,
    Person,
)

JANE = Person(1, "Jane", "Doe", "jane@example.com", "C-1")
ZOE = Person(2, "Zoë", "O'Neil-Smith", "", "C-2")
JOSE = Person(3, "José Luis", "García López", "", "C-3")
MARY = Person(4, "Mary Ann", "Van der Berg", "", "C-4")
PEOPLE = [JANE, ZOE, JOSE, MARY]


@pytest.fixture
def index():
    return IdentityIndex(PEOPLE)


@pytest.mark.parametrize(
    ("written", "who", "how"),
    [
        ("Jane Doe", JANE, BY_NAME),
        ("  JANE   doe ", JANE, BY_NAME),
        ("Doe, Jane", JANE, BY_NAME),
        ("Doe Jane", JANE, BY_NAME),
        ("Jane M. Doe", JANE, BY_NAME_LOOSE),
        ("Doe, Jane Marie", JANE, BY_NAME_LOOSE),
        ("Zoe ONeil Smith", ZOE, BY_NAME),
        ("zoë o’neil-smith", ZOE, BY_NAME),  # noqa: RUF001 - a typographic apostrophe
        ("O'Neil-Smith, Zoe", ZOE, BY_NAME),
        ("Zoe ONeilSmith", ZOE, BY_NAME_JOINED),
        ("Jose Luis Garcia Lopez", JOSE, BY_NAME),
        ("García López, José Luis", JOSE, BY_NAME),
        ("Jose Garcia", JOSE, BY_NAME_LOOSE),
        ("Jose Lopez", JOSE, BY_NAME_LOOSE),
        ("Mary Ann van der Berg", MARY, BY_NAME),
        ("Mary VanderBerg", None, ""),
        ("J. Doe", None, ""),
        ("Janet Doe", None, ""),
    ],
)
def test_names(index, written, who, how):
    found = index.resolve(written, "", "")
    assert found.people == ([who] if who else [])
    assert found.how == how


def test_contractor_id_wins_over_a_different_name(index):
    found = index.resolve("Zoë O'Neil-Smith", "", "c-1")
    assert (found.people, found.how) == ([JANE], BY_ID)
    assert found.remarks == [
        "The name in the file (“Zoë O'Neil-Smith”) differs from the contractor's name on "
        "record (“Jane Doe”); the contractor id decided."
    ]


def test_email_wins_over_the_name(index):
    found = index.resolve("Zoe O'Neil-Smith", "JANE@example.com ", "")
    assert (found.people, found.how) == ([JANE], BY_EMAIL)


def test_unknown_email_falls_back_to_the_name_and_says_so(index):
    found = index.resolve("Jane Doe", "someone@else.com", "")
    assert (found.people, found.how) == ([JANE], BY_NAME)
    assert found.remarks == ["E-mail “someone@else.com” is not known at this facility."]


def test_same_name_twice_is_ambiguous():
    twin = Person(9, "Jane", "Doe", "jane.doe2@example.com", "C-9")
    index = IdentityIndex([JANE, twin])
    assert index.resolve("Doe, Jane", "", "").people == [JANE, twin]
    # ... and the e-mail tells them apart.
    assert index.resolve("Jane Doe", "jane.doe2@example.com", "").people == [twin]


def test_a_strict_match_beats_a_loose_one():
    middle = Person(10, "Jane Marie", "Doe", "", "C-10")
    index = IdentityIndex([JANE, middle])
    assert index.resolve("Jane Doe", "", "").people == [JANE]
    assert index.resolve("Jane Marie Doe", "", "").people == [middle]
    # Only the middle initial: both are possible.
    assert index.resolve("Jane M. Doe", "", "").people == [JANE, middle]
