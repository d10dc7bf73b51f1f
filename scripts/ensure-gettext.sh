#!/usr/bin/env bash
# Translations are compiled (msgfmt) at install/test time and the catalogue check runs
# makemessages (xgettext): both come from GNU gettext, a system package.
set -euo pipefail
if command -v msgfmt >/dev/null && command -v xgettext >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing GNU gettext for the translation catalogues (apt-get)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  exit 0
fi
echo "Compiling the translations needs GNU gettext. Install it with:" >&2
echo "  sudo apt-get update && sudo apt-get install -y gettext" >&2
exit 1
