"""An .xlsx workbook read as a stream of rows, nothing of it loaded whole.

openpyxl's parsers do the reading, but not its workbook loader: even in read-only mode that
reads every shared text first and, for a sheet that does not state its size, parses the
whole sheet to find it before the first row is given (a 113 KB workbook of two million
cells held a worker for minutes). Here the shared texts are counted as they are read, each
sheet's rows come one by one as the XML is parsed, and only the cells the file holds are
given (no padding to a stated size), so that the caller can stop at its limits.

Built on openpyxl 3.1 (pinned): ExcelReader's manifest and workbook parts, its stylesheet,
and WorkSheetParser, the row parser its read-only worksheets use.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

TEXT_TAG = f"{{{SHEET_MAIN_NS}}}si"


class TooManyTexts(Exception):
    """The workbook's table of shared texts holds more than the caller allows."""


@dataclass(frozen=True)
class SheetEntry:
    title: str
    state: str  # visible, hidden or veryHidden
    path: str  # the sheet's part in the package


@dataclass(frozen=True, slots=True)
class RawCell:
    row: int
    column: int
    value: Any
    data_type: str  # n, s, b, d, e (an error value), f (a formula)
    style_id: int


class Workbook:
    """An open .xlsx: its worksheets (in order, chart sheets left out) and their rows."""

    def __init__(self, content: bytes, *, most_texts: int) -> None:
        self._reader = ExcelReader(
            io.BytesIO(content), read_only=True, keep_vba=False, data_only=False, keep_links=False
        )
        try:
            self._reader.read_manifest()
            self._texts = _shared_texts(self._reader, most_texts)
            self._reader.read_workbook()
            apply_stylesheet(self._reader.archive, self._reader.wb)
            self.sheets = [
                SheetEntry(str(sheet.name), str(sheet.state or "visible"), rel.target)
                for sheet, rel in self._reader.parser.find_sheets()
                if rel.target in self._reader.valid_files and "chartsheet" not in rel.Type
            ]
        except BaseException:
            self.close()
            raise

    def rows(self, sheet: SheetEntry) -> Iterator[tuple[int, list[RawCell]]]:
        """(row number, the cells the file holds in it), row by row as they are parsed."""
        book = self._reader.wb
        with self._reader.archive.open(sheet.path) as source:
            parser = WorkSheetParser(
                source,
                self._texts,
                data_only=False,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, cells in parser.parse():
                yield (
                    int(number),
                    [
                        RawCell(
                            int(cell["row"]),
                            int(cell["column"]),
                            cell["value"],
                            str(cell["data_type"]),
                            int(cell["style_id"] or 0),
                        )
                        for cell in cells
                    ],
                )

    def number_format(self, style_id: int) -> str:
        """The number format a cell's style gives it ("0.0%", "General")."""
        book = self._reader.wb
        try:
            format_id = book._cell_styles[style_id].numFmtId
        except IndexError:
            return "General"
        if format_id < BUILTIN_FORMATS_MAX_SIZE:
            return str(BUILTIN_FORMATS.get(format_id, "General"))
        try:
            return str(book._number_formats[format_id - BUILTIN_FORMATS_MAX_SIZE])
        except IndexError:
            return "General"

    def close(self) -> None:
        self._reader.archive.close()


def _shared_texts(reader: ExcelReader, most: int) -> list[str]:
    """The shared texts, as openpyxl reads them (read_string_table), counted as they come."""
    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return []
    texts: list[str] = []
    with reader.archive.open(part.PartName[1:]) as source:
        for _, node in iterparse(source):
            if node.tag == TEXT_TAG:
                texts.append(Text.from_tree(node).content.replace("x005F_", ""))
                node.clear()
                if len(texts) > most:
                    raise TooManyTexts(most)
    return texts
