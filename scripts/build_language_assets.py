"""Build what Rasa needs from the knowledge files: the spaCy pipeline and NLU synonyms.

    python scripts/build_language_assets.py [OUT_DIR, default build]

writes build/spacy/en_careers (loaded by `SpacyNLP` in config.yml) and
build/nlu/synonyms.yml (maps every alias to its knowledge id for `EntitySynonymMapper`).
Both are generated, never edited: change knowledge/*.yml and rebuild.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.knowledge import KnowledgeError, load_knowledge  # noqa: E402
from actions.language import build_pipeline  # noqa: E402


def main(out_dir: Path) -> None:
    try:
        careers = load_knowledge()
    except KnowledgeError as error:
        raise SystemExit(f"The knowledge files are not valid:\n{error}") from None
    nlp = build_pipeline(careers.values())
    nlp.meta["name"] = "careers"
    (out_dir / "spacy").mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir / "spacy" / "en_careers")

    lines = [
        "# Generated from knowledge/*.yml by scripts/build_language_assets.py",
        'version: "3.1"',
        "nlu:",
    ]
    for career in careers.values():
        for ids in career.aliases_by_entity().values():
            for canonical_id, names in ids.items():
                lines += [f"  - synonym: {canonical_id}", "    examples: |"]
                lines += [f"      - {name}" for name in names]
    nlu_dir = out_dir / "nlu"
    nlu_dir.mkdir(parents=True, exist_ok=True)
    (nlu_dir / "synonyms.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Built {out_dir}/spacy/en_careers and {nlu_dir}/synonyms.yml")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build"))
