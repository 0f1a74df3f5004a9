"""The reconciliation report as CSV, XLSX and PDF, and the audit packet (ZIP) around them."""
