"""Seeded synthetic catalogs and interaction logs for the serving and training benchmarks.

Not real data and not meant to measure quality: it only has to look like a shop's event log
to the code under test, so that fit time, memory and serving latency are what they would be.

- **Catalog**: ``n_items`` products in 5 root / 20 leaf categories, product texts made of
  category phrases plus shared phrases (a vocabulary that grows with the catalog, as a real
  one does), the catalog's attribute vocabulary (arch support, cushioning, stability,
  terrain, conditions, widths), plus ``n_docs`` articles.
- **Item popularity**: power law (Zipf, exponent ``alpha``) over a random permutation of
  the items, so best-sellers are spread over categories.
- **Sessions with co-occurrence**: users are sessions of log-normal length (mean ~10 events);
  each has a taste cluster (about 100 items of one leaf category) and draws ``p_cluster`` of
  its events from it (by popularity), the rest from the whole catalog; with probability
  ``p_partner`` an event is the "bought together" partner of the previous product (a fixed
  complement in another category); ``p_read`` of events are article reads (each cluster has
  its articles). Events are views, carts and purchases (80/13/7 %), timestamps over 60 days.

Everything is vectorised NumPy so 10M interactions take seconds, and seeded so the same
arguments give the same data.
"""

from __future__ import annotations

import numpy as np

from recommender.hybrid import Document, ItemInfo
from recommender.interactions import Interactions

ROOTS = ("footwear", "insoles", "supports", "walking-aids", "care")
LEAVES_PER_ROOT = 4
N_LEAVES = len(ROOTS) * LEAVES_PER_ROOT
DAY = 86_400.0
END = 1_760_000_000.0  # a fixed "now" (2025-10-09), so runs are reproducible

_WORDS = (
    "arch support cushioned heel lumbar posture brace walking trail pavement shock absorbing "
    "orthotic insole stability motion control wide fit breathable mesh leather padded collar "
    "memory foam gel firm soft lightweight recovery massage ergonomic back pain relief spine "
    "neutral pronation plantar fascia knee hip sciatica neck strap adjustable cane rollator "
    "seat handle grip folding compact travel daily comfort outdoor indoor waterproof grip sole "
    "rocker drop toe box roomy sock compression cooling warming pad pillow cushion belt"
).split()


def _phrases(rng: np.random.Generator, n: int, words: list[str]) -> list[str]:
    lengths = rng.integers(2, 5, size=n)
    return [" ".join(rng.choice(words, size=k)) for k in lengths]


