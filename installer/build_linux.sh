#!/usr/bin/env bash
# The whole Linux build in one command (see installer/README.md):
#   1. PyInstaller one-folder build   -> dist/interest-fusion-studio/
#   2. .deb with dpkg-deb             -> dist/interest-fusion-studio_<version>-1_<arch>.deb
#   3. install it into a temporary root, start it (time to first window, screenshot),
#      --selftest the installed copy, remove it -> bench/results/installer.json and
#      docs/screenshots/installed_first_window.png
# Needs the venv with the installer extra (pip install -e '.[installer]'), dpkg-deb,
# readelf (binutils) and, for the screenshot, Xvfb. PYTHON picks another interpreter;
# DEB_COMPRESSION / DEB_LEVEL override the .deb compression (e.g. zstd 9 for a quick
# local build: 27 s instead of 9 min, 486 MB instead of 439 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
for tool in dpkg-deb readelf; do
    command -v "$tool" >/dev/null || { echo "build_linux.sh: $tool is missing" >&2; exit 1; }
done
"$PYTHON" -c "import PyInstaller" 2>/dev/null || {
    echo "build_linux.sh: PyInstaller is missing: $PYTHON -m pip install -e '.[installer]'" >&2
    exit 1; }

started=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath dist \
    --workpath build/pyinstaller installer/interest-fusion-studio.spec
built=$(date +%s)
deb=$("$PYTHON" installer/linux/make_deb.py ${DEB_COMPRESSION:+--compression "$DEB_COMPRESSION"} \
      ${DEB_LEVEL:+--level "$DEB_LEVEL"} | tail -n 1)
packed=$(date +%s)
echo "build: PyInstaller $((built - started)) s, .deb $((packed - built)) s: $deb"
"$PYTHON" installer/linux/check_install.py "$deb" \
    --pyinstaller-seconds "$((built - started))" --deb-seconds "$((packed - built))"
echo "build_linux.sh finished in $(( $(date +%s) - started )) s"
