"""Outputs staged and swapped into output/; where to write; deploy."""
