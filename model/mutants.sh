#!/usr/bin/env bash
# Break the code on purpose and show the model checker catches each break, with its counterexample.
# Exits non-zero if a mutant survives (the model would have no teeth).
#   model/mutants.sh
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/spin.sh"

# name | the break and the configuration to look in
MUTANTS=(
  "ack without the claim-token condition|-DMUT_ACK_IGNORES_TOKEN -DMAXCRASH=1 -DMAXLOST=0 -DMAXOPS=0"
  "recycle takes a SENDING row back to PENDING in at-most-once|-DAMO -DMUT_RECYCLE_RESENDS_AT_MOST_ONCE -DMAXCRASH=1 -DMAXLOST=0 -DMAXOPS=0"
  "claim ignores groups|-DMUT_CLAIM_IGNORES_GROUPS -DMAXCRASH=0 -DMAXLOST=0 -DMAXOPS=0"
  "claim ignores a paused group's gate|-DMUT_CLAIM_IGNORES_GATES -DMAXCRASH=0 -DMAXLOST=0 -DMAXOPS=0 -DMAXGATE=1"
  "cancel takes a message in flight, not only a PENDING one|-DMUT_CANCEL_IGNORES_STATUS -DMAXCRASH=0 -DMAXLOST=0 -DMAXOPS=0 -DMAXCANCEL=1"
)

survived=0
for mutant in "${MUTANTS[@]}"; do
  name="${mutant%%|*}"
  defines="${mutant#*|}"
  # Breadth first: the counterexample printed is a shortest one.
  if verify "$defines" -DBFS; then
    survived=1
    echo "SURVIVED: $name — no property failed"
  else
    echo "caught: $name"
    explain "$defines"
  fi
done
exit $survived
