"""The editorial workspace (`builder workspace`): the book made by an office in a browser.

A Starlette application on uvicorn, run by an office's IT on one server. It reads and writes
the same content folder as the command line (models, pictures, review files), each write
whole and under the book's lock, and records every change as a git commit by its author.
Accounts (Argon2 hashes, roles) live in `<content>/.workspace/`, never in git.
"""
