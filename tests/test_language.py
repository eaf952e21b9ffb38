"""Entity resolution: names, plurals, misspellings and subjects the article does not cover."""

from __future__ import annotations

import pytest


def test_every_alias_resolves_to_its_own_id(career, resolver):
    for entity_type, ids in career.aliases_by_entity().items():
        for canonical_id, names in ids.items():
            for name in names:
                assert resolver.canonical_id(entity_type, name) == canonical_id, name
                assert resolver.resolve(entity_type, [], f"tell me about {name} please") == (
                    canonical_id
                ), name


@pytest.mark.parametrize(
    "entity_type, text, expected",
    [
        ("job", "how much does a QA Manager earn?", "quality_assurance_manager"),
        ("job", "what do assembley technicans do", "assembly_technician"),
        ("job", "quality assurence analist pay", "quality_assurance_analyst"),
        ("job", "salary for manufacturing techs", "manufacturing_technician"),
        ("skill", "tell me about emapthy", "empathy"),
        ("skill", "is attention to detial important", "attention_to_detail"),
        ("pathway", "how long is the apprenticship", "science_manufacturing_apprenticeship"),
        ("pathway", "what is the city and guilds course", "assessment_quality_assurance"),
    ],
)
def test_mentions_in_raw_text_resolve_even_when_misspelt(resolver, entity_type, text, expected):
    assert resolver.resolve(entity_type, [], text) == expected


def test_nlu_value_wins_over_text(resolver):
    assert resolver.resolve("job", ["qa analyst"], "qa manager") == "quality_assurance_analyst"


def test_two_jobs_in_one_question_are_both_found(resolver):
    found = resolver.mentions("is a qa analyst paid more than a qa manager?")
    assert [m.id for m in found] == ["quality_assurance_analyst", "quality_assurance_manager"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("how much does a software engineer earn?", "software engineer"),
        ("what does a nurse do", "nurse"),
        ("how much does it pay", ""),
        ("how much does a qa manager earn", ""),
        # An unfamiliar word alone is no evidence of a subject the knowledge lacks.
        ("are the salary figures guaranteed", ""),
        ("is teamwork an important skill", "teamwork"),
        ("tell me about juggling skills", "juggling"),
        ("how much do pharmacists earn", "pharmacists"),
    ],
)
def test_unknown_subject(assistant, resolver, text, expected):
    assert resolver.unknown_subject(text, assistant._question_words) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("what does a welder do all day", "welder"),
        ("what training would a data scientist need", "data scientist"),
        ("what does an optician specialise in", "optician"),  # the title, not "specialise"
        ("is teamwork an important skill", ""),  # a skill, not a job
        ("what's the btec route", ""),  # a course
        ("what does an assembly technician do", ""),  # a job the knowledge has
    ],
)
def test_unknown_job(assistant, resolver, text, expected):
    assert resolver.unknown_job(text, assistant._question_words) == expected


@pytest.mark.parametrize("text", ["", "   ", "?!", "😀", "x" * 5000])
def test_odd_input_resolves_to_nothing_without_error(resolver, text):
    assert resolver.resolve("job", [], text) is None


def test_route_names_are_generated_from_the_knowledge(career, resolver):
    course = next(p for p in career.pathways if p.awards)
    # its initials, its kind, the certificate it leads to: none typed in the knowledge file
    for text in ["how long is the aqa", "who runs the course", "what is the certificate for"]:
        assert resolver.resolve("pathway", [], text) == course.id, text
    apprenticeship = next(p for p in career.pathways if p.entry_requirements)
    assert resolver.resolve("pathway", [], "how long is the scheme") == apprenticeship.id


def test_a_misspelt_career_name_is_known_not_an_unknown_subject(resolver):
    assert resolver.unknown_subject("what do productoin technicans earn", []) == ""
    assert resolver.names_only_the_career("productoin technican?")
    assert not resolver.names_only_the_career("what does a production technician earn in bonus")


def test_a_title_ending_only_one_job_has_names_that_job_when_nothing_qualifies_it(resolver, career):
    endings = [j.title.lower().split()[-1] for j in career.jobs]
    job = next(j for j, e in zip(career.jobs, endings, strict=True) if endings.count(e) == 1)
    ending = job.title.lower().split()[-1]
    assert [m.id for m in resolver.mentions(f"{ending}s: what do they do?")] == [job.id]
    assert not resolver.mentions(f"how much does a production {ending} earn")
