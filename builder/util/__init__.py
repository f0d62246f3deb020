"""Infrastructure: paths, messages, problems, files, caches, the process pool."""
