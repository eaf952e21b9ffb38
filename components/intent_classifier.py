"""Rasa's LogisticRegressionClassifier, given its input matrix without stacking copies.

For every message, Rasa 3.6's classifier stacks the message's sparse sentence features and
its dense ones with scipy's `hstack`, then stacks the messages with `vstack`, also when
there are no dense features, as in this pipeline (config.yml): about a tenth of a Rasa
replica's CPU per message under load (py-spy, docs/operations.md). This subclass hands the
sparse features over as they are when there are no dense ones: the same matrix, so the same
model and the same predictions; anything else goes through Rasa's own code.

It also takes scikit-learn's regularisation strength `C` as an option, which Rasa fixes at
scikit-learn's default of 1.0.
"""

from __future__ import annotations

from typing import Any, Dict, List

import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SparseLogisticRegressionClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.clf.set_params(C=self.config["C"])

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        rows = []
        for message in messages:
            _, sparse = message.get_sparse_features(attribute=TEXT)
            _, dense = message.get_dense_features(attribute=TEXT)
            if sparse is None or dense is not None:
                return super()._create_X(messages)
            rows.append(scipy.sparse.csr_matrix(sparse.features, dtype=float))
        if not rows:
            return super()._create_X(messages)
        return rows[0] if len(rows) == 1 else scipy.sparse.vstack(rows, format="csr")
