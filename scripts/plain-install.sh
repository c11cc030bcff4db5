#!/usr/bin/env bash
# CI step: `pip install .` as a new user does it (a fresh virtual environment, the interpreter's
# own pip, no extras, no upgrade), then the smoke test of every reader and writer
# (scripts/smoke.py) run against that install, from outside the source tree.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-python3}"
WORK="$(mktemp -d /tmp/leaktrace-plain.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
"$PY" -m venv "$WORK/venv"
echo "plain-install: $("$WORK/venv/bin/pip" --version)"
# (the machine's pip configuration may name local package folders that do not exist; not our concern)
"$WORK/venv/bin/pip" install -q --no-cache-dir "$ROOT" 2>&1 | { grep -v "is ignored: it is neither a file" || true; }
cd "$WORK"
"$WORK/venv/bin/python" -c "import leaktrace, sys; sys.exit(0 if '$ROOT' not in leaktrace.__file__ else 1)" \
  || { echo "plain-install: leaktrace was imported from the source tree, not the install" >&2; exit 1; }
"$WORK/venv/bin/leaktrace" --help >/dev/null
"$WORK/venv/bin/python" "$ROOT/scripts/smoke.py"
