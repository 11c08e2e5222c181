"""Document structure: titles, bylines, "Source:" lines, list items and table rows are never glued."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.loaders import load_document
from assistant.ingest.segments import segments
from assistant.text import split_sentences

NEWS = """Klarna brings human agents back
Source: https://example.com/klarna-humans
By Jane Doe
Klarna said in February 2024 that its assistant did the work of
700 agents. It later changed course.
"Cost was too predominant," he said. Sebastian Siemiatkowski, the chief executive, added that quality had suffered.
- the bot still handles two thirds of chats
- customers can always reach a person.
Why it matters: boards cite the case when they weigh AI agents
against people.
| Year | Agents |
|---|---|
| 2024 | 700 |
"""


def test_structure_lines_are_segments_and_wrapped_lines_are_joined() -> None:
    assert segments(NEWS.splitlines()) == [
        "Klarna brings human agents back",
        "Source: https://example.com/klarna-humans",
        "By Jane Doe",
        "Klarna said in February 2024 that its assistant did the work of 700 agents. It later changed course.",
        '"Cost was too predominant," he said. Sebastian Siemiatkowski, the chief executive, added that quality had '
        "suffered.",
        "the bot still handles two thirds of chats",
        "customers can always reach a person.",
        "Why it matters: boards cite the case when they weigh AI agents against people.",
        "Year | Agents",
        "2024 | 700",
    ]


def test_a_plain_text_page_never_quotes_its_title_and_source_line_as_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "klarna.txt"
    path.write_text(NEWS, encoding="utf-8")
    document = load_document(path, 1_000_000)
    sentences = [document.text[a:b] for a, b in split_sentences(document.text)]
    assert sentences[:3] == ["Klarna brings human agents back", "Source: https://example.com/klarna-humans",
                             "By Jane Doe"]
    assert "Klarna said in February 2024 that its assistant did the work of 700 agents." in sentences


def test_a_hard_wrapped_pdf_like_page_keeps_headings_apart() -> None:
    page = [
        "Paying for outcomes: how AI customer-service",
        "platforms charge",
        "Buyer's note — research desk — June 2026",
        "1. Summary",
        "Vendors of AI agents for customer service have moved away from charging per seat. The",
        "three platforms reviewed here all tie at least part of the bill to a resolved conversation",
        "rather than to a user licence.",
    ]
    assert segments(page) == [
        "Paying for outcomes: how AI customer-service platforms charge",
        "Buyer's note — research desk — June 2026",
        "Summary",
        "Vendors of AI agents for customer service have moved away from charging per seat. The three platforms "
        "reviewed here all tie at least part of the bill to a resolved conversation rather than to a user licence.",
    ]


def test_html_boilerplate_is_dropped_and_table_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html lang='en'><body><div class='cookie-banner'><p>We use cookies to improve your experience.</p></div>"
        "<nav><a href='/'>Home</a></nav><article><h1>Kenya's call centres</h1>"
        "<p>By Amina Otieno<br>Nairobi, 3 May 2024</p><p>Kenya's sector employs 36,000 people.</p>"
        "<table><tr><th>Year</th><th>Jobs</th></tr><tr><td>2024</td><td>36,000</td></tr></table></article>"
        "<div id='newsletter-signup'><p>Subscribe to our newsletter for weekly updates.</p></div></body></html>",
        encoding="utf-8")
    texts = [block.text for block in load_document(path, 1_000_000).blocks]
    assert texts == ["By Amina Otieno", "Nairobi, 3 May 2024", "Kenya's sector employs 36,000 people.",
                     "Year | Jobs", "2024 | 36,000"]
