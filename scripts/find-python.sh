#!/usr/bin/env bash
# Print the first Python 3.11 or 3.10 that actually runs (pyenv shims may exist but fail);
# if there is none, print python3 so that check-python.sh explains what is needed.
for candidate in python3.11 python3.10 python3 "$HOME"/.pyenv/versions/3.11*/bin/python3 \
                 "$HOME"/.pyenv/versions/3.10*/bin/python3; do
  version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
  case "$version" in 3.10|3.11) command -v "$candidate"; exit 0 ;; esac
done
echo python3
