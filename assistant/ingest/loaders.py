"""Read .md, .txt, .html, .pdf and .docx files into structured documents.

Each loader returns blocks (a heading path and one paragraph) so chunking can follow the
document's own structure. A file that cannot be read raises ``LoadError`` whose message is
the one-line reason shown to the user.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from ..errors import LoadError
from ..models import FILE_TYPES, Language
from ..text import detect_language
from .segments import segments

_DOCX_MAX_UNCOMPRESSED = 200_000_000
# PDF and .docx are compressed: a small file can hold pages or text without end (one content stream
# shared by every page, say), so they are bounded by what they hold, not only by their size on disk.
MAX_PDF_PAGES = 2_000
MAX_EXTRACTED_CHARS = 2_000_000


class Block(BaseModel):
    heading_path: list[str]
    text: str
    start: int = Field(description="Offset of the paragraph in SourceDocument.text.")
    end: int


class SourceDocument(BaseModel):
    doc_id: str
    title: str
    language: Language
    date: str = ""
    source: str = ""
    confidence: str = ""
    topic: str = ""
    path: str
    file_hash: str
    text: str
    blocks: list[Block]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "document"


def _decode(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        raise LoadError(f"{path.name}: binary content in a text file")
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoadError(f"{path.name}: not valid UTF-8 text")


class _AliasRefused(yaml.YAMLError):
    pass


class _PlainYamlLoader(yaml.SafeLoader):
    """Front matter is a few plain fields; an alias can repeat a value exponentially ("billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused("aliases are not allowed")
        return super().compose_node(parent, index)


def _split_front_matter(text: str) -> tuple[dict[str, object], str]:
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return {}, text
    try:
        meta = yaml.load(match.group(1), Loader=_PlainYamlLoader) or {}  # a SafeLoader subclass
    except _AliasRefused:
        raise LoadError("front matter uses YAML aliases (*name), which are not allowed") from None
    except yaml.YAMLError as error:
        raise LoadError(f"front matter is not valid YAML ({error.__class__.__name__})") from error
    if not isinstance(meta, dict):
        raise LoadError("front matter is not a mapping")
    return meta, text[match.end() :]


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _markdown_blocks(body: str) -> list[tuple[list[str], str]]:
    """Paragraphs with their heading path; a heading line opens a new section."""
    blocks: list[tuple[list[str], str]] = []
    path: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        blocks.extend(([title for _, title in path], text) for text in segments(paragraph))
        paragraph.clear()

    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level]
            path.append((level, heading.group(2)))
        elif not line.strip():
            flush()
        else:
            paragraph.append(line)
    flush()
    return blocks


def _plain_blocks(body: str) -> list[tuple[list[str], str]]:
    """Plain text: paragraphs between blank lines, cut into segments (title, source line, items)."""
    return [([], text) for paragraph in re.split(r"\n\s*\n", body) for text in segments(paragraph.splitlines())]


def _html_blocks(data: bytes, path: Path) -> tuple[dict[str, object], list[tuple[list[str], str]]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data, path), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "noscript", "form", "button", "svg"]):
        tag.decompose()
    for tag in soup.find_all(_is_boilerplate):
        tag.decompose()
    meta: dict[str, object] = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    html_tag = soup.find("html")
    if html_tag is not None and html_tag.get("lang"):
        meta["language"] = str(html_tag.get("lang"))[:2]
    blocks: list[tuple[list[str], str]] = []
    path_stack: list[tuple[int, str]] = []
    for element in soup.find_all(_HTML_BLOCKS):
        if element.find_parent(_HTML_BLOCKS) is not None and element.name != "tr":
            continue  # a <p> inside an <li> or a <blockquote> is read with its container
        if element.name and element.name[0] == "h" and element.name[1:].isdigit():
            text = " ".join(element.get_text(" ").split())
            if text:
                level = int(element.name[1:])
                path_stack = [(lvl, t) for lvl, t in path_stack if lvl < level]
                path_stack.append((level, text))
            continue
        if element.name == "tr":
            cells = [" ".join(cell.get_text(" ").split()) for cell in element.find_all(["th", "td"])]
            texts = [" | ".join(cell for cell in cells if cell)]
        else:
            # <br> lines are lines: a byline or a "Source:" line inside a <p> stays a segment
            texts = segments(element.get_text("\n").splitlines()) if element.find("br") else \
                [" ".join(element.get_text(" ").split())]
        blocks.extend(([t for _, t in path_stack], text) for text in texts if text)
    return meta, blocks


_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "tr", "figcaption", "dt", "dd",
                "address", "time"]
_BOILERPLATE = re.compile(r"cookie|consent|gdpr-banner|newsletter|subscribe|share|social|breadcrumb|"
                          r"navbar|menu|related|advert|promo|skip-link", re.IGNORECASE)


def _is_boilerplate(tag: Any) -> bool:
    """Banners, menus and share bars that pages wrap around an article (by their id or class)."""
    if tag.name in ("html", "body", "main", "article"):
        return False
    attributes = " ".join([str(tag.get("id") or ""), *[str(c) for c in tag.get("class") or []]])
    return bool(attributes.strip()) and bool(_BOILERPLATE.search(attributes))


