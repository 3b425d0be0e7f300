#!/usr/bin/env bash
# Check the protocol model exhaustively with Spin: every schedule of each configuration below.
# Prints the states each explored and exits non-zero when a property fails (with the counterexample).
#   model/check.sh              the configurations CI checks
#   model/check.sh -DMAXATT=3   the same with extra Spin/C defines added to each
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/spin.sh"

# name | defines: delivery mode and bounds (crashes, lost answers, operator actions, attempts)
CONFIGS=(
  "at-least-once, crashes and lost answers|-DMAXCRASH=1 -DMAXLOST=1 -DMAXOPS=0"
  "at-most-once, crashes and lost answers|-DAMO -DMAXCRASH=1 -DMAXLOST=1 -DMAXOPS=0"
  "at-most-once, a crash and an operator|-DAMO -DMAXCRASH=1 -DMAXLOST=0 -DMAXOPS=1"
  "at-least-once, a crash and an operator, one attempt|-DMAXCRASH=1 -DMAXLOST=0 -DMAXOPS=1 -DMAXATT=1"
  "at-least-once, a group paused and resumed, a 429|-DMAXCRASH=0 -DMAXLOST=0 -DMAXOPS=0 -DMAXGATE=1 -DMAXLIMITED=1"
  "at-least-once, a crash, a lost answer and a cancel|-DMAXCRASH=1 -DMAXLOST=1 -DMAXOPS=0 -DMAXCANCEL=1"
)

failed=0
total=0
start=$SECONDS
for config in "${CONFIGS[@]}"; do
  name="${config%%|*}"
  defines="${config#*|} $*"
  if verify "$defines"; then
    states=$(states_of "$out")
    total=$((total + states))
    printf '  ok  %-55s %12s states, %s s\n' "$name" "$states" "$(elapsed_of "$out")"
  else
    failed=1
    printf '  FAILED  %s (%s)\n' "$name" "$defines"
    explain "$defines"
  fi
done
printf 'model check: %d configurations, %s states explored in %d s, %s\n' "${#CONFIGS[@]}" "$total" $((SECONDS - start)) \
  "$([ $failed = 0 ] && echo 'every property holds' || echo 'A PROPERTY FAILED')"
exit $failed
