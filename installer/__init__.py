"""Building the installers (PyInstaller one-folder build, .deb, Inno Setup, .dmg).

A package only so that the spec, the Linux scripts and the tests read the same names and
file lists from :mod:`installer.layout`; the application itself never imports it.
"""
