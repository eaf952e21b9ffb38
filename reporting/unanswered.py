"""Questions the assistant declined or answered with a question back, similar ones grouped,
each group with a suggested intent and NLU example lines for a person to review.

Nothing is added to the training data: the suggestions are text for someone to read, judge
and paste into data/nlu.yml if the assistant should learn them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import yaml
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from reporting.turns import UNANSWERED, Turn

NLU_DATA = Path(__file__).resolve().parent.parent / "data" / "nlu.yml"
# Average cosine distance over character n-grams below which questions are one group. On
# sample questions, rephrasings ("what's the weather in leeds" / "what is the weather in
# london?") were 0.25 to 0.65 apart; different questions sharing filler words ("what is
# the capital of france?") 0.8 to 1.
GROUP_DISTANCE = 0.75
# Clustering compares every pair of wordings (memory grows with the square): the rarer
# wordings past this many are shown one group each, at the end of the list anyway.
MAX_CLUSTERED = 3000
# A group's wordings listed and offered as NLU examples: a person reads them all.
MAX_SHOWN = 10
# Below this cosine similarity no training example is like the questions: "contact me at
# [email]" came nearest ask_job_duties at 0.20; "how much does a welder earn?" ask_salary at 0.41.
MIN_SIMILARITY = 0.3
# NLU's reading is a suggestion only when it named a topic; these name none.
NO_TOPIC_INTENTS = {"out_of_scope", "nlu_fallback", None}
DECLINED_INTENT = "out_of_scope"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class UnansweredGroup:
    count: int  # turns
    example: str  # the most frequent wording
    questions: List[str]  # distinct wordings, most frequent first
    outcomes: Dict[str, int]  # declined / clarified
    nlu_intent: Optional[str]  # NLU's most frequent top intent in the group
    suggested_intent: str
    suggested_by: str  # why: NLU's reading, or the nearest training examples

    @property
    def shown_questions(self) -> List[str]:
        return self.questions[:MAX_SHOWN]

    def nlu_lines(self) -> str:
        """Lines in data/nlu.yml's format, to paste after review."""
        examples = "".join(f"    - {question}\n" for question in self.shown_questions)
        return f"- intent: {self.suggested_intent}\n  examples: |\n{examples}"


def unanswered_groups(
    turns: Sequence[Turn], nlu_examples: Optional[Dict[str, List[str]]] = None
) -> List[UnansweredGroup]:
    """The declined and clarified questions in groups of similar ones, most frequent first."""
    unanswered = [t for t in turns if t.outcome in UNANSWERED and _normalised(t.text)]
    if not unanswered:
        return []
    wordings = Counter(_normalised(t.text) for t in unanswered)
    distinct = sorted(wordings, key=lambda w: (-wordings[w], w))
    label_of = dict(zip(distinct, _cluster(distinct), strict=True))
    members_of: Dict[int, List[str]] = defaultdict(list)
    for wording in distinct:
        members_of[label_of[wording]].append(wording)
    turns_of: Dict[int, List[Turn]] = defaultdict(list)
    for turn in unanswered:
        turns_of[label_of[_normalised(turn.text)]].append(turn)
    nearest_intent = NearestIntent(
        nlu_examples if nlu_examples is not None else read_nlu_examples(), distinct
    )
    groups = []
    for label, members in members_of.items():
        group_turns = turns_of[label]
        intents = Counter(t.intent for t in group_turns)
        nlu_intent = intents.most_common(1)[0][0]
        if nlu_intent not in NO_TOPIC_INTENTS:
            suggested, why = nlu_intent, "NLU's reading"
        else:
            nearest, similarity = nearest_intent(members)
            if similarity >= MIN_SIMILARITY:
                suggested, why = nearest, f"nearest training examples (similarity {similarity:.2f})"
            else:
                suggested = DECLINED_INTENT
                why = f"no training examples alike (nearest {nearest}, {similarity:.2f})"
        groups.append(
            UnansweredGroup(
                count=len(group_turns),
                example=members[0],
                questions=members,
                outcomes=dict(Counter(t.outcome for t in group_turns)),
                nlu_intent=nlu_intent,
                suggested_intent=suggested,
                suggested_by=why,
            )
        )
    return sorted(groups, key=lambda g: (-g.count, g.example))


class NearestIntent:
    """The intent whose training examples are most like some questions: TF-IDF fitted once
    for all the groups, on the examples and every question to be matched (so that what a
    question says and no example does counts against the match)."""

    def __init__(self, examples: Dict[str, List[str]], questions: Sequence[str]) -> None:
        self.intents = [intent for intent, texts in examples.items() for _ in texts]
        texts = [text.lower() for texts in examples.values() for text in texts]
        self.vectorizer = _vectorizer().fit(texts + list(questions))
        self.examples = self.vectorizer.transform(texts)

    def __call__(self, questions: Sequence[str]) -> Tuple[str, float]:
        """The nearest intent and its similarity (cosine, 0 to 1)."""
        similarity = cosine_similarity(self.vectorizer.transform(questions), self.examples)
        best = similarity.max(axis=0)  # each example's best match among the questions
        index = int(np.argmax(best))
        return self.intents[index], float(best[index])


def read_nlu_examples(path: Path = NLU_DATA) -> Dict[str, List[str]]:
    """Each intent's examples in data/nlu.yml, entity annotations reduced to their text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: Dict[str, List[str]] = {}
    for item in data.get("nlu") or []:
        if "intent" not in item or not isinstance(item.get("examples"), str):
            continue
        lines = [line.strip()[2:] for line in item["examples"].splitlines()]
        examples.setdefault(item["intent"], []).extend(
            _ANNOTATION.sub(r"\1", line).strip() for line in lines if line
        )
    return examples


def _cluster(wordings: List[str]) -> List[int]:
    """A group label per wording (most frequent first); beyond MAX_CLUSTERED, one each."""
    clustered, rest = wordings[:MAX_CLUSTERED], wordings[MAX_CLUSTERED:]
    labels = _agglomerative(clustered) if len(clustered) > 1 else [0] * len(clustered)
    first_free = max(labels, default=-1) + 1
    return labels + [first_free + index for index in range(len(rest))]


def _agglomerative(wordings: List[str]) -> List[int]:
    vectors = _vectorizer().fit_transform(wordings).toarray()
    clustering = AgglomerativeClustering(
        n_clusters=None,
        distance_threshold=GROUP_DISTANCE,
        affinity="cosine",  # `metric` from scikit-learn 1.2; the lock pins 1.1
        linkage="average",
    )
    return [int(label) for label in clustering.fit_predict(vectors)]


def _vectorizer() -> TfidfVectorizer:
    # Character n-grams within words: misspellings and word forms still match.
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)


def _normalised(text: str) -> str:
    """One line, lower case: how wordings are counted and shown in NLU lines."""
    return " ".join(text.split()).lower()
