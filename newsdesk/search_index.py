"""An incrementally updatable full-text index of one edition (tantivy).

DuckDB's ``create_fts_index`` can only be rebuilt whole; a tantivy index takes
added, replaced and deleted articles in place (one commit per call), so the
hourly update touches only what changed. One index per edition, each with its
language's Snowball stemmer (the same names the edition specs give DuckDB's fts:
``english``, ``arabic``, ``spanish``; an edition the registry lacks is not stemmed).

    index = SearchIndex(root / "search" / "ar", "ar")
    index.upsert([{"article_id": "a1", "title": "...", "subtitle": None, "body": "..."}])
    index.delete(["a1"])
    index.search("المفاوضات", limit=20)  # -> [(article_id, score), ...] best first

Scoring is BM25 over one field (title, subtitle and body joined), the way the
DuckDB index scores the three columns together; a query is a bag of words (any
word may match), analysed like the text, never parsed as query syntax, so user
input cannot raise a syntax error. Kept up to date by `newsdesk.search_sync`
(the build, and the per-machine cache of a lake); searched by ``newsdesk search``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import tantivy

# Languages tantivy's stemmer filter accepts, by the DuckDB fts stemmer names the
# edition specs use (both are Snowball's list, lower case).
STEMMERS = frozenset(
    {
        *("arabic", "danish", "dutch", "english", "finnish", "french", "german", "greek"),
        *("hungarian", "italian", "norwegian", "portuguese", "romanian", "russian"),
        *("spanish", "swedish", "tamil", "turkish"),
    }
)
# tantivy's built-in stop-word lists (much shorter than DuckDB's english list).
STOPWORDS = frozenset({"english"})
TEXT_FIELDS = ("title", "subtitle", "body")
# One indexing thread and a bounded buffer: the hourly update is small, and the
# machine is shared; tantivy needs at least 15 MB a thread.
WRITER_HEAP_BYTES = 64_000_000
_TOKENIZER = "newsdesk_text"
# A token longer than this is not a word (a URL, base64); tantivy's default too.
_MAX_TOKEN_CHARS = 40


def edition_language(edition: str) -> tuple[str, str]:
    """(stemmer, stop words) of an edition, from its spec; ``none`` for an unknown one."""
    from newsdesk import editions

    for spec in editions.all_editions():
        if spec.code == edition:
            return spec.fts_stemmer, spec.fts_stopwords
    return "none", "none"


def analyzer(stemmer: str, stopwords: str = "none") -> tantivy.TextAnalyzer:
    """The text analysis: split on non-alphanumerics, lower case, fold accents, stem.

    The same steps, in the same order, as DuckDB's fts with ``lower = 1,
    strip_accents = 1`` (accents are folded before stemming, as there).
    """
    if stemmer != "none" and stemmer not in STEMMERS:
        raise ValueError(f"no tantivy stemmer for {stemmer!r}")
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(_MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stopwords in STOPWORDS:
        builder = builder.filter(tantivy.Filter.stopword(stopwords))
    if stemmer != "none":
        builder = builder.filter(tantivy.Filter.stemmer(stemmer))
    return builder.build()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("article_id", stored=True, tokenizer_name="raw")
    # Frequencies without positions: BM25 needs no positions and nothing here asks
    # for phrases, so the index stays smaller.
    builder.add_text_field("text", tokenizer_name=_TOKENIZER, index_option="freq")
    return builder.build()


def article_text(row: Mapping[str, Any]) -> str:
    """Title, subtitle and body of an article, joined (missing parts skipped)."""
    return "\n".join(str(row[f]) for f in TEXT_FIELDS if row.get(f))


class SearchIndex:
    """The tantivy index of one edition in the folder ``path`` (created if missing)."""

    def __init__(self, path: Path | str, edition: str, *, stemmer: str | None = None) -> None:
        """Open or create the index; ``stemmer`` overrides the edition spec's."""
        self.path = Path(path)
        self.edition = edition
        spec_stemmer, stopwords = edition_language(edition)
        self.stemmer = stemmer or spec_stemmer
        self.analyzer = analyzer(self.stemmer, stopwords)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        # Tokenizers are not stored with the index: registered on every open.
        self._index.register_tokenizer(_TOKENIZER, self.analyzer)

    def _write(self, rows: Iterable[Mapping[str, Any]], ids: Iterable[str]) -> int:
        writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        n = 0
        try:
            for article_id in ids:
                writer.delete_documents_by_term("article_id", article_id)
            for row in rows:
                article_id = str(row["article_id"])
                # Replaces any earlier version: deletes apply to documents added
                # before them in the same commit only, so delete first, then add.
                writer.delete_documents_by_term("article_id", article_id)
                writer.add_document(tantivy.Document(article_id=article_id, text=article_text(row)))
                n += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        self._index.reload()
        return n

    def upsert(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Add articles, replacing any indexed under the same ``article_id``; one commit.

        Each row needs ``article_id`` and any of ``title``, ``subtitle``, ``body``.
        Returns the number of rows written.
        """
        return self._write(rows, ())

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the articles with these ids (unknown ids are ignored); one commit."""
        self._write((), [str(i) for i in ids])

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text`` (what a search for it looks up)."""
        return list(dict.fromkeys(self.analyzer.analyze(text)))

    def search(self, query: str, limit: int = 20) -> list[tuple[str, float]]:
        """The best ``limit`` matches of any word of ``query``: (article_id, BM25 score)."""
        return self.search_counted(query, limit)[0]

    def search_counted(self, query: str, limit: int = 20) -> tuple[list[tuple[str, float]], int]:
        """`search`, and how many articles match in all (to know if a deeper look can help)."""
        terms = self.terms(query)
        if not terms or limit <= 0:
            return [], 0
        subqueries: Sequence[tuple[tantivy.Occur, tantivy.Query]] = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t, "freq"))
            for t in terms
        ]
        searcher = self._index.searcher()
        result = searcher.search(tantivy.Query.boolean_query(subqueries), limit, count=True)
        hits = [
            (str(searcher.doc(address)["article_id"][0]), float(score))
            for score, address in result.hits
        ]
        return hits, int(result.count or 0)

    def count(self) -> int:
        """How many articles the index holds."""
        return int(self._index.searcher().num_docs)

    def size_bytes(self) -> int:
        """The index's size on disk."""
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())
