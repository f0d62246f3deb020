"""The PDF: the screen edition and the print package."""
