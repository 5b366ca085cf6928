"""Content-based similarity between products and articles.

Collaborative signals need history; a product added this morning, or a visitor reading
their first article, has none. TF-IDF over the words that describe items and articles
(name, description, tags, attribute words) still links "an article about shock absorption
and arch support" to "the cushioned walking shoe with high arch support", so this model is
what answers for brand-new items and visitors, and what explains a recommendation by
"Because you read ...".

Items and articles are fitted together so that they share one vocabulary and one set of
document frequencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from recommender.compact import CompactVocabulary
from recommender.sparse import csr_rows, prune_rows

__all__ = ["ContentModel"]


def _as_ids(ids: Iterable[str], what: str) -> np.ndarray:
    arr = np.asarray([str(i) for i in ids], dtype=object)
    if len(set(arr.tolist())) != len(arr):
        raise ValueError(f"{what} must be unique")
    return arr


class ContentModel(BaseEstimator):
    """TF-IDF similarity between items (products), documents (articles) and free text.

    Parameters
    ----------
    ngram_range : tuple of int, default=(1, 2)
        Unigrams and bigrams ("arch support" is a phrase worth matching).
    min_df : int or float, default=1
        Ignore terms that appear in fewer documents than this.
    max_df : float, default=0.9
        Ignore terms that appear in more than this share of documents (shop boilerplate).
    max_features : int or None, default=None
        Keep only the most frequent terms; ``None`` keeps all.
    stop_words : str or list or None, default="english"
        Passed to :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    max_postings : int or None, default=2000
        Serving speed for large catalogs: each term only remembers the items where it weighs
        most (impact-ordered pruning of the inverted index). Exact whenever a term occurs in
        at most this many items, so always exact for a catalog of that size; ``None`` keeps
        every posting.
    max_query_terms : int or None, default=200
        A query (an article, a visitor's history) keeps only its highest-weighted terms among
        those that occur in some item (the others cannot score anyway).
    max_query_postings : int or None, default=50000
        Serving speed for large catalogs: a query reads at most this many postings, its
        highest-weighted terms first (the terms it drops are the common, low-weight ones whose
        postings are longest). Exact whenever the query's terms have fewer postings in all,
        so always exact for a catalog of ``max_query_postings / max_query_terms`` items;
        ``None`` reads them all.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        Fitted on item and document texts together; its ``vocabulary_`` is a
        :class:`~recommender.compact.CompactVocabulary`.
    item_ids_ : ndarray of str, shape (n_items,)
    doc_ids_ : ndarray of str, shape (n_docs,)
    item_matrix_ : csr_matrix, shape (n_items, n_terms)
        L2-normalised TF-IDF rows, so a dot product is a cosine similarity.
    doc_matrix_ : csr_matrix, shape (n_docs, n_terms)
    item_index_, doc_index_ : CompactVocabulary
        Id → row (a read-only mapping in flat arrays, shared by the processes that map it).
    postings_ : csr_matrix, shape (n_terms, n_items)
        Term-major (inverted) index used to score queries, pruned to ``max_postings``.

    Examples
    --------
    >>> model = ContentModel().fit(
    ...     ["walker", "belt"],
    ...     ["cushioned walking shoe with arch support", "lumbar support belt for posture"],
    ...     doc_ids=["article:walking"],
    ...     doc_texts=["walking in a cushioned shoe with good arch support"],
    ... )
    >>> model.item_ids_[model.doc_similarities("article:walking").argmax()]
    'walker'
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int | float = 1,
        max_df: float = 0.9,
        max_features: int | None = None,
        stop_words: str | list[str] | None = "english",
        max_postings: int | None = 2000,
        max_query_terms: int | None = 200,
        max_query_postings: int | None = 50_000,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.stop_words = stop_words
        self.max_postings = max_postings
        self.max_query_terms = max_query_terms
        self.max_query_postings = max_query_postings

    def fit(
        self,
        item_ids: Sequence[str],
        item_texts: Sequence[str],
        doc_ids: Sequence[str] = (),
        doc_texts: Sequence[str] = (),
    ) -> ContentModel:
        """Learn the vocabulary and the TF-IDF vectors of items and documents.

        Parameters
        ----------
        item_ids, item_texts : sequences of str of equal length
            One text per item (the caller joins name, description, tags, attribute words).
        doc_ids, doc_texts : sequences of str of equal length, default=()
            Articles; they share the vocabulary with the items.

        Returns
        -------
        self
        """
        item_ids_ = _as_ids(item_ids, "item_ids")
        doc_ids_ = _as_ids(doc_ids, "doc_ids")
        item_texts = [t or "" for t in item_texts]
        doc_texts = [t or "" for t in doc_texts]
        if len(item_texts) != len(item_ids_):
            raise ValueError("item_ids and item_texts must have the same length")
        if len(doc_texts) != len(doc_ids_):
            raise ValueError("doc_ids and doc_texts must have the same length")
        if len(item_ids_) == 0:
            raise ValueError("ContentModel needs at least one item")

        n_total = len(item_texts) + len(doc_texts)
        # With only a couple of texts a max_df share would drop every shared word.
        max_df = self.max_df if n_total >= 10 else 1.0
        vectorizer = TfidfVectorizer(
            stop_words=self.stop_words,
            sublinear_tf=True,
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            max_df=max_df,
            max_features=self.max_features,
            dtype=np.float32,
        )
        try:
            matrix = vectorizer.fit_transform(list(item_texts) + list(doc_texts))
        except ValueError as exc:  # e.g. every text empty or made of stop words only
            raise ValueError(f"cannot build a vocabulary from the item texts: {exc}") from exc
        matrix = sp.csr_matrix(matrix, dtype=np.float32)

        # Flat arrays instead of a dict of ~700k strings at 100k products: mapped, not copied,
        # by every worker that loads the model (recommender.compact).
        vectorizer.vocabulary_ = CompactVocabulary(vectorizer.vocabulary_)
        self.vectorizer_ = vectorizer
        self.item_ids_ = item_ids_
        self.doc_ids_ = doc_ids_
        self.item_index_ = CompactVocabulary({item_id: i for i, item_id in enumerate(item_ids_.tolist())})
        self.doc_index_ = CompactVocabulary({doc_id: i for i, doc_id in enumerate(doc_ids_.tolist())})
        self.item_matrix_ = matrix[: len(item_ids_)].tocsr()
        self.doc_matrix_ = matrix[len(item_ids_):].tocsr()
        # Term-major copy: a query only touches the postings of its own terms.
        self.postings_ = prune_rows(self.item_matrix_.T.tocsr(), self.max_postings)
        return self

    # ------------------------------------------------------------------ vectors
    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF vectors (L2-normalised rows) of new texts in the fitted vocabulary."""
        check_is_fitted(self, "vectorizer_")
        return sp.csr_matrix(self.vectorizer_.transform([t or "" for t in texts]), dtype=np.float32)

    def item_vector(self, item_id: str) -> sp.csr_matrix:
        """The 1 × n_terms TF-IDF row of a fitted item; ``KeyError`` if unknown."""
        check_is_fitted(self, "vectorizer_")
        return self.item_matrix_[self.item_index_[item_id]]

    def doc_vector(self, doc_id: str) -> sp.csr_matrix:
        """The 1 × n_terms TF-IDF row of a fitted document; ``KeyError`` if unknown."""
        check_is_fitted(self, "vectorizer_")
        return self.doc_matrix_[self.doc_index_[doc_id]]

    def vector(self, any_id: str) -> sp.csr_matrix | None:
        """Row of an item or a document by id, or ``None`` when neither is known."""
        check_is_fitted(self, "vectorizer_")
        if any_id in self.item_index_:
            return self.item_matrix_[self.item_index_[any_id]]
        if any_id in self.doc_index_:
            return self.doc_matrix_[self.doc_index_[any_id]]
        return None

    def similarities_to_vectors(self, vectors: sp.spmatrix) -> np.ndarray:
        """Cosine similarity of each row of ``vectors`` to every item.

        Returns a dense float32 array of shape (n_rows, n_items).
        Cost grows with the (pruned) postings of the query terms, not with the catalog size.
        """
        check_is_fitted(self, "vectorizer_")
        vectors = sp.csr_matrix(vectors, dtype=np.float32)
        out = np.empty((vectors.shape[0], len(self.item_ids_)), dtype=np.float32)
        for row in range(vectors.shape[0]):
            start, end = vectors.indptr[row], vectors.indptr[row + 1]
            out[row] = self.score_terms(vectors.indices[start:end], vectors.data[start:end])
        return out

    def weighted_similarities(
        self, vectors: sp.spmatrix, weights: np.ndarray | Sequence[float]
    ) -> np.ndarray:
        """``sum_k weights[k] * cosine(vectors[k], item)`` for every item, in one pass.

        The weighted sum of cosines equals one dot product with the weighted sum of the
        (normalised) rows, so several sources cost about as much as one.

        Returns
        -------
        ndarray of float32, shape (n_items,)
        """
        check_is_fitted(self, "vectorizer_")
        vectors = sp.csr_matrix(vectors, dtype=np.float32)
        weights = np.asarray(weights, dtype=np.float32)
        per_entry = vectors.data * np.repeat(weights, np.diff(vectors.indptr))
        terms, inverse = np.unique(vectors.indices, return_inverse=True)
        values = np.bincount(inverse, weights=per_entry, minlength=len(terms))
        return self.score_terms(terms, values)

    def score_terms(self, terms: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Dense scores over items of a query given as term ids and weights.

        The query ``{terms[i]: values[i]}`` is in the fitted vocabulary (unique term ids, e.g.
        a weighted sum of TF-IDF rows); the other methods all end here.

        Returns
        -------
        ndarray of float32, shape (n_items,)
        """
        if not hasattr(self, "postings_"):  # the hot path: skip the full check when fitted
            check_is_fitted(self, "postings_")
        n_items = len(self.item_ids_)
        terms = np.asarray(terms, dtype=np.intp)
        values = np.asarray(values, dtype=np.float64)
        postings = self.postings_
        # Terms no item uses (most of a long article) cannot score; drop them before capping.
        used = postings.indptr[terms + 1] > postings.indptr[terms]
        terms, values = terms[used], values[used]
        if self.max_query_terms is not None and len(terms) > self.max_query_terms:
            keep = np.argpartition(-np.abs(values), self.max_query_terms - 1)
            keep = keep[: self.max_query_terms]
            terms, values = terms[keep], values[keep]
        budget = getattr(self, "max_query_postings", None)  # absent from older artifacts
        if budget is not None and len(terms):
            counts = postings.indptr[terms + 1] - postings.indptr[terms]
            if int(counts.sum()) > budget:
                strongest = np.argsort(-np.abs(values), kind="stable")
                within = np.cumsum(counts[strongest]) <= budget
                within[0] = True  # the strongest term is always read
                keep = np.sort(strongest[within])  # the query's own term order
                terms, values = terms[keep], values[keep]
        if not len(terms):
            return np.zeros(n_items, dtype=np.float32)
        # Every posting of every query term, without a Python loop.
        lengths, items, data = csr_rows(postings, terms)
        if not len(items):
            return np.zeros(n_items, dtype=np.float32)
        weights = data * np.repeat(values, lengths)
        sims = np.bincount(items, weights=weights, minlength=n_items)
        return np.clip(sims, 0.0, 1.0).astype(np.float32)

    def cosine_block(self, a: sp.spmatrix, b: sp.spmatrix) -> np.ndarray:
        """Dense cosine matrix between the rows of two small TF-IDF matrices.

        Works in the union of the two matrices' terms, so its cost does not depend on the
        vocabulary size, and stays sparse (no BLAS threads for a tiny product).
        """
        a = sp.csr_matrix(a, dtype=np.float32)
        b = sp.csr_matrix(b, dtype=np.float32)
        terms = np.union1d(a.indices, b.indices)

        def compact(m: sp.csr_matrix) -> sp.csr_matrix:
            return sp.csr_matrix(
                (m.data, np.searchsorted(terms, m.indices), m.indptr),
                shape=(m.shape[0], len(terms)),
            )

        product = (compact(a) @ compact(b).T).toarray()
        return np.clip(product, 0.0, 1.0).astype(np.float32)

    # ------------------------------------------------------------- similarities
    def item_similarities(self, item_id: str) -> np.ndarray:
        """Cosine similarity of a fitted item to every item (itself included, ≈ 1).

        Parameters
        ----------
        item_id : str

        Returns
        -------
        ndarray of float32, shape (n_items,)

        Raises
        ------
        KeyError
            If ``item_id`` was not fitted; use :meth:`text_similarities` for new items.
        """
        return self.similarities_to_vectors(self.item_vector(item_id))[0]

    def doc_similarities(self, doc_id: str) -> np.ndarray:
        """Cosine similarity of a fitted document (article) to every item.

        Returns
        -------
        ndarray of float32, shape (n_items,)
        """
        return self.similarities_to_vectors(self.doc_vector(doc_id))[0]

    def text_similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of a brand-new text (a new product, a search) to every item.

        Returns
        -------
        ndarray of float32, shape (n_items,)
            All zeros when the text shares no term with the vocabulary.
        """
        return self.similarities_to_vectors(self.transform([text]))[0]
