"""The workspace's accounts: names, roles and Argon2 password hashes in one file of the book.

The file is `<content>/.workspace/accounts.json` (mode 0600, the folder kept out of git by
`history.py`), written whole under the book's lock. A role says what its holder may do:
`xem` reads and previews, `bien-tap-vien` also edits, imports and uploads comments,
`truong-ban` also approves, builds the final edition, publishes and makes accounts.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from builder.util.files import book_lock, write_whole
from builder.util.i18n import N_

FOLDER = ".workspace"
FILE = "accounts.json"
READER, EDITOR, CHIEF = "xem", "bien-tap-vien", "truong-ban"
ROLES = (READER, EDITOR, CHIEF)
ROLE_LABELS = {READER: N_("reader"), EDITOR: N_("desk editor"), CHIEF: N_("chief editor")}
RANK = {READER: 0, EDITOR: 1, CHIEF: 2}
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
SHORTEST_PASSWORD = 10
_HASHER = PasswordHasher()
# Checking a name nobody has costs a hash too, so a guesser cannot tell names by the time.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message says why, translated."""


@dataclass(frozen=True, slots=True)
class Account:
    name: str  # the login, e.g. "lan.nguyen"
    full_name: str  # what git and the pages show, e.g. "Nguyễn Thị Lan"
    role: str
    password_hash: str

    def may(self, role: str) -> bool:
        """Whether this account has `role`'s rights (a chief editor has an editor's too)."""
        return RANK[self.role] >= RANK[role]


def workspace_folder(content: Path) -> Path:
    return content / FOLDER


def accounts_path(content: Path) -> Path:
    return workspace_folder(content) / FILE


def read_accounts(content: Path) -> dict[str, Account]:
    path = accounts_path(content)
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Account(name, item.get("full_name", name), item["role"], item["hash"])
        for name, item in data.get("accounts", {}).items()
        if item.get("role") in ROLES
    }


def add_account(content: Path, name: str, full_name: str, role: str, password: str) -> Account:
    """A new account written into the accounts file; AccountError when it cannot be."""
    from builder.util.i18n import _

    if not NAME.match(name):
        raise AccountError(
            _("a login is 2–40 small letters without accents, digits, “.”, “-” or “_”")
        )
    if role not in ROLES:
        raise AccountError(_("a role is one of {roles}").format(roles=", ".join(ROLES)))
    if len(password) < SHORTEST_PASSWORD:
        raise AccountError(
            _("a password has at least {count} characters").format(count=SHORTEST_PASSWORD)
        )
    account = Account(name, full_name.strip() or name, role, _HASHER.hash(password))
    folder = workspace_folder(content)
    folder.mkdir(mode=0o700, exist_ok=True)
    with book_lock(content):
        accounts = read_accounts(content)
        if name in accounts:
            raise AccountError(_("the login {name} is taken").format(name=name))
        accounts[name] = account
        _write(content, accounts)
    return account


def verified(content: Path, name: str, password: str) -> Account | None:
    """The account when `password` is its password, else None (in the same time either way)."""
    account = read_accounts(content).get(name)
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return account


def new_password() -> str:
    """A password to give a new user: 16 letters and digits, easy to type, hard to guess."""
    alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _write(content: Path, accounts: dict[str, Account]) -> None:
    data = {
        "accounts": {
            a.name: {"full_name": a.full_name, "role": a.role, "hash": a.password_hash}
            for a in accounts.values()
        }
    }
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_whole(accounts_path(content), text, mode=0o600)
