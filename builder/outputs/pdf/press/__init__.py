"""Only for the press: colours, marks, cover, barcode, preflight."""
