"""What a superseding certificate states differently: the two frozen snapshots compared, in
words a facility person reads ("End date: Mar 10, 2026 → Mar 20, 2026")."""

from __future__ import annotations

from datetime import date
from typing import Any

from compliance_hub.core.dates import human_date

# Single values a certificate states, by where the snapshot keeps them.
_FIELDS: tuple[tuple[str, tuple[str, str], bool], ...] = (
    ("Contractor", ("insured", "name"), False),
    ("Facility (certificate holder)", ("holder", "name"), False),
    ("Effective date", ("assignment", "effective_date"), True),
    ("End date", ("assignment", "end_date"), True),
    ("Description of work", ("assignment", "description"), False),
)
# Whole parts whose change is told in one line.
_PARTS: tuple[tuple[str, str], ...] = (
    ("insurers", "Insurers"),
    ("producer", "Producer (insurance broker) details"),
    ("representative", "Authorized representative"),
)


def _get(snapshot: dict[str, Any], path: tuple[str, str]) -> Any:
    section = snapshot.get(path[0])
    return section.get(path[1]) if isinstance(section, dict) else None


def _show(value: Any, is_date: bool) -> str:
    if value in (None, ""):
        return "(none)"
    if is_date:
        try:
            return human_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def _lines(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    lines = snapshot.get("coverages")
    if not isinstance(lines, list):
        return {}
    return {
        str(line.get("kind") or line.get("label")): line for line in lines if isinstance(line, dict)
    }


def differences(old: Any, new: Any) -> list[tuple[str, str, str]]:
    """``(what, before, after)`` for each value the new certificate states differently."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    found: list[tuple[str, str, str]] = []
    for label, path, is_date in _FIELDS:
        before, after = _get(old, path), _get(new, path)
        if before != after:
            found.append((label, _show(before, is_date), _show(after, is_date)))
    old_lines, new_lines = _lines(old), _lines(new)
    for kind in [*old_lines, *(k for k in new_lines if k not in old_lines)]:
        before_line, after_line = old_lines.get(kind), new_lines.get(kind)
        label = str((after_line or before_line or {}).get("label") or kind)
        if before_line is None:
            found.append((label, "(not stated)", "added"))
        elif after_line is None:
            found.append((label, "stated", "no longer stated"))
        else:
            found += _line_differences(label, before_line, after_line)
    for key, label in _PARTS:
        if old.get(key) != new.get(key):
            found.append((label, "changed", "see the new certificate"))
    return found


def _line_differences(
    label: str, before: dict[str, Any], after: dict[str, Any]
) -> list[tuple[str, str, str]]:
    found = []
    if before.get("policy_number") != after.get("policy_number"):
        found.append(
            (
                f"{label} policy number",
                _show(before.get("policy_number"), False),
                _show(after.get("policy_number"), False),
            )
        )
    for key, what in (("policy_effective", "policy start"), ("policy_expiry", "policy end")):
        if before.get(key) != after.get(key):
            found.append(
                (f"{label} {what}", _show(before.get(key), True), _show(after.get(key), True))
            )
    rest = {"policy_number", "policy_effective", "policy_expiry", "label"}
    if {k: v for k, v in before.items() if k not in rest} != {
        k: v for k, v in after.items() if k not in rest
    }:
        found.append((f"{label} limits or terms", "changed", "see the new certificate"))
    return found
