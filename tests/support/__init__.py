"""What several test folders share: small tables and files, a stored shop, the
window driven by a test, and the repository root."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
