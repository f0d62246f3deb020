"""The review round: the book's status and the final edition."""
