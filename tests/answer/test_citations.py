from assistant.answer.citations import validate_answer
from assistant.models import Chunk, ScoredChunk


def source(doc_id: str, text: str) -> ScoredChunk:
    chunk = Chunk(id=f"{doc_id}:1", doc_id=doc_id, text=text, title=doc_id.title(), paragraph_start=0,
                  paragraph_end=0, char_start=0, char_end=len(text), language="en", content_hash="h")
    return ScoredChunk(chunk=chunk, score=1.0)


SOURCES = [
    source("gartner", "Gartner surveyed 321 leaders. Only 20% cut agent staffing because of AI."),
    source("cci", "CCI Global commits US$378 million over two years. Most of it goes to Africa."),
]


def test_valid_markers_are_renumbered_in_order_of_use_with_exact_quotes() -> None:
    result = validate_answer("CCI commits US$378 million [2]. Only 20% cut staff [1].", SOURCES, "en")
    assert result.text == "CCI commits US$378 million [1]. Only 20% cut staff [2]."
    assert [c.doc_id for c in result.citations] == ["cci", "gartner"]
    assert result.citations[0].quote == "CCI Global commits US$378 million over two years."
    assert result.citations[1].quote == "Only 20% cut agent staffing because of AI."
    assert result.warnings == []


def test_a_marker_pointing_nowhere_is_removed_and_reported() -> None:
    result = validate_answer("Only 20% cut staff [1][7].", SOURCES, "en")
    assert "[7]" not in result.text and "[1]" in result.text
    assert result.warnings == ["Removed citation [7]: it points to no source."]


def test_a_figure_in_no_cited_source_is_flagged_in_the_answer() -> None:
    result = validate_answer("Only 35% cut staff [1].", SOURCES, "fr")
    assert any("35" in w for w in result.warnings)
    assert "Attention : 35 ne figure pas dans les sources citées" in result.text


def test_each_sentence_is_checked_against_the_sources_it_cites() -> None:
    # 378 is in a cited source, but not in the one this sentence cites
    result = validate_answer("CCI commits US$378 million [2]. Gartner found 378 leaders [1].", SOURCES, "en")
    assert any("378" in w for w in result.warnings)


def test_a_claim_about_a_place_its_source_does_not_name_is_flagged() -> None:
    result = validate_answer("In the Philippines, only 20% cut staff [1].", SOURCES, "en")
    assert result.warnings == ["Claims about Philippines cite no source that names them."]
    assert "Note: no source cited for it names Philippines" in result.text
