/*
 * msgqueue's delivery protocol, as the code carries it out, for Spin to check exhaustively.
 *
 * Every row lives in the table (the arrays below); workers, the lease clock, the recycler and an
 * operator are processes. One step of a process is one statement of the code (an `atomic` block is a
 * single SQL statement or transaction: the database runs it at once). Every schedule of the small
 * system below is explored: N messages (two in one ordered group, one alone), W workers each
 * claiming up to LIMIT messages a tick, MAXATT attempts, and crashes, lost answers and operator
 * actions up to a bound. docs/reliability.md maps each transition to the SQL and the core function.
 *
 *   spin -a [-DAMO] [-DMUT_…] msgqueue.pml && cc -O2 -DSAFETY -o pan pan.c && ./pan
 *
 * -DAMO checks at-most-once (default: at-least-once). The MUT_ flags break the code on purpose
 * (model/mutants.sh): each must make a property fail.
 *
 * The properties, each written once:
 *   P1 at-most-once never delivers a message twice                           (deliver)
 *   P2 every message ends SENT, FAILED, HELD or CANCELLED, and SENT only once delivered (the end state)
 *   P3 at-least-once: a second delivery is always of a row flagged possiblySent, under the same
 *      idempotency key (the message's id, which never changes)               (deliver)
 *   P4 a group's messages are delivered in order, one in flight at a time     (deliver, claim)
 *   P5 no claim takes more than its limit                                     (claim)
 *   P6 a stale worker's transition never takes effect: only the claim that owns a row moves it
 *                                                                              (owned)
 *   P7 no claim takes a row behind a closed gate (a paused group key)          (claim)
 *   P8 a CANCELLED message was never delivered — before or after its cancel — unless it is
 *      flagged possiblySent (a send in doubt before the cancel, which the plan shows): a cancel
 *      neither hides a delivery nor is followed by one          (the end state: every delivery counted)
 * Spin also reports any schedule where the system stops with a message left in flight or pending
 * (an invalid end state): nothing is ever stuck.
 *
 * Assumption, stated where the code makes it true: a send ends — arrives or not — before its lease
 * does (runOnce aborts the signal it hands to send before the lease ends, and the guard leaves
 * guardMarginMs of lease). A send that ignores the signal is outside this model.
 */

#define N 3 /* fixed: the macros below spell out three messages and two workers */
#define W 2
#ifndef LIMIT
#define LIMIT 2
#endif
#ifndef MAXATT
#define MAXATT 2
#endif
#ifndef MAXCRASH
#define MAXCRASH 1
#endif
#ifndef MAXLOST
#define MAXLOST 1
#endif
#ifndef MAXOPS
#define MAXOPS 1
#endif
#ifndef MAXGATE
#define MAXGATE 0
#endif
#ifndef MAXLIMITED
#define MAXLIMITED 0
#endif
/* An operator's cancels of PENDING messages */
#ifndef MAXCANCEL
#define MAXCANCEL 0
#endif
#define NONE 255

mtype = { PENDING, PROCESSING, SENDING, SENT, FAILED, HELD, CANCELLED }; /* the statuses */

/* Lease: 0 none, LIVE, or EXPIRED — or too short for the guard's margin, which the guard refuses alike */
#define LIVE 1
#define EXPIRED 2

/* The table */
mtype st[N];
byte tok[N];   /* claim token, 0 when no claim owns the row */
byte att[N];   /* attempts */
bool ps[N];    /* possiblySent */
byte lease[N];
byte grp[N];   /* group key, 0 for none */

/* The provider's log, and ghosts the properties read */
byte deliv[N];      /* deliveries the provider accepted: 0, 1, or 2 for more than one */
bool opRetried[N];  /* an operator sent it back to PENDING: it may run out of its group's order */
byte crashes;
byte lost;          /* writes whose answer was lost */
byte opActs;
bool gated;         /* the gate of group 1 is closed: queue.pause({ key }) (pauseFor alike) */
byte gateActs;
byte limitedSends;  /* sends the provider refused with a 429 */
byte cancels;       /* messages an operator cancelled */

/* Each worker's claim: its token, the messages it holds by slot, and whether the claim was their guard */
byte wtok[W];
byte wmsg[W * LIMIT];
bool wguard[W];

