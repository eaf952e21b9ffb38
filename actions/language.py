"""spaCy pipeline and entity resolution built from the knowledge aliases.

One function builds the pipeline: `scripts/build_spacy_pipeline.py` saves it for Rasa's
`SpacyNLP` (tokens, lookup lemmas, an entity ruler for job/skill/pathway), and the action
server builds the same pipeline in memory to find mentions in the raw text that the NLU
model missed, including misspelt ones.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Set, Tuple

import spacy
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spacy.language import Language
from spacy.tokens import Doc, Token

from actions.knowledge import Career

ENTITY_TYPES = ("job", "skill", "pathway")
# Below this similarity (0-1, Damerau-Levenshtein: a swapped pair of letters is one edit)
# a misspelling is not taken to mean a known name.
FUZZY_CUTOFF = 0.8
# Phrases shorter than this are never fuzzily matched: too many near neighbours.
FUZZY_MIN_CHARS = 5

# Evidence that a question names a job, skill, course or place the knowledge lacks. Only
# such words make a reply "not covered": an unfamiliar word alone ("guaranteed", a typo, a
# route's initials) is no reason to refuse a question the knowledge may answer.
OCCUPATION_WORDS = frozenset(
    """
    nurse doctor teacher chef cook welder plumber carpenter joiner builder driver pilot
    lawyer solicitor accountant developer programmer designer engineer scientist officer
    operator supervisor director manager assistant administrator consultant architect
    mechanic electrician labourer cleaner cashier receptionist firefighter police
    soldier farmer baker butcher vet dentist surgeon midwife paramedic pharmacist
    chemist physicist biologist analyst inspector foreman machinist fitter technologist
    scientist tester coder clerk secretary marketer salesman salesperson recruiter
    """.split()
)
SKILL_WORDS = frozenset(
    """
    teamwork leadership communication coding programming python java excel welding
    negotiation creativity resilience patience punctuality numeracy literacy multitasking
    organisation organization presentation networking management
    """.split()
)
COURSE_WORDS = frozenset(
    """
    degree btec nvq hnc hnd diploma university uni masters phd bachelor bachelors
    a-level a-levels alevel alevels bootcamp sigma cscs
    """.split()
)
PLACE_WORDS = frozenset(
    """
    america usa american australia australian germany german canada canadian ireland
    irish europe european france french spain india dubai london manchester birmingham
    scotland wales leeds glasgow bristol abroad overseas
    """.split()
)
# Things people ask about a job or course that the knowledge has no field for: "how much
# does the course cost?", "what are the working hours?" get "the article doesn't say".
UNSAID_ATTRIBUTE_WORDS = frozenset(
    """
    cost costs price fee fees funding funded hours grade grades holiday holidays pension
    weekend weekends shift shifts overtime bonus bonuses benefits commute uniform homework
    """.split()
)
# "senior production technician", "junior analyst": a grade of a job the article gives no
# pay for. Only before a title's last word, so names like "qa lead" and "head of quality"
# stay names.
SENIORITY_WORDS = frozenset("senior junior lead head chief principal trainee graduate".split())
_NOT_COVERED_WORDS = OCCUPATION_WORDS | SKILL_WORDS | COURSE_WORDS | PLACE_WORDS
# Job titles people invent from these endings: "pharmacist", "electrician", "engineer".
_TITLE_ENDINGS = ("ist", "ian", "eer")
# A word right before one of these is named as a skill or course: "juggling skills" (not
# "job": "a stressful job" names no job).
_NAMING_HEADS = frozenset("skill course qualification".split())


def build_pipeline(careers: Iterable[Career]) -> Language:
    """Blank English + lookup lemmatizer + an entity ruler over every alias."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()  # loads the lemma tables from spacy-lookups-data (installed, offline)
    patterns = []
    for career in careers:
        # The career's own name is known too, so "production manager" is not mistaken for
        # it, nor "production technician salary" for a job we do not cover.
        patterns += [{"label": "career", "pattern": n, "id": career.id} for n in career.aliases]
        for entity_type, ids in career.aliases_by_entity().items():
            for canonical_id, names in ids.items():
                patterns += [
                    {"label": entity_type, "pattern": n, "id": canonical_id} for n in names
                ]
    ruler.add_patterns(patterns)
    return nlp


