"""Import and export of parks, enterprises and demands: CSV, XLSX and JSON Lines, Chinese or English headers."""

from matcher.io.exporter import export, render
from matcher.io.importer import ImportReport, check_file, import_file, import_records

__all__ = ["ImportReport", "check_file", "export", "import_file", "import_records", "render"]
