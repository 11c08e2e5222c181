from assistant.text import content_tokens, detect_language, fold, numbers_in, split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_sentences_are_exact_spans_and_keep_decimals_and_abbreviations() -> None:
    text = "CCI invests US$378 million, i.e. 1.16 USD per euro. See p. 4 for details! Fine."
    assert sentences(text) == [
        "CCI invests US$378 million, i.e. 1.16 USD per euro.",
        "See p. 4 for details!",
        "Fine.",
    ]


def test_a_word_ending_like_an_abbreviation_still_ends_a_sentence() -> None:
    assert sentences("No partnership.\n\nThe article says so.") == [
        "No partnership.", "The article says so."]


def test_numbers_normalise_french_and_english_writing() -> None:
    assert numbers_in("20 %, 3,412 people, 1,5 point, 15 000 jobs, 213.7 billion") == {
        "20", "3412", "1.5", "15000", "213.7"}


def test_language_detection() -> None:
    assert detect_language("Quelle part des entreprises a réduit ses effectifs ?") == "fr"
    assert detect_language("What share of companies cut staff because of AI?") == "en"


def test_tokens_fold_accents_and_drop_stop_words() -> None:
    assert fold("Réduit") == "reduit"
    assert content_tokens("les effectifs du service client") == ["effectif", "servic", "client"]
