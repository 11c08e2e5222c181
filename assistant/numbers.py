"""The one parser of figures in English and French text: every number read out of text comes here.

- ``numbers_in``: digit numbers, normalised ("1 000,5" -> "1000.5"), for the citation validator;
- ``amounts``: (value, kind) pairs the extractive answerer compares to find disagreeing sources;
- ``figures``: every figure with its kind (percent, money with a currency code, count with the
  words after it, year, plain), scale (million, milliard, bn, k) and span, for the eval's facts.

Digits: grouped thousands ("1,500,000", "15 000", "1 500"), French decimals ("1,5"), a currency
letter touching the number ("R13.6 bn") but no other letter. Words only where unambiguous: a
cardinal before a noun ("three countries", "trois pays"), a number word before a scale word
("one million", "un million"), a fraction ("one in five", "une entreprise sur cinq", "nine out
of ten") and shares ("half of", "la moitié", "two thirds of"). "cent" alone, "first half",
"one company in 20 countries" and the article "a"/"un" are not figures.

This module imports nothing of the project but ``assistant.folding`` (``assistant.text`` imports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from .folding import fold_in_place as fold

FigureKind = Literal["percent", "money", "count", "year", "plain"]

# -- digits --------------------------------------------------------------------------------------
# Grouped thousands ("1,500,000", "15 000") or a plain number with an optional decimal part;
# a currency letter may touch it ("R13.6 bn"), another letter or digit may not.
_DIGITS = re.compile(
    r"(?<![\d.,])(?<![A-QS-Za-z])(?:\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?![\d])(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
)


@dataclass(frozen=True)
class Number:  # a number written in digits: where it is and its value
    start: int
    end: int
    raw: str
    value: float


def _digits_value(raw: str) -> float | None:
    compact = re.sub(r"[ \u00a0\u202f]", "", raw)
    # ",ddd" groups thousands ("3,412"); any other comma is a French decimal ("1,5").
    compact = re.sub(r",(?=\d{3}(?:\D|$))", "", compact).replace(",", ".")
    if compact.count(".") > 1:
        compact = compact.replace(".", "")
    try:
        return float(compact)
    except ValueError:
        return None


def scan_numbers(text: str) -> list[Number]:
    """Every number written in digits, in order."""
    found = []
    for match in _DIGITS.finditer(text):
        value = _digits_value(match.group())
        if value is not None:
            found.append(Number(match.start(), match.end(), match.group(), value))
    return found


def format_number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def numbers_in(text: str) -> set[str]:
    """Numbers written in ``text``, normalised ('1 000,5' -> '1000.5', '20 %' -> '20')."""
    return {format_number(n.value) for n in scan_numbers(text)}


# -- vocabulary ------------------------------------------------------------------------------------
SCALES: dict[str, float] = {
    "thousand": 1e3, "thousands": 1e3, "mille": 1e3, "k": 1e3,
    "million": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9,
    "trillion": 1e12, "trillions": 1e12,
}
# Currency words and symbols -> code. "$" and "dollars" alone name no country: "$"; "pesos": "PESO".
_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "INR", "PHP", "KES", "ZAR", "EGP", "MAD", "XOF", "XAF", "NGN", "GHS",
          "MXN", "COP", "BRL", "MUR", "MGA")
CURRENCY_BEFORE: dict[str, str] = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "$": "$", "€": "EUR", "£": "GBP", "₹": "INR", "₱": "PHP", "₦": "NGN",
    "Rs.": "INR", "Rs": "INR", "KSh": "KES", "R": "ZAR", "GH₵": "GHS", **{code: code for code in _CODES},
}
CURRENCY_AFTER: dict[str, str] = {
    "€": "EUR", "$": "$", "£": "GBP", "$ ca": "CAD", "$ us": "USD", "$ can": "CAD", "euro": "EUR", "euros": "EUR",
    "dollar": "$", "dollars": "$", "us dollars": "USD", "dollars us": "USD", "dollars americains": "USD",
    "dollar americain": "USD", "canadian dollars": "CAD", "dollars canadiens": "CAD",
    "dollar canadien": "CAD", "pounds sterling": "GBP", "livres sterling": "GBP", "pounds": "GBP",
    "fcfa": "XOF", "francs cfa": "XOF", "franc cfa": "XOF", "cfa": "XOF",
    "dirham": "MAD", "dirhams": "MAD", "rand": "ZAR", "rands": "ZAR",
    "rupee": "INR", "rupees": "INR", "roupie": "INR", "roupies": "INR",
    "peso": "PESO", "pesos": "PESO", "philippine pesos": "PHP", "pesos philippins": "PHP",
    "shilling": "KES", "shillings": "KES", "cedi": "GHS", "cedis": "GHS", "naira": "NGN", "nairas": "NGN",
    "reais": "BRL", **{code.lower(): code for code in _CODES},
}
# A figure's currency meets a fact's when the codes are equal or the figure's ("$") is the fact's family.
CURRENCY_FAMILIES = {"$": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD"}, "PESO": {"PHP", "MXN", "COP"}}


def currency_meets(figure_code: str | None, fact_code: str) -> bool:
    return figure_code is not None and (figure_code == fact_code or fact_code in CURRENCY_FAMILIES.get(figure_code, ()))


def currency_code(word: str) -> str | None:
    """The code of a currency named in a unit ("million USD", "milliards FCFA", "rand")."""
    folded = fold(word).strip()
    if word.strip() in CURRENCY_BEFORE:
        return CURRENCY_BEFORE[word.strip()]
    return CURRENCY_AFTER.get(folded)


# Number words (folded). "un"/"une"/"one"/"a"/"an" are also articles or pronouns: they count only
# in a fraction or before a scale word. "neuf" is also "new" and "cent" also a coin: fractions only.
CARDINALS: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "deux": 2,
    "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "dix": 10, "onze": 11, "douze": 12, "quinze": 15,
    "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
}
_ONE = {"one": 1, "a": 1, "an": 1, "un": 1, "une": 1}
_FRACTION_ONLY = {"neuf": 9, "cent": 100}
_NUMBER_WORDS = {**CARDINALS, **_ONE, **_FRACTION_ONLY}
# Words after a figure that are not what it counts (they do not end the window either).
_FILLERS = frozenset((
    "of", "de", "d", "des", "du", "the", "les", "la", "le", "a", "an", "and", "et", "or", "ou", "more", "than",
    "plus", "moins", "less", "about", "around", "some", "nearly", "almost", "environ", "quelque", "quelques",
    "over", "under", "new", "nouveaux", "nouvelles",
))


@dataclass(frozen=True)
class Figure:
    """One figure: ``value`` as written (1.5 in "1,5 million"), ``magnitude`` with the scale, and
    ``words_after``, up to six folded words before a sentence end or a number: what a count counts."""

    value: float
    kind: FigureKind
    start: int
    end: int
    scale: float = 1.0
    currency: str | None = None
    words_after: tuple[str, ...] = field(default_factory=tuple)
    in_words: bool = False

    @property
    def magnitude(self) -> float:
        return self.value * self.scale


_SCALE_AFTER = re.compile(r"[ \u00a0\u202f]?(?P<scale>thousands?|mille|millions?|mn|billions?|bn|milliards?|mds?"
                          r"|trillions?|M(?![a-zA-Z])|k(?![a-zA-Z])|K(?![a-zA-Z])|m(?![a-zA-Z]))", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r"[ \u00a0\u202f]?(?:%|percent\b|per\s+cent\b|pour\s*cent\b|pct\b"
                            r"|points?\s+de\s+pourcentage\b|percentage\s+points?\b)", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(  # words in any case, codes in capitals ("20 mad customers" is no amount)
    r"[ \u00a0\u202f]?(?i:(?:de|of)\s+|d['’]\s?)?(?P<currency>(?i:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(CURRENCY_AFTER, key=len, reverse=True)
               if w.upper() not in _CODES)
    + ")|" + "|".join(_CODES) + r")(?![a-zA-Z])"
)
_CURRENCY_BEFORE = re.compile(
    r"(?:^|(?<=[^A-Za-z]))(?P<currency>"
    + "|".join(re.escape(w) for w in sorted(CURRENCY_BEFORE, key=len, reverse=True))
    + r")[ \u00a0\u202f]?$"
)
_RANGE = re.compile(
    r"^\s?(?:-|–|—|to|à|a|and|et|or|ou)\s?(?:(?:about|around|roughly|nearly|some|environ|pr[eè]s\s+de)\s)?$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d")
_SENTENCE_BREAK = re.compile(r"[.;:!?()\[\]\n]")
_DATE_WORDS = frozenset(("en", "in", "by", "fin", "end", "at", "au", "a", "the", "of", "de", "du", "late", "early"))


def _words_after(folded: str, position: int, limit: int = 6) -> tuple[str, ...]:
    """Folded words after ``position`` up to ``limit``, stopping at a sentence break or a digit."""
    rest = folded[position: position + 120]
    stop = _SENTENCE_BREAK.search(rest)
    if stop and not (stop.group() == "." and rest[stop.start() + 1: stop.start() + 2].isdigit()):
        rest = rest[: stop.start()]
    words: list[str] = []
    for match in _WORD.finditer(rest):
        if match.group().isdigit():
            break
        words.append(match.group().split("'")[-1])
        if len(words) == limit:
            break
    return tuple(words)


@dataclass
class _Attached:
    """A digit number and what is written around it, before ranges are resolved."""

    number: Number
    end: int
    scale: float = 1.0
    currency: str | None = None
    percent: bool = False
    after: tuple[str, ...] = ()
    inherited: tuple[str, ...] = ()  # what the figure before it counts, in a list of dated figures

    def year(self) -> bool:
        return (not self.percent and not self.currency and self.scale == 1.0
                and re.fullmatch(r"\d{4}", self.number.raw) is not None and 1900 <= self.number.value <= 2100)

    def figure(self) -> Figure:
        kind: FigureKind
        if self.percent:
            kind = "percent"
        elif self.currency:
            kind = "money"
        elif self.year():
            kind = "year"
        elif any(w not in _FILLERS for w in self.after):
            kind = "count"
        else:
            kind = "plain"
        return Figure(self.number.value, kind, self.number.start, self.end, self.scale, self.currency,
                      self.after + self.inherited)


def _attach(number: Number, text: str, folded: str) -> _Attached:
    item = _Attached(number, number.end)
    before = _CURRENCY_BEFORE.search(text[max(0, number.start - 6): number.start])
    if before:
        item.currency = CURRENCY_BEFORE[before.group("currency")]
    percent = _PERCENT_AFTER.match(text, item.end)
    if percent:
        item.percent, item.end = True, percent.end()
    else:
        scale = _SCALE_AFTER.match(text, item.end)
        word = scale.group("scale") if scale else ""
        # "M"/"m" alone is a scale only beside a currency ("325 M EUR", "$378m", "325 M€").
        if scale and word in {"M", "m"} and not (item.currency or _CURRENCY_AFTER.match(text, scale.end())):
            scale = None
        if scale and word in {"k", "K"} and scale.start() != item.end:
            scale = None  # "15 k" is too loose; "15k" is a scale
        if scale:
            item.scale, item.end = SCALES[word.lower()], scale.end()
        currency = _CURRENCY_AFTER.match(text, item.end)
        if currency:
            item.currency = item.currency or CURRENCY_AFTER[fold(re.sub(r"\s+", " ", currency.group("currency")))]
            item.end = currency.end()
    item.after = _words_after(folded, item.end)
    if re.match(r"-[^\W\d_]", folded[item.end: item.end + 2]):
        item.after = item.after[:1]  # "a 321-page report": the number counts pages, nothing after
    return item


def _digit_figures(text: str, folded: str) -> list[Figure]:
    items = [_attach(number, text, folded) for number in scan_numbers(text)]
    # "30-50 %", "30 à 50 %", "$2-3 million", "from 9,000 to 5,000 people": the first number of
    # a range takes the second's unit.
    for first, second in pairwise(items):
        if first.end != first.number.end or not _RANGE.match(text[first.number.end: second.number.start]):
            continue
        first.after = second.after
        if second.percent and not first.percent:
            first.percent = True
        elif not first.percent:
            if first.scale == 1.0:
                first.scale = second.scale
            if first.currency is None:
                first.currency = second.currency
            elif second.currency is None:
                second.currency = first.currency
    # "1,57 million de salariés en 2022, 1,7 million en 2023": a figure followed by a date only
    # counts what the last figure of its scale in the sentence counts.
    counted: _Attached | None = None
    for item in (i for i in items if not i.year()):
        between = text[counted.end: item.number.start] if counted else "."
        if (counted and not item.percent and not item.currency and item.scale == counted.scale
                and set(item.after) <= _DATE_WORDS and not _SENTENCE_BREAK.search(between)):
            item.inherited = counted.after
        elif set(item.after) - _FILLERS:
            counted = item
    return [item.figure() for item in items]


_NUM_WORD = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DENOMINATOR = r"\d{1,3}|" + "|".join(sorted({**CARDINALS, **_FRACTION_ONLY}, key=len, reverse=True))
# "one in five", "1 in 5 companies", "nine out of ten", "un sur cinq": numerator, "in", denominator.
_FRACTION_TIGHT = re.compile(
    rf"\b(?P<num>\d{{1,2}}|{_NUM_WORD})\s+(?:in\s+(?:every\s+)?|out\s+of\s+|sur\s+)(?P<den>{_DENOMINATOR})\b"
)
# "one organisation in five", "une entreprise sur cinq": a word between, and nothing counted after
# the denominator ("one company in 20 countries" is not a share).
_FRACTION_LOOSE = re.compile(
    rf"\b(?P<num>\d{{1,2}}|{_NUM_WORD})\s+(?P<noun>[a-z-]+)\s+(?:in|sur)\s+(?P<den>{_DENOMINATOR})\b"
    rf"(?!\s*(?:[a-z]|\d))"
)
_SHARES = (
    (re.compile(r"(?<!first )(?<!second )(?<!premiere )(?<!seconde )(?<!deuxieme )"
                r"\b(?:(?:a|one)\s+half\s+of|half\s+(?:of|the|their|its|all)|la\s+moitie|(?:une\s+)?moitie\s+(?:des|de|du|d'))\b"
                r"(?!\s*(?:19|20)\d\d)"), 50.0),
    (re.compile(r"\b(?:(?:a|one)\s+third\s+of|(?:un|le)\s+tiers\s+(?:des|de|du|d'))"), 100 / 3),
    (re.compile(r"\b(?:two|2)\s+thirds\b|\b(?:two-thirds)\b|\bdeux\s+tiers\b"), 200 / 3),
    (re.compile(r"\b(?:(?:a|one)\s+quarter\s+of|(?:un|le)\s+quart\s+(?:des|de|du|d'))"), 25.0),
    (re.compile(r"\b(?:three|3)\s+quarters\b|\bthree-quarters\b|\btrois\s+quarts\b"), 75.0),
)
_WORD_SCALE = re.compile(
    rf"\b(?P<word>{_NUM_WORD})\s+(?P<scale>thousands?|millions?|billions?|milliards?|trillions?)\b"
)
_WORD_CARDINAL = re.compile(rf"\b(?P<word>{'|'.join(sorted(CARDINALS, key=len, reverse=True))})\b(?!-)")


def _word_value(word: str) -> float:
    return float(_NUMBER_WORDS.get(word, 0)) if not word.isdigit() else float(word)


def _word_figures(text: str, folded: str) -> list[Figure]:
    figures: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_FRACTION_TIGHT, _FRACTION_LOOSE):
        for match in pattern.finditer(folded):
            numerator, denominator = _word_value(match["num"]), _word_value(match["den"])
            if 1 <= numerator < denominator <= 100 and not any(s <= match.start() < e for s, e in taken):
                share = 100 * numerator / denominator
                figures.append(Figure(share, "percent", match.start(), match.end(), in_words=True))
                taken.append((match.start(), match.end()))
    for pattern, share in _SHARES:
        for match in pattern.finditer(folded):
            figures.append(Figure(share, "percent", match.start(), match.end(), in_words=True))
            taken.append((match.start(), match.end()))
    for match in _WORD_SCALE.finditer(folded):
        value = _word_value(match["word"])
        scale = SCALES[match["scale"]]
        currency_match = _CURRENCY_AFTER.match(text, match.end())
        end = currency_match.end() if currency_match else match.end()
        currency = (CURRENCY_AFTER[fold(re.sub(r"\s+", " ", currency_match.group("currency")))]
                    if currency_match else None)
        figures.append(Figure(value, "money" if currency else "count", match.start(), end, scale, currency,
                              _words_after(folded, end), in_words=True))
        taken.append((match.start(), match.end()))
    for match in _WORD_CARDINAL.finditer(folded):
        if any(s <= match.start() < e for s, e in taken):
            continue
        after = _words_after(folded, match.end())
        if after and after[0] not in _FILLERS:  # "three countries": a cardinal counts a noun
            figures.append(Figure(_word_value(match["word"]), "count", match.start(), match.end(),
                                  words_after=after, in_words=True))
    return figures


def figures(text: str, words: bool = True) -> list[Figure]:
    """Every figure of ``text`` in order of position: digits, and with ``words`` number words too."""
    folded = fold(text)
    found = _digit_figures(text, folded) + (_word_figures(text, folded) if words else [])
    return sorted(found, key=lambda f: (f.start, f.end))


# -- years standing alone ----------------------------------------------------------------------------
# ``figures`` reads a year by its context ("la part de 2023 à 4,5 %" is a range of shares there); a quote
# is dated by four digits standing alone (``YEAR``), and a "when" question answered by one from 1800 on.
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
ANY_YEAR = r"\b(?:1[89]\d\d|20\d\d)\b"


# -- the extractive answerer's rival figures -----------------------------------------------------
# A run of digits and separators ("325", "1 500 000", "2023 30"), with a currency symbol before
# it, and the 30 characters that follow it within the clause.
_RUN = re.compile(
    r"(?P<before>(?:US)?[$€£]\s?)?(?P<number>\d+(?:[ \u00a0\u202f,.]\d+)*)(?=(?P<after>[^.;:]{0,30}))"
)
_RUN_PERCENT = re.compile(r"^\s*(%|percent|per cent|pour cent)", re.IGNORECASE)
_RUN_MONEY = re.compile(r"\b(euros?|dollars?|usd|eur|fcfa|mad|dirhams?|rand)\b|\bR\d|US\$", re.IGNORECASE)


def amounts(sentence: str) -> set[tuple[str, str]]:
    """(value, kind) of the figures that can disagree between sources; years only date a claim.

    Kinds (percent, money, count) keep a head count from being taken for a rival to a
    percentage or an amount. These are the answerer's own rules, kept exactly: a currency symbol
    before the run, or one of a few currency words anywhere in the next 30 characters of the
    clause, makes it money. Reading kinds the way ``figures`` does would change which sentences
    count as rivals ("2 $", "10 000 à 20 000 roupies"), and so change answers.
    """
    found = set()
    for match in _RUN.finditer(sentence):
        for value in numbers_in(match.group("number")):
            if value.isdigit() and 1900 <= int(value) <= 2100:
                continue
            if _RUN_PERCENT.match(match.group("after")):
                kind = "percent"
            elif match.group("before") or _RUN_MONEY.search(match.group("after")):
                kind = "money"
            else:
                kind = "count"
            found.add((value, kind))
    return found
