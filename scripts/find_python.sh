#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain what to install and fail.
# Looks at, in order: $PYTHON, python3.10 on PATH, pyenv's versions, `uv python find`.
set -u

is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
for p in "$pyenv_root"/versions/3.10*/bin/python3.10; do [ -x "$p" ] && candidates+=("$p"); done
if command -v uv >/dev/null 2>&1; then
  p=$(uv python find 3.10 2>/dev/null) && candidates+=("$p")
fi

for c in "${candidates[@]}"; do
  if is_310 "$c"; then echo "$c"; exit 0; fi
done

if [ -n "${PYTHON:-}" ]; then
  echo "PYTHON=$PYTHON is not a Python 3.10 interpreter." >&2
fi
cat >&2 <<'MSG'
Kefu Assist needs Python 3.10 (Rasa 3.6 does not run on 3.11 or newer), and none was found.
Install one, then run make again:
  pyenv install 3.10        (or)  uv python install 3.10        (or)  apt-get install python3.10-venv
or point to an existing interpreter: make run PYTHON=/path/to/python3.10
MSG
exit 1
