"""Reading uploaded payment schedules (CSV or XLSX) into a plain table of text cells."""
