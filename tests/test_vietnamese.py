"""Vietnamese conventions: dictionary order, slugs, folding, dates and numbers."""

import datetime

from builder.book.vietnamese import fold, format_long_date, format_number, slugify, sort_key


def test_d_with_stroke_sorts_after_d() -> None:
    words = ["Đông", "Dũng", "Eo", "Dân", "Cao"]
    assert sorted(words, key=sort_key) == ["Cao", "Dân", "Dũng", "Đông", "Eo"]


def test_letters_with_marks_follow_their_base_letter() -> None:
    words = ["ơn", "ông", "ong", "ốc", "ô", "o", "pa"]
    assert sorted(words, key=sort_key) == ["o", "ong", "ô", "ốc", "ông", "ơn", "pa"]


def test_tones_only_break_ties_in_the_order_none_huyen_hoi_nga_sac_nang() -> None:
    words = ["mạ", "má", "mã", "mả", "mà", "ma"]
    assert sorted(words, key=sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    # Tones do not outrank letters: "mà" + "y" still comes after "ma" + "n".
    assert sorted(["mày", "man"], key=sort_key) == ["man", "mày"]


def test_place_names_sort_like_a_vietnamese_index() -> None:
    names = ["Yên Mô", "Nho Quan", "Ninh Bình", "Gia Viễn", "Hoa Lư", "Kim Sơn", "Tam Điệp"]
    assert sorted(names, key=sort_key) == [
        "Gia Viễn",
        "Hoa Lư",
        "Kim Sơn",
        "Nho Quan",
        "Ninh Bình",
        "Tam Điệp",
        "Yên Mô",
    ]


def test_decomposed_text_sorts_like_composed_text() -> None:
    assert sort_key("Đ\u1ed3ng") == sort_key("Đồng")
    assert sort_key("Do\u0302\u0300ng") == sort_key("Đồng".replace("Đ", "D"))


def test_slugs_drop_tones_and_map_d_with_stroke() -> None:
    assert slugify("Hiến đất mở đường, chung sức!") == "hien-dat-mo-duong-chung-suc"
    assert slugify("ĐẠI ĐOÀN KẾT") == "dai-doan-ket"


def test_fold_finds_dan_van_kheo() -> None:
    assert fold("Dân vận khéo") == "dan van kheo"
    assert fold("Đường") == "duong"


def test_dates_and_numbers_are_written_the_vietnamese_way() -> None:
    assert format_long_date(datetime.date(2024, 1, 19)) == "ngày 19 tháng 1 năm 2024"
    assert format_number(1000000) == "1.000.000"
    assert format_number(419.7) == "419,7"


def test_leading_quotes_and_punctuation_do_not_count() -> None:
    titles = ["Hiến đất", "“Giáo xứ bình yên”", "(Thí điểm) Ba", "Đối thoại", "Dân vận", "Giáo xứ"]
    assert sorted(titles, key=sort_key) == [
        "Dân vận",
        "Đối thoại",
        "Giáo xứ",
        "“Giáo xứ bình yên”",
        "Hiến đất",
        "(Thí điểm) Ba",
    ]


def test_numbers_come_before_letters_in_numeric_order() -> None:
    titles = ["Ba", "10 năm", "9 năm", "“5 không”", "An"]
    assert sorted(titles, key=sort_key) == ["“5 không”", "9 năm", "10 năm", "An", "Ba"]


def test_sample_titles_are_listed_in_alphabetical_order_ignoring_quotes() -> None:
    """Titles that open with “ file under their first letter in every list of the book."""
    from pathlib import Path

    from builder.book.ordering import group_entries
    from builder.load.loader import load_book

    book = load_book(Path(__file__).resolve().parent.parent / "content").book
    assert book is not None
    quoted = [entry for entry in book.entries if entry.title.startswith("“")]
    assert quoted, "the sample should have a title that opens with a quote"
    for part in group_entries(book.entries, book.config, "field"):
        titles = [entry.title for entry in part.entries]
        firsts = [fold(title.lstrip("“"))[0] for title in titles]
        assert firsts == sorted(firsts), titles
