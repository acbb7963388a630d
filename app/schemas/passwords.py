"""What a password must be: at least 12 characters and not easy to guess.

"Easy to guess" is judged by zxcvbn (Dropbox's estimator, with its lists of the most used passwords,
names and words): a password must need an estimated 10^10 guesses (its score 4), the level at which a
stolen argon2 hash still resists an offline attack. Swedish words that people build passwords from
(seasons, "lösenord", the service's own name) are added to its lists, and å/ä/ö are folded so that
"Lösenord1234" counts as the well-known password it is. No rules of composition (digits, capitals):
NIST SP 800-63B advises length and a list of known passwords instead.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 4
LOCAL_WORDS = (
    "sommar", "vinter", "host", "var", "losenord", "password", "hemtjanst", "homecare", "omsorg",
    "sundsvall", "stockholm", "sverige", "valkommen", "kommun", "admin", "planerare",
)
_FOLD = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")

TOO_SHORT = f"at least {MIN_LENGTH} characters"
TOO_EASY = "too easy to guess: a well-known password, a common word with a year, or a simple pattern"


def password_problem(password: str, *, user_words: list[str] | None = None) -> str | None:
    """Why this password may not be used, or None when it may."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    words = [*LOCAL_WORDS, *(w.translate(_FOLD).lower() for w in user_words or [] if w)]
    folded = password.translate(_FOLD)
    # zxcvbn's time grows with the length; past 100 characters a password is not guessable anyway.
    candidates = {password[:100], folded[:100]}
    if min(zxcvbn(c, user_inputs=words)["score"] for c in candidates) < MIN_SCORE:
        return TOO_EASY
    return None


def _acceptable(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:
        raise ValueError(problem)
    return password


# The one type for a new password in every schema (the API, the account page, the CLI).
NewPassword = Annotated[str, Field(max_length=MAX_LENGTH), AfterValidator(_acceptable)]
