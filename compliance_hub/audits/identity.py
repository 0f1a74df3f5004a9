"""Who a payment row is about: contractor id, then e-mail, then a robust name match.

Names are compared on folded tokens (case, accents, punctuation and extra spaces do not
matter; hyphens split names, apostrophes vanish). Three levels, strictest first; the first
level with any hit decides:

1. the same tokens in any order (``Jane Doe`` = ``Doe, Jane`` = ``DOE  jane``);
2. the same letters when the tokens are run together (``Smith-Jones`` = ``SmithJones``);
3. the first given name with one of the family names, ignoring middle names and
   initials (``Jane M. Doe`` = ``Doe, Jane`` = ``Jane Marie Doe``).

More than one contractor at the deciding level makes the row ambiguous.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from compliance_hub.certificates.names import fold

_SPLIT = re.compile(r"[\-\u2010-\u2015_./]+")

BY_ID = "contractor id"
BY_EMAIL = "e-mail"
BY_NAME = "name"
BY_NAME_JOINED = "name (spacing/hyphens differ)"
BY_NAME_LOOSE = "name (middle names ignored)"


def tokens(text: str) -> list[str]:
    """Folded name tokens: ``"Zoë O'Neil-Smith"`` -> ``["zoe", "oneil", "smith"]``."""
    return fold(_SPLIT.sub(" ", text or "")).split()


def _given(parts: list[str]) -> str:
    """The first given name: the first token that is not a lone initial."""
    for part in parts:
        if len(part) > 1:
            return part
    return parts[0] if parts else ""


@dataclass(frozen=True)
class Person:
    """A contractor known at the facility, as matching needs it."""

    id: int
    first_name: str
    last_name: str
    email: str
    external_id: str

    @property
    def label(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def contractor_keys(first: str, last: str) -> tuple[set[str], set[str], set[str]]:
    """The three levels of keys a contractor is indexed under."""
    given, family = tokens(first), tokens(last)
    everything = given + family
    if not everything:
        return set(), set(), set()
    exact = {" ".join(sorted(everything))}
    joined = {"".join(given + family), "".join(family + given)}
    first_given = _given(given)
    loose = {f"{first_given}|{f}" for f in family} if first_given else set()
    return exact, joined, loose


def written_keys(name: str) -> tuple[set[str], set[str], set[str]]:
    """The keys a name as written in the schedule is looked up with."""
    if "," in name:
        last_part, _, first_part = name.partition(",")
        given, family = tokens(first_part), tokens(last_part)
        everything = given + family
        if not everything:
            return set(), set(), set()
        exact = {" ".join(sorted(everything))}
        joined = {"".join(given + family)}
        first_given = _given(given)
        loose = {f"{first_given}|{f}" for f in family} if first_given and family else set()
        return exact, joined, loose
    parts = tokens(name)
    if not parts:
        return set(), set(), set()
    exact = {" ".join(sorted(parts))}
    joined = {"".join(parts)}
    loose = set()
    if len(parts) >= 2:
        # "First [Middle…] Last": the first given name with any later token;
        # "Last First [Middle…]" (no comma): the last-but-middle token with the first.
        first_given = _given(parts)
        loose |= {f"{first_given}|{p}" for p in parts[parts.index(first_given) + 1 :]}
        loose |= {f"{p}|{parts[0]}" for p in parts[1:] if len(p) > 1}
    return exact, joined, loose


@dataclass
class Resolution:
    """The contractor(s) a row may be about, how that was decided, and remarks."""

    people: list[Person]
    how: str = ""
    remarks: list[str] = field(default_factory=list)


class IdentityIndex:
    """Lookup tables over the facility's contractors, built once per reconciliation."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people: dict[int, Person] = {}
        self.by_id: dict[str, list[int]] = defaultdict(list)
        self.by_email: dict[str, list[int]] = defaultdict(list)
        self.levels: tuple[dict[str, set[int]], ...] = (
            defaultdict(set),
            defaultdict(set),
            defaultdict(set),
        )
        for person in people:
            self.people[person.id] = person
            if person.external_id:
                self.by_id[person.external_id.strip().casefold()].append(person.id)
            if person.email:
                self.by_email[person.email.strip().casefold()].append(person.id)
            for level, keys in zip(
                self.levels, contractor_keys(person.first_name, person.last_name), strict=True
            ):
                for key in keys:
                    level[key].add(person.id)
        self._name_cache: dict[str, tuple[list[int], str]] = {}

    def by_name(self, name: str) -> tuple[list[int], str]:
        """Contractor ids matching ``name`` at the strictest level with a hit, and the level."""
        cached = self._name_cache.get(name)
        if cached is not None:
            return cached
        result: tuple[list[int], str] = ([], "")
        for level, keys, how in zip(
            self.levels, written_keys(name), (BY_NAME, BY_NAME_JOINED, BY_NAME_LOOSE), strict=True
        ):
            hits: set[int] = set()
            for key in keys:
                hits |= level.get(key, set())
            if hits:
                result = (sorted(hits), how)
                break
        self._name_cache[name] = result
        return result

    def resolve(self, name: str, email: str, contractor_id: str) -> Resolution:
        """Who the row is about. A known contractor id wins, then a known e-mail, then the name."""
        remarks: list[str] = []
        for value, table, how, what in (
            (contractor_id, self.by_id, BY_ID, "Contractor id"),
            (email, self.by_email, BY_EMAIL, "E-mail"),
        ):
            if not value:
                continue
            ids = table.get(value.strip().casefold(), [])
            if ids:
                people = [self.people[i] for i in ids]
                if name and len(people) == 1 and not self._same_name(name, people[0]):
                    remarks.append(
                        f"The name in the file (“{name}”) differs from the contractor's name "
                        f"on record (“{people[0].label}”); the {how} decided."
                    )
                return Resolution(people, how, remarks)
            remarks.append(f"{what} “{value}” is not known at this facility.")
        if not name:
            return Resolution([], "", remarks)
        ids, how = self.by_name(name)
        return Resolution([self.people[i] for i in ids], how, remarks)

    def _same_name(self, name: str, person: Person) -> bool:
        ids, _how = self.by_name(name)
        return person.id in ids


