#!/usr/bin/env bash
# Installs the system programs powerflow uses: Graphviz (charts), a CJK font (Chinese text in
# charts), Chromium and its driver (site tests), poppler (PDF checks), sqlite3 (store inspection).
# Runs apt-get when it can (root on Debian/Ubuntu); otherwise says exactly what to install.
set -euo pipefail

PKGS=(graphviz fonts-noto-cjk chromium chromium-driver poppler-utils sqlite3)

have_all() {
  command -v dot >/dev/null 2>&1 &&
    fc-list :lang=zh 2>/dev/null | grep -q . &&
    { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } &&
    command -v pdftoppm >/dev/null 2>&1 &&
    command -v sqlite3 >/dev/null 2>&1
}

if have_all; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "powerflow: please install as root: apt-get install -y ${PKGS[*]}" >&2; exit 1
    fi
  fi
  echo "powerflow: installing system packages: ${PKGS[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
  exit 0
fi

if command -v brew >/dev/null 2>&1; then
  echo "powerflow: on macOS run: brew install graphviz poppler sqlite && brew install --cask font-noto-sans-cjk-sc chromium" >&2
else
  echo "powerflow: install Graphviz, a CJK font (Noto Sans CJK SC), Chromium, poppler and sqlite3 with your package manager" >&2
fi
exit 1