#define inflight(m) (st[m] == PROCESSING || st[m] == SENDING)
#define final(m) (st[m] == SENT || st[m] == FAILED || st[m] == HELD || st[m] == CANCELLED)
#define allFinal (final(0) && final(1) && final(2))
#define anyPending (st[0] == PENDING || st[1] == PENDING || st[2] == PENDING)
#define ticking(m) (inflight(m) && lease[m] == LIVE)
#define expired(m) (inflight(m) && lease[m] == EXPIRED)
/* A claim no running worker holds: its worker died, or never heard back from the claim. */
#define orphaned(m) (inflight(m) && tok[m] != wtok[0] && tok[m] != wtok[1])
#ifdef AMO
#define retriable(m) ((st[m] == HELD || st[m] == FAILED) && deliv[m] == 0)
#else
#define retriable(m) (st[m] == HELD || st[m] == FAILED)
#endif
#define actionable(m) ((st[m] == HELD && deliv[m] > 0) || retriable(m) || orphaned(m))

/* Outcomes of a send, as the worker sees them */
#define REFUSED 0
#define OK 1
#define UNKNOWN 2
#define RETRYABLE 3
#define PERMANENT 4
#define LIMITED 5

/* P6: a fenced transition that took effect was made by the claim that owns the row. */
inline owned(m, t) {
  assert(t != 0 && tok[m] == t)                /* P6 */
}

/*
 * Claim tokens: a worker's claims all carry its own token. Each worker works one claim at a time, so
 * no two claims alive at once share one; a stale claim (recycled, maybe claimed again by another
 * worker) is always another worker's token or none, exactly what a fresh random token gives.
 */
#define tokenOf(w) (w + 1)

/* The group rule of the claim: no other row of the group in flight, none earlier still pending. */
inline claimable(m, ok) {
  ok = (st[m] == PENDING);
#ifndef MUT_CLAIM_IGNORES_GATES
  ok = ok && !(grp[m] != 0 && gated);          /* the gate, read in the claim's statement */
#endif
#ifndef MUT_CLAIM_IGNORES_GROUPS
  if
  :: ok && grp[m] != 0 ->
     for (j : 0 .. N - 1) {
       if
       :: j != m && grp[j] == grp[m] && (inflight(j) || (j < m && st[j] == PENDING)) -> ok = false
       :: else
       fi
     }
  :: else
  fi
#endif
}

/* The provider accepts a message: P1, P3, P4. */
inline deliver(m) {
#ifdef AMO
  assert(deliv[m] == 0);                      /* P1 */
#else
  assert(deliv[m] == 0 || ps[m]);             /* P3 */
#endif
  if :: deliv[m] < 2 -> deliv[m]++ :: else fi; /* once, or more than once: all the properties ask */
  printf("provider: accepts m%d (delivery %d, possiblySent %d)\n", m, deliv[m], ps[m]);
  for (j : 0 .. N - 1) {                      /* P4: no earlier message of its group still to go */
    assert(!(grp[m] != 0 && j < m && grp[j] == grp[m] && !opRetried[j] && (st[j] == PENDING || inflight(j)))) /* P4 */
  };
  j = 0
}

/* fail(): the attempt failed; `maybe` when it passed the guard and the outcome is unknown. */
inline failAttempt(m, t, maybe, retryable) {
  if
  :: inflight(m) && tok[m] == t ->
     owned(m, t);
     if
     :: maybe && st[m] == SENDING ->
        ps[m] = true;
        if
        :: !retryable || att[m] >= MAXATT -> st[m] = FAILED
#ifdef AMO
        :: else -> st[m] = HELD
#else
        :: else -> st[m] = PENDING
#endif
        fi
     :: else ->
        if
        :: !retryable || att[m] >= MAXATT -> st[m] = FAILED
        :: else -> st[m] = PENDING
        fi
     fi;
     tok[m] = 0; lease[m] = 0;
     printf("  fail m%d -> %e\n", m, st[m])
  :: else -> printf("  fail m%d refused: stale-claim\n", m)
  fi
}

#define slot(i) wmsg[w * LIMIT + i]
#define holding (slot(0) != NONE || slot(1) != NONE) /* LIMIT is 2 */

