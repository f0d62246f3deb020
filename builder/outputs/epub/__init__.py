"""The EPUB 3 book."""
