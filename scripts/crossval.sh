#!/usr/bin/env bash
# 5-fold NLU cross-validation of config.yml and of each alternative pipeline in
# tests/nlu_pipelines/, then one table of intent macro-F1 and accuracy. (Entities come from
# the knowledge-built entity ruler, which Rasa does not cross-validate; tests cover them.)
# Reports and confusion-matrix plots: results/crossval/<pipeline>/.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
folds=${FOLDS:-5}
# `rasa test nlu --nlu` takes one path: the training examples plus the generated synonyms.
data=build/crossval-data
rm -rf "$data" && mkdir -p "$data" && cp data/nlu.yml build/nlu/synonyms.yml "$data"/
for config in config.yml tests/nlu_pipelines/*.yml; do
  name=$(basename "$config" .yml)
  [ "$name" = config ] && name=chosen
  echo "== $name ($config)"
  .venv/bin/rasa test nlu --nlu "$data" --config "$config" \
    --cross-validation --folds "$folds" --out "results/crossval/$name" > "results/crossval-$name.log" 2>&1 \
    || { tail -20 "results/crossval-$name.log"; exit 1; }
done
.venv/bin/python - <<'PY'
import json, pathlib
print(f"{'pipeline':<20} {'intent macro-F1':>16} {'intent accuracy':>16}")
for folder in sorted(pathlib.Path("results/crossval").iterdir()):
    report = json.loads((folder / "intent_report.json").read_text())
    print(f"{folder.name:<20} {report['macro avg']['f1-score']:>16.3f} {report['accuracy']:>16.3f}")
PY