class ParseOnce:
    """The pipeline, parsing each distinct text once: a turn is read by the resolver, the
    passage finders and the routing checks, up to a dozen times, and its parse does not
    change. Docs are only read, never changed, so sharing them is safe."""

    def __init__(self, nlp: Language, size: int = 256) -> None:
        self.nlp = nlp
        self.vocab = nlp.vocab
        self._size = size
        self._docs: OrderedDict[str, Doc] = OrderedDict()

    def __call__(self, text: str) -> Doc:
        doc = self._docs.get(text)
        if doc is None:
            doc = self._docs[text] = self.nlp(text)
            if len(self._docs) > self._size:
                self._docs.popitem(last=False)
        else:
            self._docs.move_to_end(text)
        return doc


# How many texts' analyses (mentions, covered tokens) the resolver keeps.
ANALYSED_TEXTS_KEPT = 256


@dataclass(frozen=True)
class Mention:
    entity_type: str
    id: str
    text: str


class EntityResolver:
    """Turns what a user wrote into canonical ids from the knowledge file."""

    def __init__(self, career: Career, nlp: Language | ParseOnce) -> None:
        self.nlp = nlp
        self._analysed: OrderedDict[str, Tuple[Doc, Tuple[Mention, ...], frozenset]] = OrderedDict()
        self._id_by_name: Dict[str, Dict[str, str]] = {}
        self._id_by_lemmas: Dict[str, Dict[str, str]] = {}
        for entity_type, ids in career.aliases_by_entity().items():
            self._id_by_name[entity_type] = {n: i for i, names in ids.items() for n in names}
            self._id_by_lemmas[entity_type] = {
                self._lemmas(n): i for i, names in ids.items() for n in names
            }

        # "the QA jobs", "the other quality assurance role": a word two job titles share
        # before their last word names both (generated from the aliases, never typed).
        groups: Dict[str, Set[str]] = {}
        for job_id, names in career.aliases_by_entity()["job"].items():
            for name in names:
                words = name.split()
                if len(words) >= 2 and not any(nlp.vocab[w].is_stop for w in words[:-1]):
                    groups.setdefault(" ".join(words[:-1]), set()).add(job_id)
        self._jobs = career.jobs
        # "analyst vs assembly technician": a title's last word that no other job's title
        # ends with names that job, unless a word before it makes it another job ("data
        # analyst", "production manager").
        endings = [job.title.lower().split()[-1] for job in career.jobs]
        self._bare_titles = {
            ending: job.id
            for ending, job in zip(endings, career.jobs, strict=True)
            if endings.count(ending) == 1
        }
        self._career_names = {self._lemmas(n): career.id for n in (career.title, *career.aliases)}
        heads = {name.split()[-1] for name in [career.title.lower(), *career.aliases]}
        heads |= {job.title.lower().split()[-1] for job in career.jobs}
        self._graded_title = re.compile(
            rf"\b(?:{'|'.join(sorted(SENIORITY_WORDS))})\s+(?:[a-z.]+\s+){{0,2}}?"
            rf"(?:{'|'.join(re.escape(h) for h in sorted(heads))})s?\b"
        )
        self._job_groups = {m: ids for m, ids in groups.items() if len(ids) >= 2}
        self._job_group_pattern = (
            re.compile(
                r"\b("
                + "|".join(re.escape(m) for m in sorted(self._job_groups, key=len, reverse=True))
                + r")\s+(?:jobs?|roles?|ones?|positions?|careers?)\b"
            )
            if self._job_groups
            else None
        )

    def graded_title(self, text: str) -> str:
        """A job title with a grade the knowledge lacks ("senior production technician"),
        or ''."""
        found = self._graded_title.search(str(text).lower())
        return found.group(0) if found else ""

    def job_group(self, text: str) -> List[str]:
        """The jobs a phrase like "the two QA jobs" names together, in knowledge order."""
        found = self._job_group_pattern and self._job_group_pattern.search(str(text).lower())
        if not found:
            return []
        ids = self._job_groups[found.group(1)]
        return [job.id for job in self._jobs if job.id in ids]

    def resolve(self, entity_type: str, values: Sequence[str], text: str) -> str | None:
        """First known id among NLU `values`, else the first mention of that type in `text`."""
        for value in values:
            canonical = self.canonical_id(entity_type, value)
            if canonical:
                return canonical
        found = [m.id for m in self.mentions(text) if m.entity_type == entity_type]
        return found[0] if found else None

    def canonical_id(self, entity_type: str, value: str) -> str | None:
        """Map an id, a name or a near-miss spelling of a name to the canonical id."""
        names = self._id_by_name.get(entity_type, {})
        value = str(value or "").strip().lower()
        if value in names.values():
            return value
        if value in names:
            return names[value]
        by_lemmas = self._id_by_lemmas.get(entity_type, {})
        lemmas = self._lemmas(value)
        return by_lemmas.get(lemmas) or _closest(lemmas, by_lemmas)

    def names_only_the_career(self, text: str) -> bool:
        """ "what is a production technician?", "producton techncian?": the career named (or
        misspelt) and at most one other word."""
        doc, found, covered = self._analyse(text)
        named = any(t.i in covered for t in doc) and not found
        return named and len(self.other_words(text)) <= 1

    def mentions(self, text: str) -> List[Mention]:
        """Every job/skill/pathway named in `text`: exact names first, then near misses."""
        return list(self._analyse(text)[1])

    def unknown_subject(self, text: str, question_words: Iterable[str]) -> str:
        """The words naming a job, skill, course or place the knowledge lacks, or ''.

        What is left of `text` once known names, question words and stop words go, and
        only when one of those words is evidence of such a subject (`_is_title_like`):
        "how much does a software engineer earn?" returns 'software engineer', "how much
        does it pay?" and "are the figures guaranteed?" return ''.
        """
        known = set(question_words)
        left = [t for t in self._other_tokens(text) if t.lemma_ not in known]
        if not any(_is_title_like(t) for t in left):
            return ""
        return " ".join(t.text for t in left)

    def unknown_job(self, text: str, question_words: Iterable[str]) -> str:
        """The title of a job the knowledge lacks ("nurse", "software engineer"): the first
        such title among the words `unknown_subject` keeps, with the words right before it
        ("what does a plumber specialise in?" gives 'plumber'); else ''."""
        if not self.unknown_subject(text, question_words):
            return ""
        known = set(question_words)
        left = [t for t in self._other_tokens(text) if t.lemma_ not in known]
        title = next((t for t in left if _is_job_title(t)), None)
        if title is None:
            return ""
        words = [title]
        for token in reversed(left[: left.index(title)]):
            if token.i != words[0].i - 1:
                break
            words.insert(0, token)
        return " ".join(t.text for t in words)

    def lemmas(self, text: str) -> Set[str]:
        return {t.lemma_ for t in self._analyse(text)[0]}

    def place_named(self, text: str) -> str:
        """A place the figures are not for ("in australia", "london"), or ''."""
        doc = self._analyse(text)[0]  # parsed lower-cased: the place as the user wrote it
        place = next((t.text for t in doc if t.lower_ in PLACE_WORDS), "")
        written = re.search(rf"\b{re.escape(place)}\b", text, re.IGNORECASE) if place else None
        return written.group(0) if written else place

    def unsaid_attribute(self, text: str) -> str:
        """A thing asked about that the knowledge has no field for ("cost"), or ''."""
        return next(
            (t.text for t in self._other_tokens(text) if t.lower_ in UNSAID_ATTRIBUTE_WORDS), ""
        )

    def other_words(self, text: str) -> List[str]:
        """Lemmas of the words that are not known names, stop words or fragments ("'s")."""
        return [t.lemma_ for t in self._other_tokens(text)]

    def _other_tokens(self, text: str) -> List[Token]:
        doc, _, covered = self._analyse(text)
        return [
            t
            for t in doc
            if t.i not in covered and t.is_alpha and not t.is_stop and len(t.text) > 2
        ]

    def _analyse(self, text: str) -> Tuple[Doc, Tuple[Mention, ...], frozenset]:
        # A turn is analysed by a dozen checks; the fuzzy matching over every alias is the
        # costly part, so its result is kept per text, like the parse (ParseOnce).
        key = str(text or "").lower()
        analysed = self._analysed.get(key)
        if analysed is None:
            analysed = self._analysed[key] = self._analyse_text(key)
            if len(self._analysed) > ANALYSED_TEXTS_KEPT:
                self._analysed.popitem(last=False)
        return analysed

    def _analyse_text(self, text: str) -> Tuple[Doc, Tuple[Mention, ...], frozenset]:
        doc = self.nlp(text)
        found = [Mention(e.label_, e.ent_id_, e.text) for e in doc.ents if e.label_ in ENTITY_TYPES]
        covered = {i for e in doc.ents for i in range(e.start, e.end)}
        for span in _runs([t for t in doc if not t.is_punct], max_n=4):
            if span[0].is_stop or span[-1].is_stop or any(t.i in covered for t in span):
                continue
            phrase = " ".join(t.lemma_ for t in span)
            if _closest(phrase, self._career_names):
                # the career itself ("producton techncian"): known, so never "not covered"
                covered.update(t.i for t in span)
                continue
            for entity_type, by_lemmas in self._id_by_lemmas.items():
                canonical = _closest(phrase, by_lemmas)
                if canonical:
                    found.append(Mention(entity_type, canonical, " ".join(t.text for t in span)))
                    covered.update(t.i for t in span)
                    break
        for token in doc:
            before = doc[token.i - 1] if token.i else None
            if (
                token.i not in covered
                and token.lemma_ in self._bare_titles
                and (before is None or before.is_stop or before.is_punct)
            ):
                found.append(Mention("job", self._bare_titles[token.lemma_], token.text))
                covered.add(token.i)
        return doc, tuple(found), frozenset(covered)

    def _lemmas(self, phrase: str) -> str:
        return " ".join(t.lemma_ for t in self.nlp(phrase.lower()) if not t.is_punct)