def _pdf_blocks(data: bytes, path: Path) -> tuple[dict[str, object], list[tuple[list[str], str]]]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        meta: dict[str, object] = {}
        if reader.metadata and reader.metadata.title:
            meta["title"] = str(reader.metadata.title)
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise LoadError(f"{path.name}: {pages:,} pages, over the {MAX_PDF_PAGES:,}-page limit")
        blocks: list[tuple[list[str], str]] = []
        extracted = 0
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            extracted += len(text)
            if extracted > MAX_EXTRACTED_CHARS:
                raise LoadError(_too_much_text(path))
            for paragraph in re.split(r"\n\s*\n", text):
                blocks.extend(([f"Page {number}"], segment) for segment in segments(paragraph.splitlines()))
    except (PdfReadError, ValueError, KeyError, OSError) as error:
        raise LoadError(f"{path.name}: unreadable PDF ({error.__class__.__name__})") from error
    return meta, blocks


def _too_much_text(path: Path) -> str:
    return f"{path.name}: more than {MAX_EXTRACTED_CHARS:,} characters of text, over the limit"


def _docx_blocks(data: bytes, path: Path) -> tuple[dict[str, object], list[tuple[list[str], str]]]:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise LoadError(f"{path.name}: not a valid .docx (zip) file") from error
    if expanded > _DOCX_MAX_UNCOMPRESSED:
        raise LoadError(f"{path.name}: .docx expands to {expanded // 1_000_000} MB, refused")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many unrelated types on bad input
        raise LoadError(f"{path.name}: unreadable .docx ({error.__class__.__name__})") from error
    meta: dict[str, object] = {}
    if document.core_properties.title:
        meta["title"] = document.core_properties.title
    blocks: list[tuple[list[str], str]] = []
    path_stack: list[tuple[int, str]] = []
    extracted = 0
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        extracted += len(text)
        if extracted > MAX_EXTRACTED_CHARS:
            raise LoadError(_too_much_text(path))
        style = paragraph.style.name if paragraph.style is not None else ""
        level_match = re.match(r"Heading (\d)", style or "")
        if level_match or style == "Title":
            level = int(level_match.group(1)) if level_match else 0
            path_stack = [(lvl, t) for lvl, t in path_stack if lvl < level]
            path_stack.append((level, text))
        else:
            blocks.append(([t for _, t in path_stack], text))
    for table in document.tables:  # after the paragraphs: python-docx lists them apart
        for row in table.rows:
            cells = list(dict.fromkeys(" ".join(cell.text.split()) for cell in row.cells))  # merged cells repeat
            line = " | ".join(cell for cell in cells if cell)
            if line:
                blocks.append(([t for _, t in path_stack][:1], line))
    return meta, blocks


def _text_blocks(
    parse: Callable[[str], list[tuple[list[str], str]]],
) -> Callable[[bytes, Path], tuple[dict[str, object], list[tuple[list[str], str]]]]:
    def load(data: bytes, path: Path) -> tuple[dict[str, object], list[tuple[list[str], str]]]:
        meta, body = _split_front_matter(_decode(data, path))
        return meta, parse(body)

    return load


# Each reader of ``models.FILE_TYPES`` by name: the table says which suffix it reads and what its content
# must start with.
READERS: dict[str, Callable[[bytes, Path], tuple[dict[str, object], list[tuple[list[str], str]]]]] = {
    "markdown": _text_blocks(_markdown_blocks),
    "text": _text_blocks(_plain_blocks),
    "html": _html_blocks,
    "pdf": _pdf_blocks,
    "docx": _docx_blocks,
}
_LOADERS = {t.suffix: READERS[t.reader] for t in FILE_TYPES}
_MAGIC = {t.suffix: t.magic for t in FILE_TYPES if t.magic}


def _source_text(meta: dict[str, object]) -> str:
    sources = meta.get("sources", meta.get("source", ""))
    if isinstance(sources, list):
        return "; ".join(str(s) for s in sources)
    return str(sources or "")


def _title_line(blocks: list[Block]) -> str:
    """A plain text's first line when it reads as a title (short, unfinished): its headline."""
    first = blocks[0].text if blocks else ""
    return first if 0 < len(first.split()) <= 25 and not re.search(r"[.!?:;]\s*$", first) else ""


def load_document(path: Path, max_bytes: int, doc_id: str | None = None) -> SourceDocument:
    """Read one file; raise ``LoadError`` with a one-line reason when it must be skipped."""
    suffix = path.suffix.lower()
    if suffix not in _LOADERS:
        raise LoadError(f"{path.name}: unsupported file type '{suffix or 'none'}'")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"{path.name}: {size:,} bytes is over the {max_bytes:,}-byte limit")
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(f"{path.name}: cannot read ({error.strerror})") from error
    if not data.strip():
        raise LoadError(f"{path.name}: empty file")
    magic = _MAGIC.get(suffix)
    if magic and not data.startswith(magic):
        raise LoadError(f"{path.name}: content is not a {suffix} file")
    meta, raw_blocks = _LOADERS[suffix](data, path)
    if not raw_blocks:
        raise LoadError(f"{path.name}: no text found")

    text_parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for heading_path, paragraph in raw_blocks:
        blocks.append(Block(heading_path=heading_path, text=paragraph, start=offset,
                            end=offset + len(paragraph)))
        text_parts.append(paragraph)
        offset += len(paragraph) + 2
    text = "\n\n".join(text_parts)

    language = str(meta.get("language", "") or "")[:2].lower()
    title = str(meta.get("title") or next((b.heading_path[0] for b in blocks if b.heading_path), "")
                or _title_line(blocks) or path.stem)
    return SourceDocument(
        doc_id=str(meta.get("id") or doc_id or slugify(path.stem)),
        title=title,
        language=language if language in ("en", "fr") else detect_language(text),
        date=str(meta.get("date", "") or ""),
        source=_source_text(meta),
        confidence=str(meta.get("confidence", "") or ""),
        topic=str(meta.get("topic", "") or ""),
        path=str(path),
        file_hash=file_sha256(data),
        text=text,
        blocks=blocks,
    )
