#!/usr/bin/env bash
# Debian packages leaktrace needs outside Python: Pango (WeasyPrint's layout engine, for PDF
# copies and reports), fonts, and Tesseract with English data (OCR of photographed leaks).
# Installs what is missing when run as root, otherwise names the packages and fails.
set -euo pipefail
PKGS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core tesseract-ocr tesseract-ocr-eng)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; install Pango and a TrueType font for PDF reports" >&2
  exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "system-deps: leaktrace needs these Debian packages: ${missing[*]}" >&2
  echo "system-deps: run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
