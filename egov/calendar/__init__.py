"""Working calendar: sessions, days off, make-up days, and the deadline arithmetic."""
