"""Office formats: XLSX and DOCX writers."""
