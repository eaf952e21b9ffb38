#!/usr/bin/env bash
# Fail early, with a clear message, on a Python that Rasa 3.6 cannot run on.
set -euo pipefail
python="${1:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: '$python' not found. Install Python 3.10 or 3.11, or run: make PYTHON=/path/to/python3.11" >&2
  exit 1
fi
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$version" in
  3.10|3.11) ;;
  *)
    echo "error: $python is Python $version. This assistant (Rasa 3.6) runs on Python 3.10 or 3.11 only." >&2
    echo "Install one of those and run: make PYTHON=/path/to/python3.11" >&2
    exit 1 ;;
esac
