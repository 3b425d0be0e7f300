# Shared by check.sh and mutants.sh: build and run Spin's verifier for a set of defines.
# Needs spin and a C compiler (Debian: apt-get install spin gcc).
command -v spin >/dev/null || { echo "spin is not installed: apt-get install spin" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/msgqueue.pml" "$work/"
out=""

# verify DEFINES [CFLAGS…]: exhaustive safety search; sets $out; succeeds when no property fails.
verify() {
  local defines="$1"
  shift
  (cd "$work" && rm -f pan pan.* msgqueue.pml.trail && spin -a $defines msgqueue.pml >/dev/null &&
    cc -O2 -w -DSAFETY -DCOLLAPSE "$@" -o pan pan.c) || { out="spin or cc failed"; return 2; }
  out="$(cd "$work" && ./pan -m1000000 2>&1)"
  grep -q 'errors: 0' <<<"$out" && ! grep -q 'Search not completed' <<<"$out"
}

states_of() { sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' <<<"$1" | head -1; }
elapsed_of() { sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds.*/\1/p' <<<"$1" | head -1; }

# explain DEFINES: the property that failed (its line in the model) and the schedule that breaks it.
explain() {
  local line
  line=$(cd "$work" && spin -t $1 msgqueue.pml 2>&1 | sed -n 's/^spin: msgqueue.pml:\([0-9]*\), Error: assertion violated.*/\1/p' | head -1)
  if [ -n "$line" ]; then
    echo "    property: $(sed -n "${line}p" "$work/msgqueue.pml" | sed 's/^ *//')"
  else
    grep -E 'violated|invalid end state|errors:' <<<"$out" | sed 's/^/    /'
  fi
  echo "    counterexample (shortest schedule):"
  (cd "$work" && spin -t $1 msgqueue.pml 2>&1 | sed -n '/^ *[a-z0-9]*: \|^ *provider:\|^ *clock:\|^ *recycler:\|^ *operator:\|^ *fail /p' | sed 's/^ */      /')
}
