"""The classifier's input matrix is the one Rasa's LogisticRegressionClassifier builds, and
its `C` option reaches scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from components.intent_classifier import SparseLogisticRegressionClassifier


def message(counts, dense=None) -> Message:
    """A message with sparse sentence features (two featurizers, as in config.yml)."""
    result = Message(data={TEXT: "how much does it pay"})
    half = len(counts) // 2
    for origin, part in (("words", counts[:half]), ("chars", counts[half:])):
        matrix = scipy.sparse.coo_matrix(np.array([part], dtype=np.int64))
        result.add_features(Features(matrix, "sentence", TEXT, origin))
    if dense is not None:
        result.add_features(Features(np.array([dense], dtype=float), "sentence", TEXT, "spacy"))
    return result


def both_inputs(messages):
    config = LogisticRegressionClassifier.get_default_config()
    ours = SparseLogisticRegressionClassifier(config, "classifier", None, None)
    rasa = LogisticRegressionClassifier(config, "classifier", None, None)
    return ours._create_X(messages), rasa._create_X(messages)


@pytest.mark.parametrize(
    "messages",
    [
        [message([0, 2, 0, 1, 0, 0, 3, 1])],
        [message([0, 2, 0, 1, 0, 0, 3, 1]), message([1, 0, 0, 0, 2, 0, 0, 0])],
        [message([0, 1, 1, 0], dense=[0.5, -1.0])],  # dense features: Rasa's own code
    ],
)
def test_the_input_matrix_is_rasas(messages):
    ours, rasa = both_inputs(messages)
    assert ours.shape == rasa.shape
    np.testing.assert_array_equal(ours.toarray(), rasa.toarray())
    assert ours.dtype == rasa.dtype


@pytest.mark.parametrize("config, expected", [({}, 1.0), ({"C": 10.0}, 10.0)])
def test_the_regularisation_strength_reaches_scikit_learn(config, expected):
    classifier = SparseLogisticRegressionClassifier(config, "classifier", None, None)
    assert classifier.clf.get_params()["C"] == expected
    assert classifier.clf.get_params()["max_iter"] == 100  # Rasa's own defaults still apply
