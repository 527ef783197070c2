#!/usr/bin/env bash
# The whole test suite: system packages for the real-daemon tests, a build, then every jest project.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  bash scripts/install-deps.sh
else
  echo "test.sh: not root: system packages are not installed and the integration tests (network namespaces, real daemons) will fail" >&2
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
npx tsc -p tsconfig.test.json --noEmit
exec npx jest --ci "$@"
