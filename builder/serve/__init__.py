"""`builder serve`: preview, rebuild on save, live reload."""
