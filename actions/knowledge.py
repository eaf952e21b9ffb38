"""The careers knowledge: load `knowledge/*.yml`, validate it, and give typed access.

Every fact the assistant states comes from here. A file a content editor breaks stops the
action server at start-up with a message naming the file, the place inside it and the
problem, rather than producing wrong answers later.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import jsonschema
import yaml

from actions.knowledge_schema import CAREER_SCHEMA

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = Path(os.environ.get("CAREERS_KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"))
# The one career the article covers; further careers are further files.
DEFAULT_CAREER_ID = "production_technician"


class KnowledgeError(ValueError):
    """A knowledge file is missing, unreadable or does not match the schema."""


@dataclass(frozen=True)
class Salary:
    amount: float
    currency: str
    period: str
    basis: str


@dataclass(frozen=True)
class Job:
    id: str
    title: str
    aliases: Tuple[str, ...]
    salary: Salary
    duties: Tuple[str, ...]


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    aliases: Tuple[str, ...]
    what_it_is: str
    how_it_is_used: str
    example: str | None
    # Everyday words for the skill ("good with numbers"): what "is that useful?" is matched
    # on, never shown and never an entity name.
    described_as: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Duration:
    min_months: int
    max_months: int
    note: str


@dataclass(frozen=True)
class Pathway:
    id: str
    name: str
    kind: str
    aliases: Tuple[str, ...]
    summary: str
    regulator: str | None = None
    awards: Tuple[str, ...] = ()
    leads_to_name: str | None = None
    leads_to_summary: str | None = None
    entry_requirements: str | None = None
    duration: Duration | None = None
    what_you_learn: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    author: str
    published: str
    salary_note: str
    disclaimer: str | None = None

    @property
    def year(self) -> str:
        return self.published[:4]


@dataclass(frozen=True)
class Career:
    id: str
    title: str
    aliases: Tuple[str, ...]
    source: Source
    role_summary: str
    duty_summary: str
    specialisation_summary: str
    specialisation_examples: Tuple[str, ...]
    skills: Tuple[Skill, ...]
    pathways: Tuple[Pathway, ...]
    jobs: Tuple[Job, ...]
    responsibilities: Tuple[str, ...]

    def job(self, job_id: str) -> Job | None:
        return next((job for job in self.jobs if job.id == job_id), None)

    def skill(self, skill_id: str) -> Skill | None:
        return next((skill for skill in self.skills if skill.id == skill_id), None)

    def pathway(self, pathway_id: str) -> Pathway | None:
        return next((p for p in self.pathways if p.id == pathway_id), None)

    def aliases_by_entity(self) -> Dict[str, Dict[str, Tuple[str, ...]]]:
        """Entity type -> canonical id -> names people use (the title/name included)."""
        return {
            "job": _job_names(self.jobs),
            "skill": {s.id: _names(s.name, s.aliases) for s in self.skills},
            "pathway": _pathway_names(self.pathways),
        }


def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Dict[str, Career]:
    """Load and validate every career file in `directory`, keyed by career id."""
    paths = sorted(Path(directory).glob("*.yml"))
    if not paths:
        raise KnowledgeError(f"{directory}: no knowledge files (*.yml) found")
    careers: Dict[str, Career] = {}
    for path in paths:
        career = load_career(path)
        if career.id in careers:
            raise KnowledgeError(f"{path}: id: career '{career.id}' is defined twice")
        careers[career.id] = career
    return careers


def load_career(path: Path) -> Career:
    """Load one career file; raise `KnowledgeError` naming file, place and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KnowledgeError(f"{path}: cannot be read: {error}") from error
    try:
        document = yaml.load(text, Loader=_PlainYamlLoader)  # noqa: S506 - safe subclass
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: is not valid YAML: {error}") from error

    validator = jsonschema.Draft7Validator(CAREER_SCHEMA)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise KnowledgeError(
            "\n".join(f"{path}: {_place(e.absolute_path)}: {e.message}" for e in errors)
        )
    _check_consistency(path, document)
    return _career_from(document)


