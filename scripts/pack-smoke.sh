#!/usr/bin/env bash
# Proves the published shape works: pack the package, install the tarball into an empty folder the
# way `npx aws-groundwork` would, and run --version and --help from there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)
echo "pack-smoke: packed $tarball"

cd "$work"
npm init -y >/dev/null 2>&1
npm install --no-audit --no-fund --prefer-offline --loglevel=error "./$tarball" >/dev/null 2>&1
want=$(node -p "require('$root/package.json').version")
got=$(npx --no-install aws-groundwork --version)
[ "$got" = "$want" ] || { echo "pack-smoke: --version printed '$got', expected '$want'" >&2; exit 1; }
npx --no-install aws-groundwork --help | grep -q '^Usage' || { echo 'pack-smoke: --help has no Usage' >&2; exit 1; }
# The installed package carries its templates: the answers template renders from the tarball alone.
npx --no-install aws-groundwork answers | grep -q '^version: 1' || { echo 'pack-smoke: answers template missing' >&2; exit 1; }
# The JSON Schemas of the plan and verify documents and of the answers file ship with the package, and parse.
for schema in plan.v2 verify.v2 answers.v1; do
  node -e "JSON.parse(require('fs').readFileSync('node_modules/aws-groundwork/schemas/$schema.schema.json','utf8'))" \
    || { echo "pack-smoke: schemas/$schema.schema.json is missing from the package" >&2; exit 1; }
done
# The template's first line points editors to that answers schema, at this version of the package.
npx --no-install aws-groundwork answers >"$work/answers.yaml"
head -n 1 "$work/answers.yaml" | grep -qF "# yaml-language-server: \$schema=https://cdn.jsdelivr.net/npm/aws-groundwork@$want/schemas/answers.v1.schema.json" \
  || { echo 'pack-smoke: the answers template does not point to its JSON Schema' >&2; exit 1; }
# No runtime dependencies: everything is in the bundle.
deps=$(node -p "Object.keys(require('./node_modules/aws-groundwork/package.json').dependencies ?? {}).length")
[ "$deps" = "0" ] || { echo "pack-smoke: the package declares $deps runtime dependencies" >&2; exit 1; }
# The AWS SDK chunks load and reach out: a plan against a closed local port fails (1), blaming the endpoint.
set +e
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_EC2_METADATA_DISABLED=true \
  npx --no-install aws-groundwork plan --only account-alias --set steps.account-alias.alias=acme --endpoint-url http://127.0.0.1:9 >/dev/null 2>"$work/plan.err"
code=$?
set -e
[ "$code" = "1" ] && grep -q 'the endpoint http://127.0.0.1:9 (from --endpoint-url) did not answer' "$work/plan.err" || { echo "pack-smoke: plan from the tarball exited $code:" >&2; cat "$work/plan.err" >&2; exit 1; }
echo "pack-smoke: npx aws-groundwork --version ($got), --help, answers and plan work from the packed tarball, the schemas ship, with no runtime dependencies"
