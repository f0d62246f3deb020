"""How a model names its field, its district and its commune: the forms front matter accepts
and `builder new` accepts alike (an id or a name in any case; a place with or without
“huyện”, “thành phố”, “xã”…)."""

from __future__ import annotations

from builder.book.model import Commune, District, FieldOfWork
from builder.book.vietnamese import bare_place_name


def field_named(fields: tuple[FieldOfWork, ...], value: str) -> FieldOfWork | None:
    """The field whose id or name (any case) is `value`."""
    wanted = value.casefold()
    return next((known for known in fields if wanted in (known.id, known.name.casefold())), None)


def district_named(districts: tuple[District, ...], name: str) -> District | None:
    """The district `name` names, whole or without its kind; None when none or several do."""
    wanted = name.strip().casefold()
    exact = [d for d in districts if d.name.casefold() == wanted]
    bare = [d for d in districts if bare_place_name(d.name) == bare_place_name(name)]
    matches = exact or bare
    return matches[0] if len(matches) == 1 else None


def commune_named(district: District, name: str) -> Commune | None:
    """The commune of `district` that `name` names, with or without its kind."""
    wanted = bare_place_name(name)
    return next((c for c in district.communes if bare_place_name(c.name) == wanted), None)
