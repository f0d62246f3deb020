"""The PDF laid out: units, parallel layout, pagination, figures."""
