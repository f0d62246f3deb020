"""Every failure the user can act on, in one hierarchy (as Sphinx's `errors.py`).

`BuildError` is what the CLI prints without a traceback; each subclass names one kind of
failure, so a caller catches the kind it can answer and lets the others through. A problem
found in the content is not an exception but a `Problem` (util/problems.py), reported with
the others; its `code` is one of `CODES` below, and the editors' guide lists each code
(content/README.md, "Mã của thông báo" / "Message codes", kept in step by a test).

An HTTP request the preview server answers with an error status is not a `BuildError`:
that is `serve.RequestRefused`, a different thing with a different name.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

from builder.util.i18n import _
from builder.util.problems import shown_path, shown_text

if TYPE_CHECKING:
    from builder.util.problems import Problem


class BuildError(Exception):
    """A failure the user can act on; the CLI prints it without a traceback (and with any
    file name in it escaped, as `shown_text` does)."""

    def __str__(self) -> str:
        return shown_text(super().__str__(), keep="\n")


class WriteFailed(BuildError):
    """A file of the book could not be written; nothing was left half-written."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = path
        self.errno = error.errno
        super().__init__(
            _("cannot write {path}: {reason}").format(
                path=shown_path(path), reason=plain_reason(error)
            )
        )


class DestinationRefused(BuildError):
    """A folder the builder must not replace (publish, build --out)."""


class DocumentRefused(BuildError):
    """A document given to import (a Word file, a returned PDF) that cannot be read; the
    message says why, in the user's language. The other documents go on."""


class UnknownComment(BuildError):
    """`--resolve` was given an id no review file holds."""


class BadSlug(BuildError):
    """A model's name read from outside (a returned copy, the command line) that cannot name
    a review file: not a slug, or a file that leads out of `content/reviews/`."""


class BadReviewFile(BuildError):
    """A review file edited into something unreadable; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def plain_reason(error: OSError) -> str:
    """What an editor needs to know of an `OSError`, in the catalogue's words."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return _("the disk is full; free some space and try again")
    if error.errno == errno.EROFS:
        return _("the disk is read-only")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied; ask for write access to the book's folder")
    if error.errno == errno.ENOENT:
        return _("the folder does not exist")
    return error.strerror or str(error)


