#!/usr/bin/env bash
# Debian packages leaktrace needs outside Python: Pango (WeasyPrint's layout engine, for PDF
# copies and reports), fonts, Tesseract with English data (OCR of photographed leaks), and
# PostgreSQL (the tests run a throwaway server of their own for workspaces on a server database).
# Installs what is missing when run as root, otherwise names the packages and fails.
set -euo pipefail
PKGS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core tesseract-ocr tesseract-ocr-eng postgresql)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; install Pango, HarfBuzz, the DejaVu fonts, Tesseract with English data and PostgreSQL" >&2
  exit 0
fi
exec bash "$(dirname "$0")/apt-missing.sh" system-deps "${PKGS[@]}"
