"""Digital signatures: a PKCS#12 key per unit, PAdES signing and validation with pyHanko."""
