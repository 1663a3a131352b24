"""Before Qt loads its X11 plugin, missing system libraries are named with the line that
installs them, instead of Qt aborting with a message that names none."""
from __future__ import annotations

import main
from ui import system_libraries
from ui.system_libraries import XCB_LIBRARIES, missing_packages, uses_xcb


def test_the_x11_plugin_is_expected_on_linux_unless_another_is_asked_for():
    assert uses_xcb({}, "linux", frozen=False)
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux", frozen=False)
    assert not uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux", frozen=False)
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0"}, "linux", frozen=False)
    assert uses_xcb({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "linux",
                    frozen=False)
    assert not uses_xcb({}, "win32", frozen=False)
    assert not uses_xcb({}, "linux", frozen=True)  # the installed build carries its own


def test_missing_libraries_are_named_by_their_packages():
    assert missing_packages(lambda name: f"lib{name}.so") == []
    assert missing_packages(lambda name: None if name == "xcb-cursor" else "x") == [
        "libxcb-cursor0"]
    assert set(XCB_LIBRARIES.values()) == {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"}


def test_the_window_does_not_start_without_them_and_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(system_libraries, "uses_xcb", lambda: True)
    monkeypatch.setattr(system_libraries, "missing_packages",
                        lambda: ["libxcb-icccm4", "libxcb-cursor0"])
    assert main.run([]) == 1
    err = capsys.readouterr().err
    assert "libxcb-icccm4, libxcb-cursor0" in err
    assert "sudo apt-get install libxcb-icccm4 libxcb-cursor0" in err