class _PlainYamlLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so `published: 2022-11-11` needs no quotes."""


_PlainYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _place(path: Iterable[Any]) -> str:
    """Render a jsonschema path like jobs[2].salary.amount; `(top level)` when empty."""
    rendered = ""
    for part in path:
        rendered += f"[{part}]" if isinstance(part, int) else (f".{part}" if rendered else part)
    return rendered or "(top level)"


def _check_consistency(path: Path, document: Dict[str, Any]) -> None:
    """Rules a JSON schema cannot say: unique ids and names that point one way only."""
    problems: List[str] = []
    for section in ("skills", "pathways", "jobs"):
        seen: Dict[str, int] = {}
        for index, item in enumerate(document[section]):
            if item["id"] in seen:
                problems.append(f"{section}[{index}].id: '{item['id']}' is used twice")
            seen[item["id"]] = index
    owners: Dict[str, str] = {}
    for section, name_key in (("skills", "name"), ("pathways", "name"), ("jobs", "title")):
        for index, item in enumerate(document[section]):
            for alias in _names(item[name_key], item.get("aliases", [])):
                owner = f"{section}[{index}]"
                if owners.setdefault(alias, owner) != owner:
                    problems.append(
                        f"{owner}.aliases: '{alias}' also names {owners[alias]}; "
                        "a name must point to one thing"
                    )
    for index, pathway in enumerate(document["pathways"]):
        duration = pathway.get("duration")
        if duration and duration["min_months"] > duration["max_months"]:
            problems.append(f"pathways[{index}].duration: min_months is above max_months")
    if problems:
        raise KnowledgeError("\n".join(f"{path}: {problem}" for problem in problems))


def _names(title: str, aliases: Iterable[str]) -> Tuple[str, ...]:
    names = [title.lower()] + [alias.lower() for alias in aliases]
    return tuple(dict.fromkeys(names))


# What people call a route by its kind ("the course", "the scheme").
_KIND_NAMES = {
    "course": ("the course", "that course", "this course"),
    "apprenticeship": ("the scheme", "that scheme", "this scheme", "the apprenticeship scheme"),
}
_MINOR_WORDS = {"and", "in", "of", "the", "for", "to", "level"}


def _job_names(jobs: Iterable[Job]) -> Dict[str, Tuple[str, ...]]:
    """A job's typed names plus "the manager", "the assembly one": a word of its title no
    other job's title has, after "the" so "production manager" is not taken for it."""
    jobs = list(jobs)
    words = {job.id: set(job.title.lower().split()) for job in jobs}
    names = {}
    for job in jobs:
        others = set().union(*(w for i, w in words.items() if i != job.id))
        own = [w for w in job.title.lower().split() if w not in others]
        generated = [f"the {w}{tail}" for w in own for tail in ("", " one", " role", " job")]
        names[job.id] = _names(job.title, list(job.aliases) + generated)
    return names


def _pathway_names(pathways: Iterable[Pathway]) -> Dict[str, Tuple[str, ...]]:
    """A route's typed names plus names generated from the knowledge, never typed twice:
    its initials ("aqa", "l3 aqa"), its kind ("the course"), its awards and the
    certificate it leads to. A generated name two routes would share is left out."""
    pathways = list(pathways)
    generated = {p.id: _generated_pathway_names(p) for p in pathways}
    counts: Dict[str, int] = {}
    for names in generated.values():
        for name in set(names):
            counts[name] = counts.get(name, 0) + 1
    typed = {n for p in pathways for n in _names(p.name, p.aliases)}
    return {
        p.id: _names(
            p.name,
            list(p.aliases) + [n for n in generated[p.id] if counts[n] == 1 and n not in typed],
        )
        for p in pathways
    }


def _generated_pathway_names(pathway: Pathway) -> List[str]:
    words = [w for w in re.findall(r"[a-z0-9]+", pathway.name.lower())]
    major = [w for w in words if w not in _MINOR_WORDS and not w.isdigit()]
    initials = "".join(w[0] for w in major)
    names = [initials] if len(initials) >= 3 else []
    level = next((w for w in words if w.isdigit()), None)
    if level and initials:
        names += [f"l{level} {initials}", f"level {level} {initials}"]
    names += _KIND_NAMES.get(pathway.kind, ())
    if pathway.awards:
        names += ["the awards", "awards", "the level 3 awards"]
    if pathway.leads_to_name:
        names += ["the certificate", "certificate"]
    for part in list(pathway.awards) + [pathway.leads_to_name or ""]:
        part = part.lower().strip()
        if part:
            names += [part, re.sub(r"^level \d+ ", "", part)]
    return names


def _career_from(doc: Dict[str, Any]) -> Career:
    source = doc["source"]
    role = doc["role"]
    return Career(
        id=doc["id"],
        title=doc["title"],
        aliases=tuple(doc.get("aliases", [])),
        source=Source(
            title=source["title"],
            publisher=source["publisher"],
            author=source["author"],
            published=str(source["published"]),
            salary_note=source["salary_note"],
            disclaimer=source.get("disclaimer"),
        ),
        role_summary=role["summary"],
        duty_summary=role["duty_summary"],
        specialisation_summary=role["specialisations"]["summary"],
        specialisation_examples=tuple(role["specialisations"]["examples"]),
        skills=tuple(
            Skill(
                id=s["id"],
                name=s["name"],
                aliases=tuple(s.get("aliases", [])),
                what_it_is=s["what_it_is"],
                how_it_is_used=s["how_it_is_used"],
                example=s.get("example"),
                described_as=tuple(s.get("described_as", [])),
            )
            for s in doc["skills"]
        ),
        pathways=tuple(_pathway_from(p) for p in doc["pathways"]),
        jobs=tuple(
            Job(
                id=j["id"],
                title=j["title"],
                aliases=tuple(j.get("aliases", [])),
                salary=Salary(**j["salary"]),
                duties=tuple(j["duties"]),
            )
            for j in doc["jobs"]
        ),
        responsibilities=tuple(doc["responsibilities"]),
    )


def _pathway_from(p: Dict[str, Any]) -> Pathway:
    leads_to = p.get("leads_to") or {}
    duration = p.get("duration")
    return Pathway(
        id=p["id"],
        name=p["name"],
        kind=p["kind"],
        aliases=tuple(p.get("aliases", [])),
        summary=p["summary"],
        regulator=p.get("regulator"),
        awards=tuple(p.get("awards", [])),
        leads_to_name=leads_to.get("name"),
        leads_to_summary=leads_to.get("summary"),
        entry_requirements=p.get("entry_requirements"),
        duration=Duration(**duration) if duration else None,
        what_you_learn=tuple(p.get("what_you_learn", [])),
    )
