"""Writers: each renders its own output document from a scan result, never the internal model as is."""

from hullscan.report.document import REPORT_SCHEMA, report_document

__all__ = ["REPORT_SCHEMA", "report_document"]
