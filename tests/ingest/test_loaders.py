from pathlib import Path

import docx
import pytest

from assistant.errors import LoadError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_document
from assistant.text import split_sentences

LIMIT = 1_000_000


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text, written by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_markdown_front_matter_and_heading_paths(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\nid: note-en\ntitle: A note\nlanguage: en\ndate: 2025-12-03\n"
        "sources:\n  - https://example.org/a\n  - https://example.org/b\n---\n"
        "# A note\n\n## Figures\n\nGartner found 20% cut staff. It surveyed 321 leaders.\n\n"
        "### Detail\n\nMore text here for the detail section.\n",
        encoding="utf-8",
    )
    document = load_document(path, LIMIT)
    assert (document.doc_id, document.title, document.language) == ("note-en", "A note", "en")
    assert document.source == "https://example.org/a; https://example.org/b"
    assert document.blocks[0].heading_path == ["A note", "Figures"]
    assert document.blocks[1].heading_path == ["A note", "Figures", "Detail"]
    for block in document.blocks:
        assert document.text[block.start : block.end] == block.text


def test_html_docx_and_pdf_are_read(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text("<html lang='fr'><head><title>Page</title><script>alert(1)</script></head>"
                    "<body><h1>Titre</h1><p>Le Maroc vise 270 000 emplois.</p></body></html>")
    loaded = load_document(html, LIMIT)
    assert loaded.language == "fr" and loaded.blocks[0].heading_path == ["Titre"]
    assert "alert" not in loaded.text

    word = tmp_path / "memo.docx"
    document = docx.Document()
    document.add_heading("Kenya", level=1)
    document.add_paragraph("Kenya aims for one million digital jobs in five years.")
    document.save(str(word))
    memo = load_document(word, LIMIT)
    assert memo.blocks[0].heading_path == ["Kenya"] and "million" in memo.blocks[0].text

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(minimal_pdf("Egypt targets 9 billion dollars of outsourcing exports."))
    report = load_document(pdf, LIMIT)
    assert "Egypt targets 9 billion" in report.text
    assert report.blocks[0].heading_path == ["Page 1"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"   \n", "empty file"),
        ("binary.txt", b"abc\x00\x01\x02def", "binary content"),
        ("latin1.md", "Réduit à 20 %".encode("latin-1"), "not valid UTF-8"),
        ("fake.pdf", b"this is not a pdf", "not a .pdf file"),
        ("fake.docx", b"plain text pretending", "not a .docx file"),
        ("archive.zip", b"PK\x03\x04", "unsupported file type"),
        ("huge.md", b"x" * (LIMIT + 1), "over the"),
    ],
)
def test_bad_files_raise_a_one_line_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as error:
        load_document(path, LIMIT)
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


def test_chunks_never_cut_a_sentence_and_ids_are_stable(tmp_path: Path) -> None:
    sentence = "Gartner surveyed 321 customer service leaders about AI and staffing levels. "
    path = tmp_path / "long.md"
    path.write_text("# Long\n\n" + sentence * 40 + "\n\nA second paragraph closes it.\n")
    document = load_document(path, LIMIT)
    chunks = chunk_document(document, max_chars=300)
    assert len(chunks) > 5
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        spans = list(split_sentences(chunk.text))
        assert chunk.text[spans[-1][0] : spans[-1][1]].endswith(".")
        assert chunk.text.startswith("Gartner") or chunk.text.startswith("A second")
    assert [c.id for c in chunks] == [c.id for c in chunk_document(load_document(path, LIMIT), 300)]
    assert len({c.id for c in chunks}) == len(chunks)
