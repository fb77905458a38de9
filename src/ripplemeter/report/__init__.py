"""Presentation of evaluation results: report.html, metrics.json, CSV/XLSX exports."""

from ripplemeter.report.html import ReportPaths, write_report

__all__ = ["ReportPaths", "write_report"]
