"""A one-hot truth table saved by a German, French, Spanish, Italian, Portuguese or Dutch Excel
writes its booleans in the locale's words (WAHR/FALSCH, VRAI/FAUX): read as TRUE/FALSE are."""

from __future__ import annotations

import pytest

from zsl_cli.evaluation import load_truth


@pytest.mark.parametrize(
    ("true", "false"),
    [
        ("WAHR", "FALSCH"),
        ("VRAI", "FAUX"),
        ("VERDADERO", "FALSO"),
        ("VERO", "FALSO"),
        ("VERDADEIRO", "FALSO"),
        ("WAAR", "ONWAAR"),
    ],
)
def test_excel_booleans_of_other_languages_mark_the_class(tmp_path, true, false):
    text = f"\ufefffilename;cat;dog\r\na.jpg;{true};{false}\r\nb.jpg;{false};{true}\r\n"
    (tmp_path / "_classes.csv").write_text(text, encoding="utf-8")
    truth = load_truth(tmp_path / "_classes.csv")
    assert [(item.shown, item.label) for item in truth.items] == [
        ("a.jpg", "cat"),
        ("b.jpg", "dog"),
    ]


def test_a_word_of_another_meaning_is_still_refused(tmp_path):
    (tmp_path / "_classes.csv").write_text("filename,cat,dog\na.jpg,1,0\nb.jpg,0,JA\n")
    with pytest.raises(Exception, match="'JA' in the column 'dog'"):
        load_truth(tmp_path / "_classes.csv")


def test_a_semicolon_header_refused_is_shown_with_its_semicolons(tmp_path):
    (tmp_path / "_classes.csv").write_text("filename;cat;dog\na.jpg;JA;NEIN\n")
    with pytest.raises(Exception, match="found: filename;cat;dog\\)"):
        load_truth(tmp_path / "_classes.csv")
