#!/usr/bin/env bash
# Say when the environment's Python lies in a folder other users cannot enter: a service user
# (cron, systemd) then cannot run .venv/bin/python (Permission denied, exit 126). A warning,
# never a failure: a developer's own checkout is fine as it is.
set -euo pipefail
python=$(readlink -f "${1:-.venv/bin/python}")
folder=$(dirname "$python")
while [ "$folder" != "/" ]; do
  if [ "$(( $(stat -c '%a' "$folder") % 10 & 1 ))" -eq 0 ]; then
    echo "note: the environment's Python ($python) is inside $folder, which other users cannot enter:" >&2
    echo "      a service user cannot run .venv; for a scheduled service, rebuild it with" >&2
    echo "      UV_PYTHON=/usr/bin/python3 make setup (docs/operations.md)" >&2
    exit 0
  fi
  folder=$(dirname "$folder")
done