/* The worker's process dies: its claim is forgotten, its rows stay leased until they expire. */
inline crash() {
  printf("w%d: crashes\n", w);
  crashes++;
  slot(0) = NONE; slot(1) = NONE; wtok[w] = 0; wguard[w] = false; outcome = REFUSED
}

/* The tick is over once the worker holds nothing and has nothing to record. */
inline endOfTick() {
  if
  :: outcome == REFUSED -> m = 0; if :: !holding -> wtok[w] = 0; wguard[w] = false :: else fi
  :: else /* m is still to be recorded */
  fi
}

/*
 * A cron tick of one worker: claim, then each message in claim order. Each step below is one
 * atomic step of the model — one statement, or one call and what it answers — so every schedule of
 * the workers, the clock, the recycler and the operator between them is explored.
 */
proctype worker(byte w) {
  byte t, k, m, j, outcome;
  bool ok;
end:
  do
  /* ackAndClaim writes the last batch's acks and the next claim in one statement: distinct rows,
   * each fenced on its own, so it is the ack steps below and this claim back to back. */
  :: atomic { /* claimBatch: one statement picks up to LIMIT claimable rows in claim order and stamps them;
               * or, when the tick starts every send at once, stamps them SENDING: the claim is their guard.
               * contract: claim, ackAndClaim */
       anyPending && wtok[w] == 0 && !holding && outcome == REFUSED ->
       t = tokenOf(w);
       k = 0;
       if :: ok = false :: ok = true fi; wguard[w] = ok; /* ok: claim and guard in one write */
       for (m : 0 .. N - 1) {
         claimable(m, ok);
         if
         :: ok && k < LIMIT ->
            assert(!(grp[m] != 0 && gated));  /* P7 */
            st[m] = (wguard[w] -> SENDING : PROCESSING); tok[m] = t; lease[m] = LIVE; att[m]++;
            slot(k) = m; k++;
            printf("w%d: claims m%d (token %d, attempt %d)\n", w, m, t, att[m])
         :: else
         fi
       }
       assert(k <= LIMIT);                     /* P5 */
       for (m : 0 .. N - 1) {                  /* P4: one message of a group in flight */
         for (j : 0 .. N - 1) { assert(!(m < j && grp[m] != 0 && grp[m] == grp[j] && inflight(m) && inflight(j))) } /* P4 */
       }
       if
       :: k > 0 -> wtok[w] = t
       :: k > 0 && lost < MAXLOST -> /* committed, but the answer never came back */
          lost++; slot(0) = NONE; slot(1) = NONE; wguard[w] = false;
          printf("w%d: the claim's answer is lost\n", w)
       :: else -> wguard[w] = false
       fi;
       t = 0; k = 0; m = 0; j = 0; ok = false /* forget the temporaries: fewer states */
     }
  :: atomic { /* the next message of the claim */
       holding && outcome == REFUSED ->
       if :: slot(0) != NONE -> m = slot(0) :: else -> m = slot(1) fi;
       if
       :: crashes < MAXCRASH -> crash()
       :: inflight(m) && tok[m] == wtok[w] -> /* extendLease, then go on with it. contract: extendLease */
          owned(m, wtok[w]); lease[m] = LIVE;
          printf("w%d: extends m%d\n", w, m)
       :: true -> /* release (no time left to send it): PROCESSING → PENDING, attempt given back; SENDING
                   * too where the claim was its guard and its send never started. contract: settle */
          if :: slot(0) == m -> slot(0) = NONE :: else -> slot(1) = NONE fi;
          if
          :: (st[m] == PROCESSING || (wguard[w] && st[m] == SENDING)) && tok[m] == wtok[w] ->
             owned(m, wtok[w]); st[m] = PENDING; tok[m] = 0; lease[m] = 0; att[m]--;
             printf("w%d: releases m%d\n", w, m)
          :: else -> printf("w%d: release of m%d refused\n", w, m)
          fi
       :: true -> /* guardBeforeSend (the batched window guards each row alike), then the send,
                   * which starts at once and ends before the lease does. contract: guard, guardMany */
          if :: slot(0) == m -> slot(0) = NONE :: else -> slot(1) = NONE fi;
          if
          :: (st[m] == PROCESSING || (wguard[w] && st[m] == SENDING)) && tok[m] == wtok[w] && lease[m] == LIVE ->
             owned(m, wtok[w]); st[m] = SENDING; /* with wguard the claim wrote it: the send starts at once */
             printf("w%d: guard passes m%d, sends it\n", w, m);
             if
             :: deliver(m); outcome = OK
             :: deliver(m); outcome = UNKNOWN  /* delivered, but the answer was lost */
             :: outcome = UNKNOWN              /* timed out, never arrived */
             :: outcome = RETRYABLE            /* the provider certainly did not take it */
             :: outcome = PERMANENT            /* refused for good */
             :: limitedSends < MAXLIMITED -> limitedSends++; outcome = LIMITED /* 429: not taken, wait */
             :: lost < MAXLOST -> lost++       /* the guard's answer was lost: not sent */
             fi
          :: else -> printf("w%d: guard refuses m%d: not sent\n", w, m) /* stale-claim, lease expired or too short */
          fi
       fi;
       endOfTick()
     }
  /* ackAndGuard writes acks and the next window's guards in one statement: its rows are distinct,
   * each fenced on its own, so it is this step and the guard step above back to back. */
  :: atomic { /* record the send: ack, or fail as the error says. contract: ackMany, ackAndGuard, settle */
       outcome != REFUSED ->
       if
       :: crashes < MAXCRASH -> crash() /* dies before recording it */
       :: outcome == OK ->
          if
#ifdef MUT_ACK_IGNORES_TOKEN
          :: inflight(m) ->
#else
          :: inflight(m) && tok[m] == wtok[w] ->
#endif
             owned(m, wtok[w]); st[m] = SENT; tok[m] = 0; lease[m] = 0;
             printf("w%d: acks m%d -> SENT\n", w, m)
          :: else -> printf("w%d: ack of m%d refused: stale-claim\n", w, m)
          fi
       :: outcome == UNKNOWN -> printf("w%d: send of m%d ended in doubt\n", w, m); failAttempt(m, wtok[w], true, true)
       :: outcome == RETRYABLE -> printf("w%d: m%d not taken (retryable)\n", w, m); failAttempt(m, wtok[w], false, true)
       :: outcome == PERMANENT -> printf("w%d: m%d refused for good\n", w, m); failAttempt(m, wtok[w], false, false)
       :: outcome == LIMITED -> /* the 429: its group's gate held (a hold ends as a resume does), the message
                                 * back to PENDING for after the wait, its attempt given back (releaseRateLimited) */
          if
          :: st[m] == SENDING && tok[m] == wtok[w] ->
             owned(m, wtok[w]); st[m] = PENDING; tok[m] = 0; lease[m] = 0; att[m]--;
             if :: grp[m] != 0 -> gated = true :: else fi;
             printf("w%d: m%d not taken (429): back to PENDING, attempt given back\n", w, m)
          :: else -> printf("w%d: release of m%d refused: stale-claim\n", w, m)
          fi
       fi;
       outcome = REFUSED;
       endOfTick()
     }
  od
}