def _is_title_like(token: Token) -> bool:
    word, lemma = token.text.lower(), token.lemma_.lower()
    if word in _NOT_COVERED_WORDS or lemma in _NOT_COVERED_WORDS:
        return True
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if following is not None and following.lemma_.lower() in _NAMING_HEADS:
        return True
    return _is_job_title(token)


def _is_job_title(token: Token) -> bool:
    word, lemma = token.text.lower(), token.lemma_.lower()
    if word in OCCUPATION_WORDS or lemma in OCCUPATION_WORDS:
        return True
    return len(word) > 5 and lemma.endswith(_TITLE_ENDINGS)


def near_miss(word: str, words: Iterable[str]) -> bool:
    """`word` a letter or so off one of `words` ("skil" for "skill", "salery")."""
    if len(word) < 4:
        return False
    return bool(
        process.extractOne(
            word, list(words), scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=0.75
        )
    )


def _closest(phrase: str, by_name: Dict[str, str]) -> str | None:
    """The id of the name nearest to `phrase`, if near enough to be a misspelling of it."""
    if len(phrase) < FUZZY_MIN_CHARS:
        return None
    best = process.extractOne(
        phrase,
        list(by_name),
        scorer=DamerauLevenshtein.normalized_similarity,
        score_cutoff=FUZZY_CUTOFF,
    )
    return by_name[best[0]] if best else None


def _runs(tokens: List[Token], max_n: int) -> List[Tuple[Token, ...]]:
    """Adjacent runs of up to `max_n` tokens, longest first so phrases beat single words."""
    runs = []
    for n in range(max_n, 0, -1):
        for start in range(len(tokens) - n + 1):
            span = tuple(tokens[start : start + n])
            if all(b.i == a.i + 1 for a, b in zip(span, span[1:], strict=False)):
                runs.append(span)
    return runs
