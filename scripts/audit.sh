#!/usr/bin/env bash
# Fails on any high or critical advisory in production dependencies. When the registry's audit endpoint cannot be
# reached (some mirrors and proxies refuse it), says so loudly instead of pretending the audit passed.
set -uo pipefail
out=$(npm audit --omit=dev --audit-level=high --json 2>/dev/null)
status=$?
if echo "$out" | grep -q '"metadata"'; then
  high=$(echo "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s).metadata.vulnerabilities;console.log((v.high||0)+(v.critical||0))})')
  echo "npm audit (production dependencies): ${high} high or critical"
  [ "$high" = "0" ] && exit 0
  npm audit --omit=dev --audit-level=high
  exit 1
fi
echo "!!! npm audit could not reach the registry's audit endpoint (exit ${status}); no advisories were checked !!!"
exit 0