/* Time passes: any lease may run out. */
active proctype clock() {
end:
  do
  :: atomic { ticking(0) -> lease[0] = EXPIRED; printf("clock: the lease of m0 expires\n") }
  :: atomic { ticking(1) -> lease[1] = EXPIRED; printf("clock: the lease of m1 expires\n") }
  :: atomic { ticking(2) -> lease[2] = EXPIRED; printf("clock: the lease of m2 expires\n") }
  od
}

/* recycleStuck (every tick runs it): the row whose lease expired, re-checked in the statement. contract: recycle */
inline recycle(m) {
  if
  :: st[m] == PROCESSING -> /* never sent */
     if :: att[m] >= MAXATT -> st[m] = FAILED :: else -> st[m] = PENDING fi
  :: st[m] == SENDING ->    /* maybe sent */
     ps[m] = true;
#ifdef AMO
  #ifdef MUT_RECYCLE_RESENDS_AT_MOST_ONCE
     st[m] = PENDING
  #else
     st[m] = HELD
  #endif
#else
     if :: att[m] >= MAXATT -> st[m] = FAILED :: else -> st[m] = PENDING fi
#endif
  fi;
  tok[m] = 0; lease[m] = 0;
  printf("recycler: m%d -> %e\n", m, st[m])
}

active proctype recycler() {
end:
  do
  :: atomic { expired(0) -> recycle(0) }
  :: atomic { expired(1) -> recycle(1) }
  :: atomic { expired(2) -> recycle(2) }
  od
}

