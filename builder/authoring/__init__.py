"""Model files made: `builder new`, and Word documents imported."""
