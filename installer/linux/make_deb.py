"""Pack the PyInstaller one-folder build into a .deb with dpkg-deb.

    python installer/linux/make_deb.py [--dist dist/interest-fusion-studio] [--out dist]
                                       [--compression xz] [--level 6]

The package installs the build under /opt/interest-fusion-studio, links the command
into /usr/bin, and adds the desktop entry and the icon to the applications menu. Every
installed file belongs to the package, so ``apt remove`` takes all of it away; the
application itself writes only into the user's own folders (settings, data, cache),
which a package removal leaves alone, as Debian policy asks. The menu and icon caches
are refreshed by the desktop's dpkg triggers, so no maintainer scripts are needed.

Dependencies: PyInstaller bundles every library except the C library, OpenGL/EGL and
the X connection library, which must come from the system that draws the window;
:func:`system_depends` reads what the bundled binaries link against and fails the build
when a library outside :data:`SONAME_PACKAGES` appears (a new torch or Qt may need one).
The C library version is the highest ``GLIBC_x.y`` any bundled binary asks for: a build
runs on the distribution it was built on and newer ones. Qt's X11 plugin also needs the
X libraries of :data:`ui.system_libraries.XCB_LIBRARIES` (bundled when the build machine
has them, which a build must not rely on), so the package depends on them too.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from installer import layout  # noqa: E402
from ui.system_libraries import XCB_LIBRARIES  # noqa: E402

#: Libraries taken from the system, by soname, and the Debian package that has them.
#: None: the C library itself (libc6, with a version from the binaries).
SONAME_PACKAGES: dict[str, str | None] = {
    "libc.so.6": None, "libm.so.6": None, "libdl.so.2": None, "libpthread.so.0": None,
    "librt.so.1": None, "libresolv.so.2": None, "ld-linux-x86-64.so.2": None,
    "ld-linux-aarch64.so.1": None,
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libxcb.so.1": "libxcb1",
}
#: Used only by Qt plugins that load when the session has them (Wayland, KMS/EGLFS):
#: recommended, not required; without them Qt uses X11 (XWayland on a Wayland desktop).
OPTIONAL_SONAMES: dict[str, str] = {
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libdrm.so.2": "libdrm2",
}
SUMMARY = "Recommendation workbench: long- and short-term interests fused per user"
DESCRIPTION = """\
 Interest Fusion Studio models every user's long-term interests (the whole
 history) and short-term interests (the last few actions) from a log of user
 behaviour and an item catalogue, fuses them per user, explains each list with
 a local language model and measures everything. It runs entirely offline:
 the text encoder (all-MiniLM-L6-v2), the explanation model
 (SmolLM2-135M-Instruct) and a demo shop are included."""
COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Interest Fusion Studio

Files: *
License: MIT
Comment: The bundled components (Qt 6 and PySide6 under the LGPL v3, PyTorch,
 transformers, all-MiniLM-L6-v2, SmolLM2-135M-Instruct and others) keep their own
 licences; Help > About in the application lists them.
"""


