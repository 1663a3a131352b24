"""What happened to every row between the file and the dataset."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
        return sum(self.dropped.values())

    def merge(self, other: "ImportReport") -> None:
        self.rows_read += other.rows_read
        self.dropped.update(other.dropped)
        self.warnings.extend(other.warnings)
        self.detected.update(other.detected)

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
        out = [f"rows read: {self.rows_read}, dropped: {self.rows_dropped}"]
        out += [f"  dropped {n} ({reason})" for reason, n in sorted(self.dropped.items())]
        out += [f"  warning: {w}" for w in self.warnings]
        return out
