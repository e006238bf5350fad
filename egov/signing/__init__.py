"""Digital signatures: a PKCS#12 key per unit, PAdES signing and validation with pyHanko.

Start with ``services`` (``sign_pdf``, ``validate_pdf``, the key services) and ``README.md``.
"""
