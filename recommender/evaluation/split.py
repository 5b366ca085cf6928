"""Train/test splits of an interaction log, vectorised over users.

Two protocols: leave-last-out (each user's latest interaction is the test
case, the usual protocol for next-item data such as amazon-beauty) and a
global time split (train before a date, test after, as the shop would
experience it). Both return :class:`~recommender.interactions.Interactions`.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from recommender.interactions import Interactions

__all__ = ["leave_last_out", "time_split"]


def leave_last_out(interactions: Interactions) -> tuple[Interactions, Interactions]:
    """Hold out each user's last interaction.

    "Last" is by timestamp; among equal timestamps the row later in the
    input wins. Users with fewer than two interactions stay in training
    only. Every other row, including earlier interactions of the same user
    with the held-out item, is training data.

    Parameters
    ----------
    interactions : Interactions

    Returns
    -------
    train, test : Interactions
        Disjoint sets of rows; ``test`` has at most one row per user.

    Examples
    --------
    >>> inter = Interactions.from_records([("u1", "a"), ("u1", "b"), ("u2", "c")])
    >>> train, test = leave_last_out(inter)
    >>> test.item_ids.tolist(), sorted(train.item_ids.tolist())
    (['b'], ['a', 'c'])
    """
    n = len(interactions)
    if n == 0:
        return interactions, interactions
    user_codes = pd.factorize(interactions.user_ids)[0]
    order = np.lexsort((np.arange(n), interactions.timestamps, user_codes))
    sorted_users = user_codes[order]
    is_last = np.ones(n, dtype=bool)
    is_last[:-1] = sorted_users[:-1] != sorted_users[1:]
    counts = np.bincount(user_codes)
    held = order[is_last & (counts[sorted_users] >= 2)]
    test_mask = np.zeros(n, dtype=bool)
    test_mask[held] = True
    return interactions.take(~test_mask), interactions.take(np.sort(held))


def _to_seconds(cutoff: float | str | datetime) -> float:
    if isinstance(cutoff, (int, float, np.number)):
        return float(cutoff)
    stamp = pd.Timestamp(cutoff)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return (stamp - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)


def time_split(interactions: Interactions, cutoff: float | str | datetime
               ) -> tuple[Interactions, Interactions]:
    """Train on interactions before ``cutoff``, test on those at or after it.

    The test set keeps only rows whose user and item both occur in training,
    since neither a brand-new visitor nor a brand-new item can be scored by a
    collaborative model.

    Parameters
    ----------
    interactions : Interactions
    cutoff : float, str or datetime
        Unix seconds, or an ISO 8601 date / datetime (naive means UTC).

    Returns
    -------
    train, test : Interactions

    Examples
    --------
    >>> inter = Interactions.from_records([
    ...     {"user_id": "u1", "item_id": "a", "timestamp": "2011-01-01"},
    ...     {"user_id": "u1", "item_id": "a", "timestamp": "2011-10-01"},
    ...     {"user_id": "u2", "item_id": "b", "timestamp": "2011-10-01"}])
    >>> train, test = time_split(inter, "2011-09-01")
    >>> len(train), test.user_ids.tolist()
    (1, ['u1'])
    """
    seconds = _to_seconds(cutoff)
    before = interactions.timestamps < seconds
    train = interactions.take(before)
    after = ~before
    known = (
        pd.Index(pd.unique(train.user_ids)).get_indexer(interactions.user_ids) >= 0
    ) & (pd.Index(pd.unique(train.item_ids)).get_indexer(interactions.item_ids) >= 0)
    return train, interactions.take(after & known)
