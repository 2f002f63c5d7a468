"""Which free-text examples a summary quotes: few, varied, and never the same one twice.

The 2019 summaries quoted one or two examples per point; every example stays in the round's
exports. The choice is deterministic: the mechanism's own example first, then a Member State's,
then an organization's, then the next of each in turn, skipping any text that is nearly the
same as one already kept (respondents often answer from the same template).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

SECRETARIAT, STATE, ORGANIZATION = "secretariat", "state", "organization"
NEAR_DUPLICATE = 0.75  # similarity of two normalised texts above which one of them is dropped


@dataclass(frozen=True)
class Example:
    text: str
    source: str  # SECRETARIAT, STATE or ORGANIZATION
    count: int = 1  # respondents of that kind who gave the same text


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, normalised(a), normalised(b)).ratio() >= NEAR_DUPLICATE


def merged(texts: list[str], source: str) -> list[Example]:
    """Each text once (ignoring case and spacing), in first-given order, with its count."""
    counts: dict[str, list] = {}
    for text in texts:
        key = normalised(text)
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [text, 1]
    return [Example(text, source, n) for text, n in counts.values()]


def pick_examples(
    own: list[str], states: list[str], organizations: list[str], *, limit: int
) -> list[Example]:
    """At most `limit` examples, varied by source and content."""
    queues = [merged(own, SECRETARIAT), merged(states, STATE), merged(organizations, ORGANIZATION)]
    kept: list[Example] = []
    while len(kept) < limit and any(queues):
        for queue in queues:
            while queue:
                candidate = queue.pop(0)
                if not any(similar(candidate.text, example.text) for example in kept):
                    kept.append(candidate)
                    break
            if len(kept) >= limit:
                break
    return kept
