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
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bench-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bench-deps: the PAN-style benchmark needs these Debian packages: ${missing[*]}" >&2
  echo "bench-deps: run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
