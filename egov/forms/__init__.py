"""The legal forms (Mẫu 01–06 of TT 01/2018, and successor sets) as editable templates rendered to PDF."""
