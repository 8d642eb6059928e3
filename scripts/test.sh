#!/usr/bin/env bash
# The whole test suite: test dependencies, build, type check, lint, then jest (unit and integration).
# Extra arguments go to jest, e.g. `npm test -- test/unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
[ -d node_modules ] || npm ci
npm run -s build
npm run -s typecheck
npm run -s lint
npm run -s test:unit -- "$@"