/*
 * A person, who checks with the provider before deciding (as the runbook says): markSent what it
 * has, retry what it has not, releaseStuck({ force: true }) only for a claim no worker holds.
 * contract: retry, operate
 */
inline operate(m) {
  if
  :: st[m] == HELD && deliv[m] > 0 -> st[m] = SENT /* markSent */
  :: retriable(m) -> st[m] = PENDING; att[m] = 0; opRetried[m] = true /* retry */
  :: orphaned(m) ->                                 /* releaseStuck, force, sending as the provider says */
     if
     :: st[m] == PROCESSING -> st[m] = PENDING
     :: st[m] == SENDING && deliv[m] > 0 -> st[m] = SENT
     :: st[m] == SENDING && deliv[m] == 0 -> st[m] = PENDING; ps[m] = true
     fi;
     opRetried[m] = true
  fi;
  tok[m] = 0; lease[m] = 0; opActs++;
  printf("operator: m%d -> %e\n", m, st[m])
}

active proctype operator() {
end:
  do
  :: atomic { opActs < MAXOPS && actionable(0) -> operate(0) }
  :: atomic { opActs < MAXOPS && actionable(1) -> operate(1) }
  :: atomic { opActs < MAXOPS && actionable(2) -> operate(2) }
  od
}

/*
 * An operator pauses group 1, and resumes it later (a pause for a while ends alike): claims meanwhile pass its rows
 * by, and a claim made before the pause goes on. At most MAXGATE pauses.
 */
active proctype gatekeeper() {
end:
  do
  :: atomic { !gated && gateActs < MAXGATE -> gated = true; gateActs++; printf("operator: pauses group 1\n") } /* contract: setGate */
  :: atomic { gated -> gated = false; printf("operator: resumes group 1\n") }
  od
}

/*
 * An operator cancels a message (queue.cancel, by id, group or filter): one fenced statement that
 * moves the row only if it is still PENDING as the plan read it, clearing any token. At most MAXCANCEL.
 * contract: operate
 */
#ifdef MUT_CANCEL_IGNORES_STATUS
#define cancellable(m) (st[m] == PENDING || inflight(m))
#else
#define cancellable(m) (st[m] == PENDING)
#endif
inline cancelOne(m) {
  st[m] = CANCELLED; tok[m] = 0; lease[m] = 0; cancels++;
  printf("operator: cancels m%d\n", m)
}

proctype canceller() { /* started by init only where MAXCANCEL > 0: elsewhere it would only add states */
end:
  do
  :: atomic { cancels < MAXCANCEL && cancellable(0) -> cancelOne(0) }
  :: atomic { cancels < MAXCANCEL && cancellable(1) -> cancelOne(1) }
  :: atomic { cancels < MAXCANCEL && cancellable(2) -> cancelOne(2) }
  od
}

/* P2: when nothing can move any more, every message has ended — SENT, FAILED, HELD or CANCELLED — and SENT only once delivered. */
active proctype ending() {
  byte m;
  timeout ->
  for (m : 0 .. N - 1) {
    assert(final(m));                          /* P2 */
#if MAXCANCEL > 0
    /* Only where something is cancelled: reading possiblySent here would keep apart states that
     * differ only in it (Spin merges them while nothing reads it), for no property. */
    assert(st[m] != CANCELLED || deliv[m] == 0 || ps[m]); /* P8 */
#endif
    assert(st[m] != SENT || deliv[m] > 0)      /* P2 */
  }
}

init {
  byte w;
  atomic {
    /* enqueue: three PENDING messages, two in one group (in this order), one alone. contract: insert */
    st[0] = PENDING; st[1] = PENDING; st[2] = PENDING;
    grp[0] = 1; grp[1] = 1; grp[2] = 0;
    for (w : 0 .. W * LIMIT - 1) { wmsg[w] = NONE };
    for (w : 0 .. W - 1) { run worker(w) };
    if :: MAXCANCEL > 0 -> run canceller() :: else fi
  }
}
