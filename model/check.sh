#!/usr/bin/env bash
# Check the protocol model exhaustively with Spin: every schedule of each configuration below.
# Prints the states each explored and exits non-zero when a property fails (with the counterexample).
#   model/check.sh              the configurations CI checks
#   model/check.sh -DMAXATT=3   the same with extra Spin/C defines added to each
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v spin >/dev/null || { echo "spin is not installed: apt-get install spin" >&2; exit 2; }

# name | defines: delivery mode and bounds (crashes, lost answers, operator actions, attempts)
CONFIGS=(
  "at-least-once, crashes and lost answers|-DMAXCRASH=1 -DMAXLOST=1 -DMAXOPS=0"
  "at-most-once, crashes and lost answers|-DAMO -DMAXCRASH=1 -DMAXLOST=1 -DMAXOPS=0"
  "at-most-once, a crash and an operator|-DAMO -DMAXCRASH=1 -DMAXLOST=0 -DMAXOPS=1"
  "at-least-once, a crash and an operator, one attempt|-DMAXCRASH=1 -DMAXLOST=0 -DMAXOPS=1 -DMAXATT=1"
  "at-least-once, a group paused and resumed, a 429|-DMAXCRASH=0 -DMAXLOST=0 -DMAXOPS=0 -DMAXGATE=1 -DMAXLIMITED=1"
  "at-least-once, a crash, a lost answer and a cancel|-DMAXCRASH=1 -DMAXLOST=1 -DMAXOPS=0 -DMAXCANCEL=1"
)

# Two configurations at a time (the machine's two cores), each in a work directory of its own;
# their lines are printed in the order above.
JOBS=${MODEL_JOBS:-2}
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
start=$SECONDS
run_config() {
  local i="$1" name="${2%%|*}" defines="${2#*|} ${*:3}"
  (
    . "$here/spin.sh"
    if verify "$defines"; then
      printf 'ok|%s|%s\n' "$(states_of "$out")" "$(elapsed_of "$out")" >"$results/$i"
    else
      { printf 'FAILED|%s|%s\n' "$name" "$defines"; explain "$defines"; } >"$results/$i"
    fi
  )
}
for i in "${!CONFIGS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  run_config "$i" "${CONFIGS[$i]}" "$@" &
done
wait

failed=0
total=0
for i in "${!CONFIGS[@]}"; do
  name="${CONFIGS[$i]%%|*}"
  IFS='|' read -r status a b <"$results/$i"
  if [ "$status" = ok ]; then
    total=$((total + a))
    printf '  ok  %-55s %12s states, %s s\n' "$name" "$a" "$b"
  else
    failed=1
    printf '  FAILED  %s (%s)\n' "$a" "$b"
    tail -n +2 "$results/$i"
  fi
done
printf 'model check: %d configurations, %s states explored in %d s (%d at a time), %s\n' "${#CONFIGS[@]}" "$total" $((SECONDS - start)) "$JOBS" \
  "$([ $failed = 0 ] && echo 'every property holds' || echo 'A PROPERTY FAILED')"
exit $failed
