"""What editors send the workspace: pictures on a model's page (picture_uploads), Word
documents to import (word_uploads) and returned review copies with their comments
(comment_pages); this module gathers their routes for the application."""

from __future__ import annotations

from starlette.routing import BaseRoute

from builder.workspace import comment_pages, picture_uploads, word_uploads

routes: list[BaseRoute] = [
    *picture_uploads.routes,
    *word_uploads.routes,
    *comment_pages.routes,
]
