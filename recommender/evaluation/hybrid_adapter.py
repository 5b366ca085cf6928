"""The shop's hybrid ranker behind the evaluation runner's matrix-model interface.

The runner speaks ``fit(X)`` / ``recommend(user_items, N)`` over integer indices; the hybrid
speaks item ids, texts and visitor contexts. This adapter translates, so the model the shop
serves is measured with the same split and metric code as every other model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from recommender.hybrid import HybridRecommender, ItemInfo, VisitorContext
from recommender.interactions import Interactions

__all__ = ["HybridAsMatrixModel"]


class HybridAsMatrixModel:
    """Evaluate a :class:`HybridRecommender` as if it were a matrix model.

    Parameters
    ----------
    hybrid : HybridRecommender
        Unfitted; fitted on the runner's train matrix.
    item_ids : sequence of str
        Item id of each matrix column (the runner's item index order).
    titles : mapping of item id -> str, optional
        Item texts (for example an items file's ``title``); without them the content
        signal has only the ids to go on and the hybrid leans on its other signals.

    Examples
    --------
    >>> from recommender.evaluation.runner import evaluate
    >>> from recommender.evaluation.split import leave_last_out
    >>> inter = Interactions.from_records(
    ...     [("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b"), ("u3", "a"), ("u3", "b")])
    >>> train, test = leave_last_out(inter)
    >>> model = HybridAsMatrixModel(HybridRecommender(diversity=0.0), ["a", "b"])
    >>> evaluate({"hybrid": model}, train, test, k=1, progress=False)["hybrid"]["hit_rate@1"]
    1.0
    """

    #: The runner passes each entry's latest time to ``fit`` and ``recommend``, so the
    #: hybrid learns and serves with the order a shopper's history has.
    uses_order = True

    def __init__(self, hybrid: HybridRecommender, item_ids: Sequence[str],
                 titles: Mapping[str, str] | None = None):
        self.hybrid = hybrid
        self.item_ids = item_ids
        self.titles = titles

    def fit(self, X: sp.csr_matrix, times: sp.csr_matrix | None = None) -> HybridAsMatrixModel:
        """Fit the hybrid on the rows of ``X`` as one user each, ``times`` their order."""
        ids = np.asarray(self.item_ids, dtype=object)
        titles = self.titles or {}
        items = [
            ItemInfo(item_id=str(i), title=titles.get(i, str(i)), text=titles.get(i, f"item {i}"),
                     category_path=(), attributes={})
            for i in ids
        ]
        X = sp.csr_matrix(X)
        coo = X.tocoo()
        interactions = Interactions(
            user_ids=np.char.add("u", coo.row.astype(str)).astype(object),
            item_ids=ids[coo.col],
            weights=coo.data.astype(np.float64),
            timestamps=_entry_times(X, times),
            events=np.full(coo.nnz, "purchase", dtype=object),
        )
        self.hybrid.fit(items, interactions)
        self.index_ = {item: position for position, item in enumerate(ids)}
        self.ids_ = ids
        return self

    def recommend(self, user_items: sp.csr_matrix, N: int = 10,
                  filter_already_liked_items: bool = True, *, times=None):
        """Top-``N`` item indices per row, one visitor context per user (seen items excluded),
        each history in the order of ``times``."""
        user_items = sp.csr_matrix(user_items)
        stamps = _entry_times(user_items, times)
        top = np.full((user_items.shape[0], N), -1, dtype=np.int64)
        scores = np.zeros((user_items.shape[0], N), dtype=np.float32)
        for row in range(user_items.shape[0]):
            start, stop = user_items.indptr[row], user_items.indptr[row + 1]
            seen = self.ids_[user_items.indices[start:stop]]
            when = stamps[start:stop]
            context = VisitorContext(
                kind="home",
                history=[(item, "purchase", float(t)) for item, t in zip(seen, when, strict=False)],
                purchased=list(seen) if filter_already_liked_items else (),
            )
            picks = self.hybrid.recommend(context, n=N)
            for column, pick in enumerate(picks):
                top[row, column] = self.index_[pick.item_id]
                scores[row, column] = pick.score
        return top, scores


def _entry_times(X: sp.csr_matrix, times) -> np.ndarray:
    """The time of each stored entry of ``X`` (row order), zeros without ``times``."""
    if times is None:
        return np.zeros(X.nnz)
    from recommender.ordering import aligned_times

    return aligned_times(X, times)
