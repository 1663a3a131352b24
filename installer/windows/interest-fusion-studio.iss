; Inno Setup script: turns the PyInstaller one-folder build into a setup .exe.
;
; Build on Windows, in PowerShell at the repository root (see installer/README.md):
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\interest-fusion-studio.spec
;   iscc "/DAppVersion=$(python -c 'from installer.layout import version; print(version())')" installer\windows\interest-fusion-studio.iss
; -> dist\interest-fusion-studio-<version>-setup.exe
;
; The names below must match installer/layout.py (APP_ID, WINDOWS_CLI_NAME, APP_NAME);
; tests/test_installer_layout.py checks that they do.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z ...
#endif
#define AppName "Interest Fusion Studio"
#define AppId "interest-fusion-studio"
#define AppExeName "interest-fusion-studio.exe"
#define AppCliName "interest-fusion-studio-cli.exe"

[Setup]
; A fixed GUID-like id: upgrades replace the installed version instead of adding one.
AppId={{6C0E2A52-3B0D-4F7E-9C51-5A4B8E1F2D93}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default (no administrator rights needed); the dialog offers all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename={#AppId}-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
; torch and the models are large: the best LZMA2 setting keeps the setup small.
Compression=lzma2/max
SolidCompression=yes
LZMAUseSeparateProcess=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder build: both executables and _internal\ (Python, Qt, torch, models, demo data).
Source: "..\..\dist\{#AppId}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{group}\{#AppName} self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#AppCliName}"" --selftest"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Nothing is written into {app} at run time (settings, data and cache live in the user's
; folders and are kept); this only catches a folder left empty by the uninstaller.
Type: dirifempty; Name: "{app}"
