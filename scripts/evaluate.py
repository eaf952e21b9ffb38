"""Ask the evaluation question sets over the REST channel and score them.

    make eval     (starts the bot as `make run` does, runs this, stops the bot)

Two sets: the development set tests/eval/questions.yml, whose turns name the facts a reply
must contain as knowledge-file keys (`salary: quality_assurance_manager` means "the QA
manager's figure, formatted £42,368"), and the blind set tests/eval/blind/questions.yml,
written from the article alone, whose turns list key terms (`contains`) or `declines`.
Every £ amount in every reply must be a figure the knowledge gives or one computed from
it (difference, sum, mean, monthly or weekly, up to ten years' worth) or one the user
typed: anything else is an invented figure.
Prints accuracy per category and overall; exits non-zero below --min-accuracy or on any
invented figure. Writes results/eval/<set>.json with every failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Dict, List, Set, Tuple

import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions.answers import amounts_in, format_money  # noqa: E402
from actions.knowledge import DEFAULT_CAREER_ID, Career, load_knowledge  # noqa: E402
from actions.salary_maths import PERIODS, parse_amount  # noqa: E402

USER_AMOUNT = re.compile(r"£?\s*(\d{1,3}(?:,\d{3})+|\d+)\s*(k|grand|thousand)?", re.IGNORECASE)
# The development set (read and fixed against) and the blind set (written from the article
# alone, never read for fixes or training): README, Quality.
QUESTION_SETS = ("tests/eval/questions.yml", "tests/eval/blind/questions.yml")
DECLINES = (
    "doesn't say",
    "doesn't give",
    "can only help",
    "don't have information",
    "doesn't cover",
    "doesn't describe",
    "not sure i understood",
    "which one do you mean",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("BOT_URL"), required=False)
    parser.add_argument(
        "--questions",
        action="append",
        help="a question set (repeatable); default: the development and the blind set",
    )
    parser.add_argument("--out", default="results/eval")
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("Give --url or set BOT_URL (make eval does this).")

    career = load_knowledge()[DEFAULT_CAREER_ID]
    failed = False
    for path in args.questions or QUESTION_SETS:
        accuracy, invented = evaluate_set(args.url, career, Path(path), Path(args.out))
        failed |= bool(invented) or accuracy < args.min_accuracy
    if failed:
        sys.exit(1)


def evaluate_set(url: str, career: Career, path: Path, out_dir: Path) -> Tuple[float, List]:
    """Ask every case of one set; print and write its per-category scores."""
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    expectations = Expectations(career)
    allowed = allowed_amounts(career)

    totals: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    failures, invented = [], []
    for case in cases:
        sender = f"eval-{uuid.uuid4().hex}"
        problems: List[str] = []
        for turn in case["turns"]:
            reply = ask(url, sender, turn["user"])
            problems += [f"{turn['user']!r}: {p}" for p in expectations.check(turn, reply)]
            user_amounts = amounts_typed(turn["user"])
            for amount in amounts_in(reply):
                if amount not in allowed and amount not in user_amounts:
                    invented.append({"case": case["id"], "user": turn["user"], "amount": amount})
                    problems.append(f"{turn['user']!r}: invented figure £{amount:,.2f}")
        totals[case["category"]][0] += not problems
        totals[case["category"]][1] += 1
        if problems:
            failures.append({"case": case["id"], "problems": problems})

    passed = sum(p for p, _ in totals.values())
    total = sum(n for _, n in totals.values())
    print(f"\n{path}")
    print(f"{'category':<16} {'passed':>7} {'cases':>6} {'accuracy':>9}")
    for category in sorted(totals):
        p, n = totals[category]
        print(f"{category:<16} {p:>7} {n:>6} {p / n:>9.1%}")
    print(f"{'overall':<16} {passed:>7} {total:>6} {passed / total:>9.1%}")
    print(f"invented figures: {len(invented)}")
    for failure in failures:
        print(f"FAIL {failure['case']}: " + "; ".join(failure["problems"]))

    out = out_dir / f"{path.parent.name}-{path.stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "questions": str(path),
        "overall": {"passed": passed, "cases": total, "accuracy": passed / total},
        "categories": {c: {"passed": p, "cases": n} for c, (p, n) in totals.items()},
        "invented_figures": invented,
        "failures": failures,
    }
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return passed / total, invented


def ask(url: str, sender: str, message: str) -> str:
    response = requests.post(url, json={"sender": sender, "message": message}, timeout=30)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


class Expectations:
    """Turns `expect` keys into the strings a reply must contain, read from the knowledge."""

    def __init__(self, career: Career) -> None:
        self.career = career
        jobs = {j.id: j for j in career.jobs}
        money = lambda job_id: format_money(jobs[job_id].salary.amount, "GBP")  # noqa: E731
        amounts = sorted(career.jobs, key=lambda j: j.salary.amount)
        mean = round(sum(j.salary.amount for j in career.jobs) / len(career.jobs))
        self.lookups: Dict[str, Callable[[Any], List[str]]] = {
            "salary": lambda j: [money(j)],
            "salaries": lambda _: [money(j.id) for j in career.jobs],
            "job": lambda j: [jobs[j].title],
            "jobs": lambda _: [j.title for j in career.jobs],
            "duties": lambda j: [jobs[j].duties[0]],
            "skill": lambda s: [career.skill(s).name, career.skill(s).how_it_is_used[:60]],
            "skills": lambda _: [s.name for s in career.skills],
            "pathway": lambda p: [career.pathway(p).name],
            "pathways": lambda _: [p.name for p in career.pathways],
            "duration": lambda p: [
                f"{career.pathway(p).duration.min_months} and "
                f"{career.pathway(p).duration.max_months} months"
            ],
            "entry": lambda p: [career.pathway(p).entry_requirements],
            "learn": lambda p: list(career.pathway(p).awards or career.pathway(p).what_you_learn),
            "regulator": lambda p: [career.pathway(p).regulator],
            "role": lambda _: [career.role_summary[:80]],
            "specialisations": lambda _: list(career.specialisation_examples),
            "responsibilities": lambda _: list(career.responsibilities),
            "source": lambda _: [career.source.author, career.source.year],
            "highest": lambda _: [amounts[-1].title, money(amounts[-1].id)],
            "lowest": lambda _: [amounts[0].title, money(amounts[0].id)],
            "difference": lambda pair: [
                format_money(abs(jobs[pair[0]].salary.amount - jobs[pair[1]].salary.amount), "GBP")
            ],
            "average": lambda _: [format_money(mean, "GBP")],
            "monthly": lambda j: [format_money(round(jobs[j].salary.amount / 12), "GBP")],
            "above": lambda n: [j.title for j in career.jobs if j.salary.amount > n],
            "below": lambda n: [j.title for j in career.jobs if j.salary.amount < n],
            "ranking": lambda _: [money(j.id) for j in reversed(amounts)],
            "text": lambda t: [t] if isinstance(t, str) else list(t),
        }

    def check(self, turn: Dict[str, Any], reply: str) -> List[str]:
        problems = []
        lowered = reply.lower()
        for key, value in (turn.get("expect") or {}).items():
            if key == "declines":
                if not any(d in lowered for d in DECLINES):
                    problems.append("expected an honest decline")
                continue
            if key == "unknown":
                if value.lower() not in lowered or not any(d in lowered for d in DECLINES):
                    problems.append(f"expected an honest 'not covered' for {value!r}")
                continue
            wanted = self.lookups[key](value)
            missing = [w for w in wanted if w.lower() not in lowered]
            if missing:
                problems.append(f"{key}={value}: missing {missing}")
            if key == "ranking" and not missing:
                positions = [lowered.index(w.lower()) for w in wanted]
                if positions != sorted(positions):
                    problems.append("ranking out of order")
            if key in ("above", "below"):
                other = "below" if key == "above" else "above"
                excluded = [
                    j.title
                    for j in self.career.jobs
                    if j.title not in wanted and j.title.lower() in lowered
                ]
                if excluded:
                    problems.append(f"{key}={value}: also named {excluded} ({other})")
        # The blind set's form: key terms any right answer has, each with its alternatives.
        for alternatives in turn.get("contains", []):
            options = [alternatives] if isinstance(alternatives, str) else alternatives
            if not any(o.lower() in lowered for o in options):
                problems.append(f"missing one of {options}")
        if turn.get("declines") and not any(d in lowered for d in DECLINES):
            problems.append("expected an honest decline")
        for forbidden in turn.get("must_not", []):
            if forbidden.lower() in lowered:
                problems.append(f"must not contain {forbidden!r}")
        if not reply.strip():
            problems.append("no reply")
        return problems


def allowed_amounts(career: Career) -> Set[float]:
    """Figures the knowledge gives, and those computed from them."""
    salaries = [float(j.salary.amount) for j in career.jobs]
    allowed = set(salaries)
    allowed |= {abs(a - b) for a, b in combinations(salaries, 2)}
    for size in range(2, len(salaries) + 1):  # the mean of any of the jobs ("those two")
        allowed |= {float(round(sum(c) / size)) for c in combinations(salaries, size)}
    for per_year in PERIODS.values():
        allowed |= {float(round(s / per_year)) for s in salaries}
        allowed |= {float(round(abs(a - b) / per_year)) for a, b in combinations(salaries, 2)}
    for size in range(2, len(salaries) + 1):  # "add them together"
        allowed |= {float(sum(c)) for c in combinations(salaries, size)}
    allowed |= {s * years for s in salaries for years in range(2, 11)}  # "over 5 years"
    return allowed


def amounts_typed(text: str) -> Set[float]:
    found = {parse_amount(text)} - {None}  # also "thirty thousand"
    for number, unit in USER_AMOUNT.findall(text):
        value = float(number.replace(",", ""))
        found.add(value * 1000 if unit else value)
    return found


if __name__ == "__main__":
    main()
