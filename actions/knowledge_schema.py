"""JSON schema (draft 7) for one career file in `knowledge/`.

Closed objects (`additionalProperties: false`) so a misspelt key is reported instead of
silently ignored. A new career is a new file of this shape; no code changes.
"""

_TEXT = {"type": "string", "minLength": 1}
_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_TEXTS = {"type": "array", "items": _TEXT, "minItems": 1}
_ALIASES = {"type": "array", "items": _TEXT, "uniqueItems": True}


def _closed(required, optional=None):
    properties = {**required, **(optional or {})}
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(required),
        "additionalProperties": False,
    }


_SALARY = _closed(
    {
        "amount": {"type": "number", "exclusiveMinimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "period": {"enum": ["year", "month", "week", "hour"]},
        "basis": _TEXT,
    }
)

_JOB = _closed(
    {"id": _ID, "title": _TEXT, "salary": _SALARY, "duties": _TEXTS},
    {"aliases": _ALIASES},
)

_SKILL = _closed(
    {"id": _ID, "name": _TEXT, "what_it_is": _TEXT, "how_it_is_used": _TEXT},
    {"aliases": _ALIASES, "example": _TEXT, "described_as": _ALIASES},
)

_PATHWAY = _closed(
    {"id": _ID, "name": _TEXT, "kind": {"enum": ["course", "apprenticeship"]}, "summary": _TEXT},
    {
        "aliases": _ALIASES,
        "regulator": _TEXT,
        "awards": _TEXTS,
        "leads_to": _closed({"name": _TEXT, "summary": _TEXT}),
        "entry_requirements": _TEXT,
        "duration": _closed(
            {
                "min_months": {"type": "integer", "minimum": 1},
                "max_months": {"type": "integer", "minimum": 1},
                "note": _TEXT,
            }
        ),
        "what_you_learn": _TEXTS,
    },
)

CAREER_SCHEMA = _closed(
    {
        "id": _ID,
        "title": _TEXT,
        "source": _closed(
            {
                "title": _TEXT,
                "publisher": _TEXT,
                "author": _TEXT,
                "published": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "salary_note": _TEXT,
            },
            # "none of the organisations named is affiliated with the publisher"
            {"disclaimer": _TEXT},
        ),
        "role": _closed(
            {
                "summary": _TEXT,
                "duty_summary": _TEXT,
                "specialisations": _closed({"summary": _TEXT, "examples": _TEXTS}),
            }
        ),
        "skills": {"type": "array", "items": _SKILL, "minItems": 1},
        "pathways": {"type": "array", "items": _PATHWAY, "minItems": 1},
        "jobs": {"type": "array", "items": _JOB, "minItems": 1},
        "responsibilities": _TEXTS,
    },
    {"aliases": _ALIASES},
)