# --- problem codes -------------------------------------------------------------------------
# Each kind of problem `check` reports, by its code: what it means, in the editors' two
# languages. content/README.md has this table in each language (tests/test_problem_codes.py
# keeps them in step, and checks that every code the loader gives is here and the other way
# round). A code never changes once published: an editor may have noted it.
CODES: dict[str, tuple[str, str]] = {
    # the file
    "no-content-folder": ("Không có thư mục nội dung.", "The content folder does not exist."),
    "no-models": ("Sách chưa có mô hình nào.", "The book has no models."),
    "unreadable-folder": ("Không đọc được thư mục.", "A folder cannot be read."),
    "not-a-file": (
        "Không phải tệp văn bản (thư mục, thiết bị…).",
        "Not a text file (a folder, a device…).",
    ),
    "link-outside-book": (
        "Tệp là liên kết ra ngoài sách.",
        "The file is a link to outside the book.",
    ),
    "file-too-large": ("Tệp quá lớn.", "The file is too large."),
    "unreadable-file": ("Không đọc được tệp.", "The file cannot be read."),
    "not-text": ("Tệp không phải văn bản.", "The file is not text."),
    "not-utf8": ("Tệp không lưu bằng UTF-8.", "The file is not saved as UTF-8."),
    "not-nfc": ("Chữ chưa ở dạng Unicode dựng sẵn (NFC).", "Text not in Unicode NFC."),
    "file-name-not-slug": ("Tên tệp không đúng dạng slug.", "The file name is not a slug."),
    "file-name-too-long": ("Tên tệp quá dài.", "The file name is too long."),
    # the front matter as typed
    "no-front-matter": ("Thiếu phần thông tin đầu bài.", "No front matter."),
    "front-matter-unclosed": (
        "Phần thông tin đầu bài chưa đóng.",
        "The front matter is never closed.",
    ),
    "front-matter-typing": (
        "Lỗi gõ trong phần thông tin (dấu hai chấm, Tab, ngoặc…).",
        "A typing mistake in the front matter (a colon, a Tab, quotes…).",
    ),
    "yaml-syntax": ("Lỗi cú pháp YAML.", "A YAML syntax error."),
    "yaml-alias": ("Dùng & hoặc * của YAML.", "YAML anchors or aliases (& and *)."),
    "yaml-merge-key": ("Dùng khóa gộp << của YAML.", "A YAML merge key (<<)."),
    "duplicate-key": ("Một khóa viết hai lần.", "A key written twice."),
    "too-deep": ("Thông tin lồng nhau quá sâu.", "Facts nested too deep."),
    "control-character": ("Ký tự điều khiển ẩn.", "An invisible control character."),
    "direction-control": ("Ký tự ẩn đảo chiều chữ.", "An invisible text direction control."),
    "zero-width": ("Ký tự ẩn không có độ rộng.", "An invisible zero-width character."),
    "bad-value": (
        "Giá trị không đọc được (ngày, số…).",
        "A value that cannot be read (a date, a number…).",
    ),
    # the facts
    "not-a-mapping": (
        "Phần thông tin không phải các dòng `khóa: giá trị`.",
        "Not a group of `key: value` lines.",
    ),
    "unknown-key": ("Khóa không hợp lệ.", "An unknown key."),
    "missing-key": ("Thiếu khóa bắt buộc.", "A required key is missing."),
    "empty-value": ("Khóa bắt buộc để trống.", "A required key is empty."),
    "wrong-type": (
        "Giá trị sai loại (chữ, số, danh sách…).",
        "A value of the wrong kind (text, number, list…).",
    ),
    "out-of-range": ("Giá trị ngoài khoảng cho phép.", "A value outside its range."),
    "duplicate-title": ("Hai mô hình trùng tiêu đề.", "Two models with the same title."),
    "title-too-long": ("Tiêu đề quá dài.", "The title is too long."),
    "unknown-kind": ("`kind` không hợp lệ.", "An unknown `kind`."),
    "missing-person": ("Mô hình cá nhân thiếu `person`.", "An individual model without `person`."),
    "missing-status": ("Thiếu `status`.", "No `status`."),
    "unknown-status": ("`status` không hợp lệ.", "An unknown `status`."),
    "unknown-field": ("Lĩnh vực không có trong `book.yaml`.", "A field not in `book.yaml`."),
    "unknown-district": ("Huyện không có trong `book.yaml`.", "A district not in `book.yaml`."),
    "unknown-commune": (
        "Xã không có trong danh sách của huyện.",
        "A commune not listed for its district.",
    ),
    "year-outside-period": (
        "Năm nằm ngoài giai đoạn của sách.",
        "A year outside the book's period.",
    ),
    "started-after-year": ("`started` muộn hơn `year`.", "`started` after `year`."),
    # book.yaml
    "no-book-yaml": ("Không có tệp book.yaml.", "No book.yaml."),
    "not-a-choice": (
        "Giá trị không thuộc các lựa chọn cho phép.",
        "A value that is not one of its choices.",
    ),
    "base-url": (
        "`base_url` không phải địa chỉ web của trang, kết thúc bằng /.",
        "`base_url` is not the site's web address, ending with /.",
    ),
    "period": (
        "`period` sai: năm bắt đầu sau năm kết thúc, hoặc quá dài.",
        "A wrong `period`: it starts after it ends, or is too long.",
    ),
    "not-vietnamese": (
        "Sách không viết bằng tiếng Việt (`language`).",
        "A book not in Vietnamese (`language`).",
    ),
    "retired-key": ("Khóa không còn tác dụng.", "A key that no longer has any effect."),
    "field-id-not-slug": (
        "`id` của lĩnh vực không đúng dạng slug.",
        "A field's `id` is not a slug.",
    ),
    "no-fields": ("book.yaml chưa khai báo lĩnh vực nào.", "book.yaml lists no fields."),
    "no-places": ("book.yaml chưa khai báo địa bàn nào.", "book.yaml lists no places."),
    "bad-colour": (
        "Màu viết sai (như #8e1d1d, hoặc bốn số CMYK).",
        "A colour written wrong (like #8e1d1d, or four CMYK percentages).",
    ),
    "isbn-form": ("ISBN không phải ISBN-13.", "An ISBN that is not an ISBN-13."),
    "isbn-check-digit": ("ISBN có chữ số kiểm tra sai.", "An ISBN with a wrong check digit."),
    "press-profile": (
        "`print.profile` không phải hồ sơ màu ICC cho CMYK của nhà in.",
        "`print.profile` is not the press's CMYK ICC profile.",
    ),
    "min-more-than-max": ("`min` lớn hơn `max`.", "`min` is more than `max`."),
    # the text and its links
    "no-text": ("Bài chưa có nội dung.", "The entry has no text."),
    "bad-link": (
        "Liên kết không dẫn tới trang web hay mô hình.",
        "A link to neither a web page nor a model.",
    ),
    "unknown-model-link": (
        "Liên kết tới mô hình không có.",
        "A link to a model the book does not have.",
    ),
    "raw-html": ("HTML trong bài sẽ hiện nguyên văn.", "HTML in the text is shown as typed."),
    "unsafe-link": (
        "Liên kết không được phép (javascript:…).",
        "A link that is not allowed (javascript:…).",
    ),
    "todo": ("Còn chữ TODO cần điền.", "A TODO still to fill in."),
    "old-encoding": (
        "Chữ gõ bằng bảng mã cũ (TCVN3, VNI).",
        "Text typed in an old encoding (TCVN3, VNI).",
    ),
    "straight-quotes": ("Ngoặc kép thẳng trong bài.", "Straight quotes in the text."),
    "mixed-tone-marks": (
        "Đặt dấu thanh kiểu cũ và kiểu mới lẫn nhau.",
        "Old and new tone-mark placement mixed.",
    ),
    # pictures
    "image-no-alt": ("Ảnh chưa có mô tả (alt).", "A picture without alt text."),
    "image-not-found": ("Không tìm thấy tệp ảnh.", "The picture file is not found."),
    "image-not-a-file": (
        "Ảnh không phải tệp của sách (địa chỉ web…).",
        "A picture that is not a file of the book (a web address…).",
    ),
    "image-not-relative": (
        "Đường dẫn ảnh không tương đối.",
        "A picture path that is not relative.",
    ),
    "image-outside-book": ("Ảnh nằm ngoài thư mục sách.", "A picture outside the book folder."),
    "image-format": (
        "Loại ảnh không hỗ trợ, hoặc đuôi tệp sai.",
        "An unsupported picture, or the wrong file ending.",
    ),
    "bad-image": ("Không đọc được ảnh.", "A picture that cannot be read."),
    "image-too-large": ("Ảnh quá lớn.", "A picture too large."),
    "image-too-narrow": ("Ảnh quá hẹp và dài.", "A picture too narrow and long."),
    "low-resolution": ("Ảnh in ra sẽ bị mờ.", "A picture that would print blurred."),
    # review files and the final edition
    "stray-review-file": (
        "Tệp góp ý của một mô hình sách không còn (đã đổi tên hoặc xóa).",
        "A review file of a model the book no longer has (renamed or removed).",
    ),
    "review-file-form": (
        "Tệp góp ý không đúng dạng `builder comments` viết.",
        "A review file not in the form `builder comments` writes.",
    ),
    "review-date": (
        "Ngày trong tệp góp ý không phải là ngày.",
        "A date in a review file that is not a date.",
    ),
    "link-to-left-out-model": (
        "Liên kết tới mô hình không có trong bản chính thức.",
        "A link to a model left out of the final edition.",
    ),
}
