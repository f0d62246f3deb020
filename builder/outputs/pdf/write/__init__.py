"""The PDF written: screen file, tags, joins, structure, fonts."""
