"""A file's text and front matter checked: what is valid but wrong."""