def make_catalog(n_items: int, n_docs: int = 60, seed: int = 0) -> tuple[list[ItemInfo], list[Document], np.ndarray]:
    """Products and articles; also returns each product's taste cluster (int array)."""
    rng = np.random.default_rng(seed)
    # Product-specific words grow the vocabulary with the catalog (model names, materials).
    n_vocab = max(200, n_items // 5)
    vocab = [f"{w}{i}" for i, w in enumerate(rng.choice(_WORDS, size=n_vocab))]
    base = list(_WORDS)
    leaf_phrases = [_phrases(rng, 40, base) for _ in range(N_LEAVES)]
    shared = _phrases(rng, 400, base)

    n_clusters = max(N_LEAVES, n_items // 100)
    cluster = rng.integers(0, n_clusters, size=n_items)
    leaf = cluster % N_LEAVES
    arch = rng.choice(("low", "medium", "high"), size=n_items)
    cushion = rng.choice(("low", "medium", "high"), size=n_items)
    stab = rng.choice(("neutral", "stability", "motion-control"), size=n_items)
    conds = ("lower-back-pain", "neck-pain", "plantar-fasciitis", "flat-feet", "knee-pain",
             "posture", "sciatica")
    pick_leaf = rng.integers(0, 40, size=(n_items, 3))
    pick_shared = rng.integers(0, len(shared), size=(n_items, 2))
    pick_vocab = rng.integers(0, n_vocab, size=(n_items, 3))
    n_cond = rng.integers(1, 3, size=n_items)
    cond_pick = rng.integers(0, len(conds), size=(n_items, 2))
    cond_pick[:, 1] = (cond_pick[:, 0] + 1 + cond_pick[:, 1] % (len(conds) - 1)) % len(conds)
    items: list[ItemInfo] = []
    for i in range(n_items):
        lf = int(leaf[i])
        root = ROOTS[lf // LEAVES_PER_ROOT]
        path = (root, f"{root}-{lf % LEAVES_PER_ROOT}")
        phrases = [leaf_phrases[lf][j] for j in pick_leaf[i]] + [shared[j] for j in pick_shared[i]]
        text = ". ".join(phrases) + ". " + " ".join(vocab[j] for j in pick_vocab[i])
        attributes: dict = {"conditions": [conds[j] for j in cond_pick[i][: n_cond[i]]]}
        widths: tuple[str, ...] = ()
        if root == "footwear":
            attributes.update(arch_support=str(arch[i]), cushioning=str(cushion[i]),
                              stability=str(stab[i]), terrain=["pavement"])
            widths = ("regular", "wide") if i % 3 == 0 else ("regular",)
        items.append(ItemInfo(
            item_id=f"p{i:06d}", title=f"{vocab[pick_vocab[i][0]].title()} {i}", text=text,
            category_path=path, attributes=attributes, widths=widths,
            consumable=root == "care" and i % 2 == 0,
        ))
    docs = [
        Document(f"article:a{d:03d}", f"Article {d}",
                 ". ".join(leaf_phrases[d % N_LEAVES][:10] + shared[d::50]))
        for d in range(n_docs)
    ]
    return items, docs, cluster


def make_interactions(n_rows: int, n_items: int, cluster: np.ndarray, n_docs: int = 60,
                      seed: int = 1, alpha: float = 1.0, p_cluster: float = 0.75,
                      p_partner: float = 0.15, p_read: float = 0.04,
                      mean_session: float = 10.0) -> Interactions:
    """``n_rows`` interactions (exactly) over ``n_items`` products and ``n_docs`` articles."""
    rng = np.random.default_rng(seed)
    # Session lengths: log-normal, at least 1, trimmed to n_rows in total.
    sigma = 0.9
    mu = np.log(mean_session) - sigma**2 / 2
    lengths = np.maximum(1, rng.lognormal(mu, sigma, size=int(n_rows / mean_session * 1.3) + 10)).astype(np.int64)
    ends = np.cumsum(lengths)
    n_users = int(np.searchsorted(ends, n_rows) + 1)
    lengths = lengths[:n_users].copy()
    lengths[-1] -= int(ends[n_users - 1] - n_rows)
    user = np.repeat(np.arange(n_users), lengths)

    # Power-law popularity over a random permutation of the items.
    pop = np.empty(n_items)
    pop[rng.permutation(n_items)] = 1.0 / np.arange(1, n_items + 1) ** alpha
    # Cumulative popularity inside each cluster (items sorted by cluster).
    n_clusters = int(cluster.max()) + 1
    order = np.argsort(cluster, kind="stable")
    cum = np.cumsum(pop[order])
    starts = np.searchsorted(cluster[order], np.arange(n_clusters), side="left")
    stops = np.searchsorted(cluster[order], np.arange(n_clusters), side="right")
    lo = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    hi = cum[np.maximum(stops - 1, 0)]
    cluster_pop = np.where(stops > starts, hi - lo, 0.0)

    # Each user's taste cluster, by cluster popularity.
    taste = rng.choice(n_clusters, size=n_users, p=cluster_pop / cluster_pop.sum())
    row_taste = taste[user]
    in_cluster = rng.random(n_rows) < p_cluster
    u = rng.random(n_rows)
    # In-cluster draws: inverse CDF on the cluster's slice of the cumulative popularity.
    t_lo, t_hi = lo[row_taste], hi[row_taste]
    pos = np.searchsorted(cum, t_lo + u * (t_hi - t_lo), side="right")
    pos = np.minimum(np.maximum(pos, starts[row_taste]), stops[row_taste] - 1)
    from_cluster = order[pos]
    # Global draws: inverse CDF on the whole popularity.
    gcum = np.cumsum(pop)
    from_all = np.minimum(np.searchsorted(gcum, u * gcum[-1], side="right"), n_items - 1)
    item = np.where(in_cluster, from_cluster, from_all)
    # "Bought together": a fixed partner of the previous product, in another category.
    partner = rng.permutation(n_items)
    follow = (rng.random(n_rows) < p_partner)
    follow[0] = False
    follow &= user == np.roll(user, 1)
    item[follow] = partner[item[np.flatnonzero(follow) - 1]]

    item_ids = np.array([f"p{i:06d}" for i in range(n_items)], dtype=object)
    doc_ids = np.array([f"article:a{d:03d}" for d in range(n_docs)], dtype=object)
    ids = item_ids[item]
    read = rng.random(n_rows) < p_read
    ids[read] = doc_ids[row_taste[read] % n_docs]
    events = np.array(["view", "cart", "purchase", "read"], dtype=object)
    kind = rng.choice(3, size=n_rows, p=(0.80, 0.13, 0.07))
    kind[read] = 3
    # Time: each session starts somewhere in the last 60 days; events ~2 minutes apart.
    start = END - 60 * DAY + rng.random(n_users) * 60 * DAY
    gaps = rng.exponential(120.0, size=n_rows)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[first] - gaps[first], lengths)
    stamps = np.minimum(start[user] + elapsed, END)
    user_ids = np.array([f"u{i:07d}" for i in range(n_users)], dtype=object)[user]
    return Interactions(user_ids, ids, np.ones(n_rows), stamps, events[kind])


def eligible_mask(n_items: int, share: float = 0.95, seed: int = 2) -> np.ndarray:
    """Products in stock (the shop's eligibility), a seeded ``share`` of the catalog."""
    return np.random.default_rng(seed).random(n_items) < share
