"""Any result's tables as Parquet files or one Excel workbook.

Results expose their tables as ``{name: DataFrame}`` (``result.tables()``); these
helpers write them. Parquet keeps dtypes (dates, integers, NaN) for pandas, R and
Power BI; the Excel workbook (openpyxl) is what a partner opens on a shared drive.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from flowsim.outputs import atomic_write_bytes

#: Excel's limit on sheet-name length.
_SHEET_MAX = 31


def write_parquet_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table to ``<folder>/<name>.parquet`` (folder created if needed).

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Table name to table; empty tables are written too (with their columns).
    folder : str or Path
        Target folder.

    Returns
    -------
    list of Path
        The files written, in table order.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, df in tables.items():
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        path = folder / f"{name}.parquet"
        atomic_write_bytes(path, buf.getvalue())
        out.append(path)
    return out


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the control characters Excel cannot store removed from its text.

    A scenario name may hold any character (names are data; folders are made safe
    elsewhere), but an ``.xlsx`` cell refuses NUL and the other C0 controls.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if not text:
        return df
    out = df.copy()
    for c in text:
        out[c] = out[c].map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    return out


def write_excel_tables(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write the tables to one Excel workbook, one sheet per table.

    Sheet names are the table names cut to Excel's 31 characters; a table longer than
    Excel's 1,048,575 data rows is cut and says so in a ``notes`` sheet.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Sheet name to table.
    path : str or Path
        Target ``.xlsx`` file.

    Returns
    -------
    Path
        The workbook written.
    """
    path = Path(path)
    limit = 1_048_575
    notes = []
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in tables.items():
            sheet = name[:_SHEET_MAX]
            if len(df) > limit:
                notes.append(f"{sheet}: first {limit:,} of {len(df):,} rows; see the Parquet file")
                df = df.iloc[:limit]
            _excel_safe(df).to_excel(xl, sheet_name=sheet, index=False)
        if notes:
            pd.DataFrame({"note": notes}).to_excel(xl, sheet_name="notes", index=False)
    atomic_write_bytes(path, buf.getvalue())
    return path


class TablesExport:
    """Parquet and Excel export for a result whose ``tables()`` returns named tables."""

    def tables(self) -> dict[str, pd.DataFrame]:  # pragma: no cover - each result defines it
        raise NotImplementedError

    def to_parquet(self, folder: str | Path) -> list[Path]:
        """Write each table of :meth:`tables` as ``<folder>/<name>.parquet``."""
        return write_parquet_tables(self.tables(), folder)

    def to_excel(self, path: str | Path) -> Path:
        """Write the tables of :meth:`tables` to one Excel workbook, a sheet each."""
        return write_excel_tables(self.tables(), path)
