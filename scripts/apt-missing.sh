#!/usr/bin/env bash
# Usage: apt-missing.sh WHO PACKAGE...  Installs the Debian packages that are not installed yet
# when run as root; otherwise names them with the command to run, and fails.
set -euo pipefail
who=$1; shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "$who: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "$who: leaktrace needs these Debian packages: ${missing[*]}" >&2
  echo "$who: run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
