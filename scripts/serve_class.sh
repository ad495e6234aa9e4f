#!/usr/bin/env bash
# Serve a classroom: N app processes behind nginx on PORT. Usage: scripts/serve_class.sh N PORT [options]
# (the options and what it does: python scripts/serve_class.py --help).
exec python "$(dirname "$0")/serve_class.py" "$@"
