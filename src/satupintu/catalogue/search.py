"""Service search that understands Indonesian: stems, common spellings and typos.

Pure: the caller builds an index from documents and queries it. "akta lahir" finds
"Akta Kelahiran" (stemming), "ijin usaha" finds "izin berusaha" (spelling variants and
stemming), "ktp" finds "KTP-el", and "kartu kluarga" still finds "Kartu Keluarga"
(fuzzy match).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

# Spelling variants and abbreviations citizens type, mapped to the words services use.
VARIANTS: dict[str, tuple[str, ...]] = {
    "ijin": ("izin",),
    "akte": ("akta",),
    "ktp": ("ktp", "penduduk"),
    "ektp": ("ktp",),
    "kk": ("keluarga",),
    "kia": ("kartu", "identitas", "anak"),
    "sim": ("surat", "izin", "mengemudi"),
    "stnk": ("stnk", "kendaraan"),
    "pbb": ("pbb", "pajak", "bumi", "bangunan"),
    "imb": ("pbg", "bangunan"),
    "nib": ("nib", "nomor", "induk", "berusaha"),
    "bpjs": ("bpjs", "jkn"),
    "skck": ("skck", "catatan", "kepolisian"),
    "rekening": ("rekening", "tabungan"),
    "praktek": ("praktik",),
    "apotik": ("apotek",),
    "kwitansi": ("kuitansi",),
    "sertipikat": ("sertifikat",),
    "nikah": ("nikah", "kawin"),
    "kawin": ("kawin", "nikah"),
    "mati": ("mati", "kematian"),
}

STOPWORDS = frozenset(
    ["dan", "atau", "di", "ke", "dari", "untuk", "yang", "buat", "bikin", "cara", "urus", "mengurus", "membuat",
     "pembuatan", "layanan", "pelayanan", "saya", "mau", "ingin", "bagaimana", "dengan", "the", "a", "of", "for",
     "to", "how"]
)

_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


@lru_cache(maxsize=1)
def _stemmer() -> Any:  # Sastrawi has no type hints
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    if len(word) <= 3 or word.isdigit():
        return word
    return _stemmer().stem(word) or word


def terms(text: str) -> set[str]:
    """Every word in its written and its stemmed form."""
    out: set[str] = set()
    for w in words(text):
        out.add(w)
        out.add(stem(w))
    return out


@dataclass(frozen=True)
class SearchDoc:
    key: str
    name: str
    keywords: tuple[str, ...] = ()
    agency: str = ""
    body: str = ""


# Where a match counts most: the service name, then what citizens call it, then the agency.
WEIGHTS = {"name": 3.0, "keywords": 2.5, "agency": 1.5, "body": 1.0}
FUZZY_CUTOFF = 80


@dataclass
class _Entry:
    key: str
    fields: dict[str, set[str]]
    phrases: frozenset[str] = frozenset()  # the name and each keyword, as normalised word runs


@dataclass
class SearchIndex:
    entries: list[_Entry] = field(default_factory=list)
    vocabulary: list[str] = field(default_factory=list)


def build_index(docs: list[SearchDoc]) -> SearchIndex:
    entries = []
    vocab: set[str] = set()
    for doc in docs:
        fields = {
            "name": terms(doc.name),
            "keywords": terms(" ".join(doc.keywords)),
            "agency": terms(doc.agency),
            "body": terms(doc.body),
        }
        for f in fields.values():
            vocab |= f
        phrases = frozenset(" ".join(words(p)) for p in (doc.name, *doc.keywords))
        entries.append(_Entry(doc.key, fields, phrases))
    return SearchIndex(entries, sorted(vocab))


def _query_groups(query: str, vocabulary: list[str]) -> list[dict[str, float]]:
    """For each query word: the index terms it may stand for, with how sure we are."""
    groups = []
    for w in words(query):
        if w in STOPWORDS:
            continue
        candidates: dict[str, float] = {w: 1.0, stem(w): 1.0}
        for variant in VARIANTS.get(w, ()):
            candidates.setdefault(variant, 0.95)
            candidates.setdefault(stem(variant), 0.95)
        if len(w) >= 4:
            for term, score, _ in process.extract(w, vocabulary, scorer=fuzz.ratio,
                                                   score_cutoff=FUZZY_CUTOFF, limit=5):
                candidates.setdefault(term, score / 100 * 0.8)
            if len(w) >= 3:
                for term in vocabulary:
                    if term.startswith(w) and term not in candidates:
                        candidates[term] = 0.85
        groups.append(candidates)
    return groups


def _query_phrases(query: str) -> set[str]:
    """The query as written and with each word in its usual spelling ('ijin usaha' -> 'izin usaha')."""
    ws = [w for w in words(query) if w not in STOPWORDS]
    if not ws:
        return set()
    return {" ".join(ws), " ".join(VARIANTS.get(w, (w,))[0] for w in ws)}


PHRASE_BONUS = 1.0  # the whole query is what citizens call this service
FIELD_BONUS = 0.05  # a word found in several places (name, keywords, body) ranks a little higher


def search(index: SearchIndex, query: str, limit: int = 50) -> list[tuple[str, float]]:
    """Keys of matching documents, best first. Every meaningful query word must match."""
    groups = _query_groups(query, index.vocabulary)
    if not groups:
        return []
    phrases = _query_phrases(query)
    results: list[tuple[str, float]] = []
    for entry in index.entries:
        total = 0.0
        for candidates in groups:
            best = 0.0
            fields_hit = 0
            for fname, fterms in entry.fields.items():
                hit = max((certainty for term, certainty in candidates.items() if term in fterms), default=0.0)
                if hit:
                    fields_hit += 1
                    best = max(best, hit * WEIGHTS[fname])
            if best == 0.0:
                break
            total += best + FIELD_BONUS * (fields_hit - 1)
        else:
            score = total / len(groups)
            if phrases & entry.phrases:
                score += PHRASE_BONUS
            elif any(p in phrase for p in phrases for phrase in entry.phrases):
                score += PHRASE_BONUS / 2
            results.append((entry.key, round(score, 4)))
    results.sort(key=lambda kv: (-kv[1], kv[0]))
    return results[:limit]
