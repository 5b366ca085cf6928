"""Recommender library: turns interactions and item data into ranked suggestions.

A pure library (no Flask, no database): the shop hands it plain arrays and
sparse matrices and gets back ranked item indices with scores.
"""

# Public names of the served model (content, profile, hybrid, persistence).
from recommender.content import ContentModel  # noqa: E402
from recommender.hybrid import HybridRecommender  # noqa: E402
from recommender.persistence import (  # noqa: E402
    ArtifactError,
    artifact_info,
    load_artifact,
    save_artifact,
)
from recommender.profile import ProfileScorer, RulesError, RuleTable, load_rules  # noqa: E402
from recommender.types import (  # noqa: E402
    Document,
    ItemInfo,
    Recommendation,
    Recommender,
    VisitorContext,
)

__all__ = [
    "ArtifactError",
    "ContentModel",
    "Document",
    "HybridRecommender",
    "ItemInfo",
    "ProfileScorer",
    "Recommendation",
    "Recommender",
    "RuleTable",
    "RulesError",
    "VisitorContext",
    "artifact_info",
    "load_artifact",
    "load_rules",
    "save_artifact",
]
