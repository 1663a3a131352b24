"""What happened to every row between the file and the dataset."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

CATALOGUE = "catalogue: "
"""Prefix of the drop reasons of catalogue rows, which are not interaction rows."""


@dataclass
class ImportReport:
    """Counts of rows read, kept and dropped (by reason), plus warnings and the guesses made.

    One report follows the data through import and preprocessing, so the user sees in one
    place why the dataset has fewer rows than the file.
    """

    rows_read: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    detected: dict[str, object] = field(default_factory=dict)

    def drop(self, reason: str, count: int) -> None:
        if count:
            self.dropped[reason] += int(count)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def rows_dropped(self) -> int:
        """Interaction rows dropped, so that ``rows_read - rows_dropped`` rows are kept."""
        return sum(n for reason, n in self.dropped.items() if not reason.startswith(CATALOGUE))

    @property
    def catalogue_rows_dropped(self) -> int:
        """Catalogue rows dropped (duplicate or missing item id), counted apart."""
        return sum(n for reason, n in self.dropped.items() if reason.startswith(CATALOGUE))

    def merge(self, other: ImportReport) -> None:
        self.rows_read += other.rows_read
        self.dropped.update(other.dropped)
        self.warnings.extend(other.warnings)
        self.detected.update(other.detected)

    def merge_catalogue(self, other: ImportReport) -> None:
        """Add a catalogue's drops and warnings to this report of interactions.

        The drops are labelled ``catalogue: <reason>`` so that every consumer of
        ``dropped`` shows them as catalogue rows, and they stay out of ``rows_read`` and
        ``rows_dropped``, which count interaction rows. What was detected in the
        catalogue (its delimiter, its roles) would overwrite the interactions' and is
        left out.
        """
        for reason, n in other.dropped.items():
            self.drop(f"{CATALOGUE}{reason}", n)
        self.warnings.extend(other.warnings)

    def to_dict(self) -> dict[str, object]:
        return {
            "rows_read": self.rows_read,
            "rows_dropped": self.rows_dropped,
            "dropped": dict(self.dropped),
            "warnings": list(self.warnings),
            "detected": {k: v for k, v in self.detected.items()},
        }

    def lines(self) -> list[str]:
        """Human-readable summary for the command line and the GUI."""
        drops = sorted(self.dropped.items(), key=lambda d: (d[0].startswith(CATALOGUE), d[0]))
        out = [f"rows read: {self.rows_read}, dropped: {self.rows_dropped}"]
        if self.catalogue_rows_dropped:
            out[0] += f" (and {self.catalogue_rows_dropped} catalogue rows)"
        out += [f"  dropped {n} ({reason})" for reason, n in drops]
        out += [f"  warning: {w}" for w in self.warnings]
        return out
