"""The builder command (Click): parses, prompts, prints; nothing imports it."""
