"""What every output reads besides the model: Markdown, templates, fonts."""
