#!/usr/bin/env bash
# The project's test command: installs what the tests need (the js-libp2p interop peer) and runs
# every test of every module with Maven.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup-interop.sh"
cd "$here"
exec mvn -B verify "$@"
