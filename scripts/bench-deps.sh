#!/usr/bin/env bash
# Debian packages the PAN-style source-search benchmark (bench/pan.py) needs: the Python
# documentation (python3-doc: real prose under the PSF licence, the benchmark's corpus) and
# WordNet's data files (wordnet-base: the synonyms of the "heavy" paraphrase leaks).
# Installs what is missing when run as root, otherwise names the packages and fails.
set -euo pipefail
PKGS=(python3-doc wordnet-base)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "bench-deps: not a Debian system; bench/pan.py needs the Python HTML documentation" \
       "(python3-doc) and the WordNet 3.0 database files (wordnet-base)" >&2
  exit 1
fi
exec bash "$(dirname "$0")/apt-missing.sh" bench-deps "${PKGS[@]}"