def decision_key(name: str, email: str, contractor_id: str) -> tuple[str, str, str]:
    """What a manual decision is remembered by: the written name (folded tokens, so case,
    accents and spacing do not matter), e-mail and contractor id."""
    return (
        " ".join(tokens(name))[:300],
        (email or "").strip().casefold()[:300],
        (contractor_id or "").strip().casefold()[:300],
    )


@dataclass(frozen=True)
class Suggestion:
    """A contractor a row might be about, and why the hub thinks so."""

    person: Person
    reason: str
    score: float


SIMILAR = 0.78  # difflib ratio from which two names count as similar
MAX_SUGGESTIONS = 3
_LOCAL_SPLIT = re.compile(r"[._\-+0-9]+")


def _ratio(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


class Suggester:
    """Suggestions ("did you mean Lisa Turner?") for names nobody matched, among the given
    contractors only (the facility's). Candidates share a token's first two letters (or
    initial) with the written name, so a page of rows stays quick with many contractors."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people: dict[int, tuple[Person, list[str], list[str]]] = {}
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        self.by_email: dict[str, list[int]] = defaultdict(list)
        self._cache: dict[tuple[str, str], list[Suggestion]] = {}
        for person in people:
            given, family = tokens(person.first_name), tokens(person.last_name)
            if not given + family:
                continue
            self.people[person.id] = (person, given, family)
            for token in given + family:
                self.by_prefix[token[:2]].add(person.id)
            for token in given[:1] + family[-1:]:
                self.by_prefix[token[:1]].add(person.id)
            if person.email:
                self.by_email[person.email.strip().casefold()].append(person.id)

    def _candidates(self, parts: list[str]) -> set[int]:
        found: set[int] = set()
        for part in parts:
            found |= self.by_prefix.get(part[:2], set())
        return found

    def suggest(self, name: str, email: str = "") -> list[Suggestion]:
        """Up to ``MAX_SUGGESTIONS`` contractors, best first."""
        key = (name, email)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        best: dict[int, Suggestion] = {}

        def offer(person_id: int, reason: str, score: float) -> None:
            held = best.get(person_id)
            if held is None or held.score < score:
                best[person_id] = Suggestion(self.people[person_id][0], reason, score)

        written = tokens(name.replace(",", " "))
        if "," in name:  # "Last, First": compare as "First Last"
            last_part, _, first_part = name.partition(",")
            written = tokens(first_part) + tokens(last_part)
        local = (email or "").strip().casefold().partition("@")[0]
        from_email = [p for p in _LOCAL_SPLIT.split(local) if p]
        if email:
            for person_id in self.by_email.get(email.strip().casefold(), []):
                offer(person_id, "same e-mail address", 1.0)
        for parts, via_email in ((written, False), (from_email, True)):
            if not parts:
                continue
            text = " ".join(parts)
            joined = "".join(parts)
            for person_id in self._candidates(parts) | self._initial_candidates(parts):
                _person, given, family = self.people[person_id]
                straight = " ".join(given + family)
                swapped = " ".join(family + given)
                score, reason = _ratio(text, straight), "similar name"
                swapped_score = _ratio(text, swapped)
                if swapped_score > score and swapped_score >= SIMILAR and len(parts) > 1:
                    score, reason = swapped_score, "first and last name swapped"
                initials = _initials_match(parts, given, family)
                if initials and initials > score:
                    score, reason = initials, "initials"
                if via_email:
                    joined_score = max(
                        _ratio(joined, "".join(given + family)),
                        _ratio(joined, "".join(family + given)),
                        _ratio(joined, (given[0][:1] if given else "") + "".join(family)),
                    )
                    score = max(score, joined_score)
                    reason = "e-mail address"
                if score >= SIMILAR:
                    offer(person_id, reason, score - (0.01 if via_email else 0.0))
        ranked = sorted(best.values(), key=lambda s: (-s.score, s.person.label, s.person.id))
        result = ranked[:MAX_SUGGESTIONS]
        if len(self._cache) < 10_000:
            self._cache[key] = result
        return result

    def _initial_candidates(self, parts: list[str]) -> set[int]:
        """Contractors a lone initial (``L Turner``, ``LT``) could stand for."""
        found: set[int] = set()
        if len(parts) == 1 and 2 <= len(parts[0]) <= 3:
            found |= self.by_prefix.get(parts[0][:1], set())
        return found


def _initials_match(parts: list[str], given: list[str], family: list[str]) -> float:
    """0.9 for an initial and a (similar) family or given name, e.g. ``L. Turner`` /
    ``Turner L``; 0.8 for initials alone, e.g. ``LT``; else 0."""
    if not given or not family:
        return 0.0
    first_initial, last_initial = given[0][0], family[-1][0]
    initials = [p for p in parts if len(p) == 1]
    words = [p for p in parts if len(p) > 1]
    if initials and words:
        initial_ok = first_initial in initials or last_initial in initials
        for word in words:
            if initial_ok and any(
                word == f or _ratio(word, f) >= 0.85
                for f in (family if first_initial in initials else given)
            ):
                return 0.9
    if len(parts) == 1 and parts[0] in (first_initial + last_initial, last_initial + first_initial):
        return 0.8
    return 0.0
