#!/usr/bin/env bash
# 5-fold NLU cross-validation of config.yml and of each alternative pipeline in
# tests/nlu_pipelines/, once per seed in SEEDS (default "1 2 3"), then one table of intent
# macro-F1 (mean and range over the seeds) and accuracy. A seed fixes the folds
# (scripts/seeded_rasa.py), so every pipeline, and every version of the data, is scored on
# the same splits. (Entities come from the knowledge-built entity ruler, which Rasa does not
# cross-validate; tests cover them.)
# Reports and confusion-matrix plots: results/crossval/<pipeline>/seed-<n>/.
# CONFIGS="config.yml" limits the run to the chosen pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
folds=${FOLDS:-5}
seeds=${SEEDS:-1 2 3}
configs=${CONFIGS:-config.yml $(echo tests/nlu_pipelines/*.yml)}
# `rasa test nlu --nlu` takes one path: the training examples plus the generated synonyms.
data=build/crossval-data
rm -rf "$data" results/crossval && mkdir -p "$data" && cp data/nlu.yml build/nlu/synonyms.yml "$data"/
for config in $configs; do
  name=$(basename "$config" .yml)
  [ "$name" = config ] && name=chosen
  for seed in $seeds; do
    echo "== $name ($config), seed $seed"
    out="results/crossval/$name/seed-$seed"
    mkdir -p "$out"
    .venv/bin/python scripts/seeded_rasa.py "$seed" test nlu --nlu "$data" --config "$config" \
      --cross-validation --folds "$folds" --out "$out" > "$out/rasa.log" 2>&1 \
      || { tail -20 "$out/rasa.log"; exit 1; }
  done
done
.venv/bin/python - <<'PY'
import json, pathlib, statistics
print(f"{'pipeline':<20} {'macro-F1 mean':>14} {'min':>6} {'max':>6} {'accuracy mean':>14}   per seed")
for folder in sorted(pathlib.Path("results/crossval").iterdir()):
    reports = {
        run.name: json.loads((run / "intent_report.json").read_text())
        for run in sorted(folder.glob("seed-*"))
    }
    f1 = [report["macro avg"]["f1-score"] for report in reports.values()]
    accuracy = [report["accuracy"] for report in reports.values()]
    per_seed = ", ".join(f"{run} {score:.3f}" for run, score in zip(reports, f1))
    print(
        f"{folder.name:<20} {statistics.mean(f1):>14.3f} {min(f1):>6.3f} {max(f1):>6.3f}"
        f" {statistics.mean(accuracy):>14.3f}   {per_seed}"
    )
PY
