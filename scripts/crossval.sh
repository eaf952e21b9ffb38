#!/usr/bin/env bash
# 5-fold NLU cross-validation of config.yml and of each alternative pipeline in
# tests/nlu_pipelines/, then one table of intent macro-F1 / accuracy and entity F1.
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
rows = []
for folder in sorted(pathlib.Path("results/crossval").iterdir()):
    intent = json.loads((folder / "intent_report.json").read_text())
    entity_file = next(folder.glob("*Extractor_report.json"), None)
    entity = json.loads(entity_file.read_text())["macro avg"]["f1-score"] if entity_file else None
    rows.append((folder.name, intent["macro avg"]["f1-score"], intent["accuracy"], entity))
print(f"{'pipeline':<20} {'intent macro-F1':>16} {'intent accuracy':>16} {'entity macro-F1':>16}")
for name, f1, acc, ent in rows:
    print(f"{name:<20} {f1:>16.3f} {acc:>16.3f} {('%.3f' % ent) if ent is not None else '-':>16}")
PY
