"""The reviews' domain errors, each with the HTTP status pages and API answer with."""

from __future__ import annotations


class ReviewError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotABuyer(ReviewError):
    status = 403


class AlreadyReviewed(ReviewError):
    status = 409


class UnknownReview(ReviewError):
    """No such review, or not the asker's: the same 404 either way (no probing for ids)."""

    status = 404


class OwnReview(ReviewError):
    status = 403


class AlreadyVoted(ReviewError):
    status = 409


class FitNotApplicable(ReviewError):
    status = 422