def elf_files(folder: Path) -> list[Path]:
    """Every ELF binary under ``folder`` (by its magic bytes, not its name)."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _readelf(path: Path, option: str) -> str:
    return subprocess.run(["readelf", option, "--wide", str(path)], capture_output=True,
                          text=True, check=False).stdout


def system_depends(folder: Path) -> tuple[str, str]:
    """``Depends`` and ``Recommends`` of the build in ``folder``; see the module notes."""
    if shutil.which("readelf") is None:
        raise SystemExit("readelf is needed to find the system libraries (apt-get install "
                         "binutils)")
    binaries = elf_files(folder)
    bundled = {p.name for p in folder.rglob("*")}
    needed: dict[str, Path] = {}
    glibc = (2, 0)
    for path in binaries:
        for name in re.findall(r"\(NEEDED\).*\[(.+?)\]", _readelf(path, "-d")):
            if name not in bundled:
                needed.setdefault(name, path)
        for major, minor in re.findall(r"Name: GLIBC_(\d+)\.(\d+)", _readelf(path, "-V")):
            glibc = max(glibc, (int(major), int(minor)))
    unknown = {n: p for n, p in needed.items()
               if n not in SONAME_PACKAGES and n not in OPTIONAL_SONAMES}
    if unknown:
        lines = "\n".join(f"  {name} (needed by {path.relative_to(folder)})"
                          for name, path in sorted(unknown.items()))
        raise SystemExit("the build needs system libraries that make_deb.py does not map "
                         f"to a Debian package; add them to SONAME_PACKAGES:\n{lines}")
    depends = [f"libc6 (>= {glibc[0]}.{glibc[1]})"] + sorted(
        {SONAME_PACKAGES[n] for n in needed if SONAME_PACKAGES.get(n)}
        | set(XCB_LIBRARIES.values()))
    recommends = sorted({OPTIONAL_SONAMES[n] for n in needed if n in OPTIONAL_SONAMES})
    return ", ".join(depends), ", ".join(recommends)


def _architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _size_kib(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*")) // 1024 + 1


def stage(dist: Path, staging: Path, icons: Path) -> dict[str, str]:
    """Lay out the package's files under ``staging``; the control fields."""
    if not (dist / layout.APP_ID).is_file():
        raise SystemExit(f"no build in {dist}: run pyinstaller on "
                         "installer/interest-fusion-studio.spec first")
    if staging.exists():
        shutil.rmtree(staging)
    app = staging / layout.INSTALL_DIR.lstrip("/")
    shutil.copytree(dist, app, symlinks=True)
    link = staging / layout.COMMAND_LINK.lstrip("/")
    link.parent.mkdir(parents=True)
    link.symlink_to(os.path.relpath(app / layout.APP_ID, link.parent))
    desktop = staging / layout.DESKTOP_FILE.lstrip("/")
    desktop.parent.mkdir(parents=True)
    shutil.copy2(layout.DESKTOP_TEMPLATE, desktop)
    for source, target in ((layout.APP_ICON_SVG, layout.ICON_SVG),
                           (icons / "app.png", layout.ICON_PNG)):
        if not source.is_file():
            raise SystemExit(f"missing icon {source}: the spec renders it (installer/icons.py)")
        (staging / target.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, staging / target.lstrip("/"))
    doc = staging / "usr" / "share" / "doc" / layout.APP_ID
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT, encoding="utf-8")
    for path in [staging, *staging.rglob("*")]:  # root-owned on install: 755 / 644
        if not path.is_symlink():
            executable = path.is_dir() or os.access(path, os.X_OK)
            path.chmod(0o755 if executable else 0o644)
    depends, recommends = system_depends(app)
    fields = {
        "Package": layout.APP_ID,
        "Version": f"{layout.version()}-1",
        "Architecture": _architecture(),
        "Maintainer": layout.MAINTAINER,
        "Installed-Size": str(_size_kib(staging)),
        "Depends": depends,
        "Recommends": recommends,
        "Section": "science",
        "Priority": "optional",
        "Description": f"{SUMMARY}\n{DESCRIPTION}",
    }
    control = staging / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text("".join(f"{k}: {v}\n" for k, v in fields.items() if v),
                       encoding="utf-8")
    return fields


def build(staging: Path, out: Path, fields: dict[str, str], compression: str,
          level: int) -> Path:
    """Run dpkg-deb; the .deb's path."""
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{fields['Package']}_{fields['Version']}_{fields['Architecture']}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", f"-z{level}",
                    "--build", str(staging), str(deb)], check=True, stdout=sys.stderr)
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=layout.ROOT / "dist" / layout.APP_ID,
                        help="the PyInstaller one-folder build")
    parser.add_argument("--out", type=Path, default=layout.ROOT / "dist",
                        help="folder for the .deb (default dist)")
    parser.add_argument("--staging", type=Path, default=layout.ROOT / "build" / "deb",
                        help="scratch folder for the package tree (replaced)")
    parser.add_argument("--icons", type=Path, default=layout.ROOT / "build" / "icons",
                        help="where the spec rendered app.png")
    parser.add_argument("--compression", default=layout.DEB_COMPRESSION,
                        choices=["xz", "zstd", "gzip", "none"])
    parser.add_argument("--level", type=int, default=layout.DEB_LEVEL)
    args = parser.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb is needed (apt-get install dpkg)")
    started = time.perf_counter()
    fields = stage(args.dist, args.staging, args.icons)
    deb = build(args.staging, args.out, fields, args.compression, args.level)
    print(f"{deb.name}: {deb.stat().st_size / 1e6:.0f} MB ({args.compression} "
          f"-{args.level}), installs {int(fields['Installed-Size']) * 1024 / 1e6:.0f} MB; "
          f"Depends: {fields['Depends']} ({time.perf_counter() - started:.0f} s)",
          file=sys.stderr)
    print(deb)  # the one line on stdout: build_linux.sh reads the path from it
    return 0


if __name__ == "__main__":
    sys.exit(main())
