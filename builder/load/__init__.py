"""Files → problems, or the immutable Book."""
