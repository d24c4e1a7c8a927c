"""Safe writes: a temporary file beside the target, renamed into place.

A crash or Ctrl-C mid-write leaves the old file (or nothing) where the output goes,
never half a file, and nothing is replaced unless the caller asked to overwrite.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from geoplan.errors import InputError, OutputExistsError, OutputPathError
from geoplan.schema import CSV_DIALECTS, CsvDialect

#: Files SQLite (GeoPackage) and GDAL may leave beside a file being written.
_SIDECARS = ("-journal", "-wal", "-shm", ".aux.xml")


def check_writable(path: str | os.PathLike[str], overwrite: bool) -> Path:
    """Return ``path`` as a Path, or raise if it cannot be written as a file.

    Checked before any work, so that a long run does not fail at its last step:
    ``path`` must not be a folder, no folder above it may be a regular file, and the
    nearest existing folder must be writable.

    Parameters
    ----------
    path : str or path
        The file about to be written.
    overwrite : bool
        Allow replacing an existing file; when False an existing file raises
        :class:`~geoplan.errors.OutputExistsError`.

    Raises
    ------
    OutputPathError
        ``path`` is a folder, lies under a regular file, or its folder is not writable.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputPathError(
            f"{target}: is a folder, but a file is written here; "
            f"give a file name (e.g. {target / ('output' + (target.suffix or '.html'))})"
        )
    if target.exists() and not overwrite:
        raise OutputExistsError(f"{target}: already exists; pass --overwrite to replace it")
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(
            f"{folder}: is a file, but {target} needs it to be a folder; "
            "choose another --out or move the file away"
        )
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(
            f"{folder}: no permission to write there (for {target}); choose another --out"
        )
    return target


def remove_partial(tmp: Path) -> None:
    """Delete a temporary file and the journals SQLite or GDAL left beside it."""
    for name in ("", *_SIDECARS):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{tmp}{name}").unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    The temporary file sits beside ``path`` (same folder, created if missing) and is
    removed on failure.

    Parameters
    ----------
    path : str or path
        The file to write.
    overwrite : bool
        Allow replacing an existing file (checked before and again after writing).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("a,b\\n1,2\\n")
    >>> out.read_text()
    'a,b\\n1,2\\n'
    """
    target = check_writable(path, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        if not overwrite and target.exists():  # appeared while we were writing
            raise OutputExistsError(f"{target}: already exists; pass --overwrite to replace it")
        os.replace(tmp, target)
    finally:
        remove_partial(tmp)


def write_text_atomic(path: str | os.PathLike[str], text: str, overwrite: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through :func:`atomic_path`.

    Parameters
    ----------
    path : str or path
        The file to write.
    text : str
        The content.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path, overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def check_csv_dialect(dialect: str) -> CsvDialect:
    """Return ``dialect`` if it is one of :data:`~geoplan.schema.CSV_DIALECTS`, else raise.

    Parameters
    ----------
    dialect : str
        ``"plain"`` or ``"vi-excel"``.

    Raises
    ------
    InputError
        Naming the dialects there are.
    """
    if dialect not in CSV_DIALECTS:
        raise InputError(
            f"unknown CSV dialect {dialect!r}; choose one of {', '.join(CSV_DIALECTS)}"
        )
    return dialect


def write_table_csv(
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    overwrite: bool = False,
    dialect: CsvDialect = "plain",
) -> Path:
    """Write ``table`` as UTF-8 CSV with a BOM (so Excel shows Vietnamese names right).

    Parameters
    ----------
    table : the rows to write (its index is not written)
    path : the CSV file, written through :func:`atomic_path`
    overwrite : replace an existing file
    dialect : ``"plain"`` (``,`` between fields, decimal point) or ``"vi-excel"``
        (``;`` between fields, decimal comma: what Excel with Vietnamese regional
        settings reads as numbers)

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_table_csv(pd.DataFrame({"a": [0.5], "b": ["Bắc"]}), out, dialect="vi-excel")
    >>> out.read_bytes().decode("utf-8")
    '\\ufeffa;b\\n0,5;Bắc\\n'
    """
    check_csv_dialect(dialect)
    options = {"sep": ";", "decimal": ","} if dialect == "vi-excel" else {}
    with atomic_path(path, overwrite) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n", **options)
    return Path(path)
