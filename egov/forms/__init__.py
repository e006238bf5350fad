"""The legal forms (Mẫu 01–06 of TT 01/2018, and successor sets) as editable templates rendered to PDF.

Entry points: ``rendering.render_pdf`` / ``render_pdf_for`` / ``render_html`` with a context dataclass
from ``contexts``; ``registers.register_xlsx`` / ``register_pdf`` for the tracking register; template
changes through ``services``. What each form needs is documented in ``CONTEXT.md``.
"""
