"""Rasa's command line (scripts/rasa_cli.py) with numpy's global random generator seeded first.

    python scripts/seeded_rasa.py 1 test nlu --cross-validation ...

`rasa test nlu --cross-validation` splits the folds with scikit-learn's
`StratifiedKFold(shuffle=True)` and no `random_state` (rasa/nlu/test.py), so the folds come
from numpy's global generator and differ on every run: two runs of the same data differ by up
to 0.017 in macro-F1, more than most changes being compared. With the generator seeded, a
seed always gives the same folds, and two configurations or two versions of the data are
compared on the same ones (scripts/crossval.sh).
"""

from __future__ import annotations

import sys

import numpy
import rasa_cli


def main(argv: list[str]) -> None:
    if not argv or not argv[0].isdigit():
        sys.exit("usage: seeded_rasa.py <seed> <rasa arguments>")
    numpy.random.seed(int(argv[0]))
    rasa_cli.main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
