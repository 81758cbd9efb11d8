"""Session notes: one SOAP note per appointment, written as a draft, signed, then locked (docs/notes.md)."""
