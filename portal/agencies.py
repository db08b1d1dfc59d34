"""Importing the agency registry from CSV: idempotent, line-by-line, keeping the good lines."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import Agency, normalise_name

TRUE = {"1", "true", "yes", "y", "x"}
FALSE = {"", "0", "false", "no", "n"}
KIND_ALIASES = (
    {normalise_name(label): value for value, label in Agency.Kind.choices}
    | {normalise_name(value): value for value in Agency.Kind.values}
    | {
        "community based organization": Agency.Kind.CBO,
        "county office": Agency.Kind.COUNTY_OFFICE,
        "coe": Agency.Kind.COUNTY_OFFICE,
        "district": Agency.Kind.SCHOOL_DISTRICT,
        "cbo": Agency.Kind.CBO,
        "jail": Agency.Kind.CORRECTIONAL,
    }
)
FIELDS = ("name", "kind", "region", "consortium", "caep_funded", "cds_code", "email_domains", "active")
COMPARED = ("name", "kind", "region", "consortium", "caep_funded", "cds_code", "email_domains", "is_active")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.errors)} line(s) with problems"
        )


def _flag(value: str, column: str) -> bool:
    v = (value or "").strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"{column} must be yes or no, not {value!r}")


def _parse_row(row: dict[str, str]) -> dict:
    name = " ".join((row.get("name") or "").split())
    if not name:
        raise ValueError("name is empty")
    if len(name) > 200:
        raise ValueError("name is longer than 200 characters")
    kind_raw = normalise_name(row.get("kind") or "")
    kind = KIND_ALIASES.get(kind_raw)
    if not kind:
        raise ValueError(f"kind {row.get('kind')!r} is not one of: {', '.join(Agency.Kind.values)}")
    cds = "".join((row.get("cds_code") or "").split()).replace("-", "") or None
    if cds is not None and (len(cds) != 14 or not cds.isdigit()):
        raise ValueError(f"CDS code {row.get('cds_code')!r} must have exactly 14 digits")
    active = row.get("active")
    return {
        "name": name,
        "kind": kind,
        "region": (row.get("region") or "").strip()[:100],
        "consortium": (row.get("consortium") or "").strip()[:200],
        "caep_funded": _flag(row.get("caep_funded", ""), "caep_funded"),
        "cds_code": cds,
        "email_domains": " ".join((row.get("email_domains") or "").replace(",", " ").split())[:300],
        "is_active": True if active is None or not active.strip() else _flag(active, "active"),
    }


def _find(values: dict) -> Agency | None:
    if values["cds_code"]:
        found = Agency.objects.filter(cds_code=values["cds_code"]).first()
        if found:
            return found
    return Agency.objects.filter(normalised_name=normalise_name(values["name"]), kind=values["kind"]).first()


def import_agencies(text: str) -> ImportReport:
    """Create or update agencies from CSV text. Bad lines are reported by number and skipped."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    headers = {normalise_name(h).replace(" ", "_") for h in (reader.fieldnames or [])}
    missing = {"name", "kind"} - headers
    if missing:
        report.errors.append((1, f"the header row lacks the column(s): {', '.join(sorted(missing))}"))
        return report
    reader.fieldnames = [normalise_name(h).replace(" ", "_") for h in reader.fieldnames]
    for row in reader:
        line = reader.line_num
        try:
            values = _parse_row(row)
            with transaction.atomic():
                agency = _find(values)
                if agency is None:
                    agency = Agency(**values)
                    agency.full_clean(validate_unique=False)
                    agency.save()
                    report.created += 1
                    continue
                changed = [f for f in COMPARED if getattr(agency, f) != values[f]]
                if not changed:
                    report.unchanged += 1
                    continue
                for f in changed:
                    setattr(agency, f, values[f])
                agency.full_clean(validate_unique=False)
                agency.save()
                report.updated += 1
        except (ValueError, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            report.errors.append((line, message))
        except IntegrityError:
            report.errors.append((line, "another agency already has this CDS code or name and kind"))
    return report
