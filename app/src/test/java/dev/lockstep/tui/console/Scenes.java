package dev.lockstep.tui.console;

import dev.lockstep.criteria.Comparison;
import dev.lockstep.criteria.Criterion;
import dev.lockstep.criteria.CriterionEvent;
import dev.lockstep.criteria.CriterionState;
import dev.lockstep.criteria.CriterionStatus;
import dev.lockstep.criteria.SignalReading;
import dev.lockstep.criteria.SignalRef;
import dev.lockstep.engine.BackfillProgress;
import dev.lockstep.engine.ConsoleScene;
import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineEvent.StateChanged.Cause;
import dev.lockstep.engine.Question;
import dev.lockstep.engine.RunState;
import dev.lockstep.engine.ViewFold;
import dev.lockstep.pg.ServerIdentity;
import dev.lockstep.probe.Activity;
import dev.lockstep.probe.BlockingRoot;
import dev.lockstep.probe.LockWait;
import dev.lockstep.probe.Locks;
import dev.lockstep.probe.LongTransaction;
import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.probe.PartStatus;
import dev.lockstep.probe.ReplicationConnection;
import dev.lockstep.probe.ReplicationSlot;
import dev.lockstep.probe.ServerSnapshot;
import dev.lockstep.probe.SessionSummary;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.StandbyLag;
import dev.lockstep.recovery.Applied;
import dev.lockstep.recovery.Declared;
import dev.lockstep.recovery.Diagnosis;
import dev.lockstep.recovery.Fact;
import dev.lockstep.recovery.Failure;
import dev.lockstep.recovery.FailureClass;
import dev.lockstep.recovery.Leftover;
import dev.lockstep.runbook.StopAction;
import dev.lockstep.runbook.UnknownPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run of a small runbook told as the engine tells it: typed events folded by the real {@link RunViewFold},
 * probe snapshots built from the probe's own records, failures classified into real {@link Diagnosis}es with
 * the real offers. Everything at fixed instants, in UTC.
 */
final class Scenes {

    static final Instant T0 = Instant.parse("2026-11-21T03:00:00Z");
    static final String RUNBOOK = "CHG-2026-1120-case-priority";
    static final String RUN_ID = "20261121T030000Z-1b6eb";
    static final Instant WINDOW_END = T0.plus(Duration.ofHours(1));

    static final Criterion LOCK_QUEUE = new Criterion(
            "lock-queue",
            SignalRef.builtIn("lock_wait_seconds"),
            Comparison.ABOVE,
            5,
            Duration.ofSeconds(3),
            1,
            StopAction.PAUSE,
            UnknownPolicy.BREACH,
            false);
    static final Criterion STANDBY_LAG = new Criterion(
            "standby-lag",
            SignalRef.builtIn("replication_lag_seconds"),
            Comparison.ABOVE,
            6,
            Duration.ZERO,
            5,
            StopAction.PAUSE,
            UnknownPolicy.BREACH,
            true);
    static final Criterion BLOCKED_BY_US =
            Criterion.above("blocked-by-us", SignalRef.builtIn("blocked_by_us"), 3, StopAction.THROTTLE);

    private Scenes() {}

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static ViewFold fold() {
        return ConsoleScene.fold(RUNBOOK, WINDOW_END, "Add case_file.priority and backfill it");
    }

    /** Opened, the first three steps done (the approval answered): a run at the start of its backfill. */
    static EngineEvent[] opening() {
        return new EngineEvent[] {
            new EngineEvent.RunOpened(
                    at(0), RUN_ID, RUNBOOK, "5f1c0ffee", "cases on pg1:5432", "oncall@bastion pid 28190", false, null),
            new EngineEvent.StateChanged(at(0), RunState.PENDING, RunState.RUNNING, "started", Cause.START, null),
            new EngineEvent.StepStarted(at(1), "precheck", "check", 1, true),
            new EngineEvent.Verified(
                    at(1),
                    "precheck",
                    "select count(*) from information_schema.columns where column_name = 'priority'",
                    true,
                    "{ equals: 0 }",
                    "0"),
            new EngineEvent.StepEnded(at(1), "precheck", 1, "ok", null, 11, null, null),
            new EngineEvent.StepStarted(at(2), "confirm-backup", "approval", 1, false),
            new EngineEvent.ApprovalGiven(
                    at(40), "confirm-backup", ConsoleHarness.ACTOR, "restore tested on staging, OPS-4711", "prompt"),
            new EngineEvent.StepEnded(at(40), "confirm-backup", 1, "ok", null, 38_000, null, null),
            new EngineEvent.StepStarted(at(41), "add-column", "sql", 1, true),
            new EngineEvent.StepEnded(at(41), "add-column", 1, "ok", 0L, 4, null, null),
            new EngineEvent.StepStarted(at(42), "backfill-priority", "backfill", 1, true),
        };
    }

    static BackfillProgress progress(long done, boolean paused) {
        return new BackfillProgress(
                done,
                done,
                done / 1000,
                120_000L,
                "pg_class.reltuples",
                4774,
                4774,
                Duration.ofSeconds((120_000 - done) / 4774),
                at(67).plusSeconds((120_000 - done) / 4774),
                WINDOW_END,
                1000,
                Duration.ofMillis(200),
                Duration.ZERO,
                paused ? Duration.ofSeconds(12) : Duration.ZERO);
    }

    /** The backfill 60.5 % through, every criterion fine, the standby close behind. */
    static EngineEvent[] backfilling() {
        return new EngineEvent[] {
            new EngineEvent.ProgressReported(at(66), "backfill-priority", progress(72_600, false)),
            new EngineEvent.Observed(
                    at(66),
                    snapshot(at(66), noWaits(), List.of(caughtUp())),
                    List.of(
                            status(LOCK_QUEUE, CriterionState.OK, 0, at(0)),
                            status(STANDBY_LAG, CriterionState.OK, 0.4, at(0)),
                            status(BLOCKED_BY_US, CriterionState.OK, 0, at(0))),
                    Map.of()),
        };
    }

    /** A session left idle in transaction queues the backfill's batch: lock-queue breaches and pauses the run. */
    static EngineEvent[] pausedByLockQueue() {
        Snapshot queued = snapshot(at(80), queue(), List.of(caughtUp()));
        return new EngineEvent[] {
            new EngineEvent.Breach(
                    at(72),
                    new CriterionEvent(
                            CriterionEvent.Kind.BREACH,
                            "lock-queue",
                            "lock_wait_seconds",
                            SignalReading.of(5.5),
                            Comparison.ABOVE,
                            5,
                            StopAction.PAUSE,
                            at(72))),
            new EngineEvent.StateChanged(
                    at(72),
                    RunState.RUNNING,
                    RunState.PAUSED,
                    "stop criterion lock-queue: lock_wait_seconds 5.5 > 5",
                    Cause.CRITERIA,
                    "lock-queue"),
            new EngineEvent.ProgressReported(at(78), "backfill-priority", progress(72_600, true)),
            new EngineEvent.Observed(
                    at(80),
                    queued,
                    List.of(
                            status(LOCK_QUEUE, CriterionState.BREACHED, 13.4, at(72)),
                            status(STANDBY_LAG, CriterionState.OK, 0.4, at(0)),
                            status(BLOCKED_BY_US, CriterionState.OK, 0, at(0))),
                    Map.of()),
        };
    }

    /** The standby's replay paused: its lag climbs past the limit and standby-lag pauses the run. */
    static EngineEvent[] lagging(int samples) {
        EngineEvent[] events = new EngineEvent[samples];
        for (int i = 0; i < samples; i++) {
            double lag = i * 1.5;
            Instant when = at(70 + i);
            CriterionState state = lag > 6 ? CriterionState.BREACHED : CriterionState.OK;
            events[i] = new EngineEvent.Observed(
                    when,
                    snapshot(when, noWaits(), List.of(lagging(lag, i > 2))),
                    List.of(
                            status(LOCK_QUEUE, CriterionState.OK, 0, at(0)),
                            status(STANDBY_LAG, state, lag, state == CriterionState.OK ? at(0) : at(75)),
                            status(BLOCKED_BY_US, CriterionState.OK, 0, at(0))),
                    Map.of());
        }
        return events;
    }

    static CriterionStatus status(Criterion criterion, CriterionState state, double reading, Instant since) {
        return new CriterionStatus(criterion, state, SignalReading.of(reading), since);
    }

    static Locks noWaits() {
        return new Locks(List.of(), List.of());
    }

    /** pid 4242 idle in transaction holds a lock on case_file; the backfill's batch and an app query wait. */
    static Locks queue() {
        LockWait batch = new LockWait(
                5151,
                "lockstep",
                "lockstep-run",
                "10.0.0.5",
                "active",
                "relation",
                "RowExclusiveLock",
                "case_file",
                at(66),
                13.4,
                false,
                13.5,
                "update case_file set priority = 3 where id > 72600 and id <= 73600",
                List.of(4242),
                List.of(6001),
                false);
        LockWait app = new LockWait(
                6001,
                "case_api",
                "case-api",
                "10.0.0.9",
                "active",
                "relation",
                "RowExclusiveLock",
                "case_file",
                at(70),
                9.8,
                false,
                9.8,
                "update case_file set status = 'closed' where id = 991",
                List.of(5151),
                List.of(),
                false);
        BlockingRoot holder = new BlockingRoot(
                4242,
                "alice",
                "billing",
                "10.0.0.7",
                "idle in transaction",
                220.0,
                192.0,
                "lock table case_file in share mode",
                "ShareLock on case_file",
                false,
                List.of(5151),
                2,
                2);
        return new Locks(List.of(batch, app), List.of(holder));
    }

    static StandbyLag caughtUp() {
        return new StandbyLag("s1", StandbyLag.State.CAUGHT_UP, 0.4, 65_536L, StandbyLag.Source.CAUGHT_UP, false, null);
    }

    static StandbyLag lagging(double seconds, boolean replayPaused) {
        return new StandbyLag(
                "s1",
                StandbyLag.State.LAGGING,
                seconds,
                (long) (seconds * 1_200_000),
                StandbyLag.Source.PRIMARY_WAL_HISTORY,
                replayPaused,
                null);
    }

    static Snapshot snapshot(Instant when, Locks locks, List<StandbyLag> lags) {
        return snapshot(when, locks, lags, List.of());
    }

    /** A Liquibase ledger at changeset 2 whose lock a deploy killed two hours ago left behind. */
    static MigrationLedger stuckLiquibase() {
        return new MigrationLedger(
                MigrationLedger.Tool.LIQUIBASE,
                "public",
                "2",
                "ana:2 (db/changelog.xml)",
                T0.minus(Duration.ofDays(1)),
                "ana",
                2,
                List.of(),
                new MigrationLedger.Lock(
                        "ci-runner-7 (10.254.1.7)",
                        T0.minus(Duration.ofHours(2)),
                        7260.0,
                        MigrationLedger.Liveness.GONE,
                        "no session in this database from address 10.254.1.7",
                        null));
    }

    /** A Flyway ledger at version 41, nothing failed, no lock seen. */
    static MigrationLedger healthyFlyway() {
        return new MigrationLedger(
                MigrationLedger.Tool.FLYWAY,
                "public",
                "41",
                "add case priority",
                T0.minus(Duration.ofDays(2)),
                "deployer",
                41,
                List.of(),
                null);
    }

    /** {@link #backfilling()} on a database that also carries migration ledgers. */
    static EngineEvent[] backfillingWith(MigrationLedger... ledgers) {
        return new EngineEvent[] {
            new EngineEvent.ProgressReported(at(66), "backfill-priority", progress(72_600, false)),
            new EngineEvent.Observed(
                    at(66),
                    snapshot(at(66), noWaits(), List.of(caughtUp()), List.of(ledgers)),
                    List.of(
                            status(LOCK_QUEUE, CriterionState.OK, 0, at(0)),
                            status(STANDBY_LAG, CriterionState.OK, 0.4, at(0)),
                            status(BLOCKED_BY_US, CriterionState.OK, 0, at(0))),
                    Map.of()),
        };
    }

    static Snapshot snapshot(Instant when, Locks locks, List<StandbyLag> lags, List<MigrationLedger> ledgers) {
        ServerIdentity identity =
                new ServerIdentity("16.4", 160004, "7301234567890123456", "cases", "lockstep", false, true, List.of());
        Map<String, PartStatus> parts = new LinkedHashMap<>();
        parts.put("locks", PartStatus.ok(1.1));
        parts.put("activity", PartStatus.ok(0.8));
        Activity activity = new Activity(
                new SessionSummary(23, 4, 1, locks.waiting().size(), 220.0, 1500L),
                List.of(new LongTransaction(
                        4242,
                        "alice",
                        "billing",
                        "10.0.0.7",
                        "idle in transaction",
                        220.0,
                        192.0,
                        1500L,
                        "lock table case_file in share mode")),
                List.of());
        ReplicationConnection s1 = new ReplicationConnection(
                7001,
                "replicator",
                "s1",
                "10.0.0.21",
                "streaming",
                "async",
                "0/3000148",
                "0/3000148",
                "0/3000148",
                "0/3000060",
                0.001,
                0.002,
                lags.isEmpty() || lags.get(0).lagSeconds() == null
                        ? null
                        : lags.get(0).lagSeconds(),
                when,
                0L,
                0L,
                0L,
                lags.isEmpty() ? null : lags.get(0).lagBytes(),
                null);
        ReplicationSlot slot = new ReplicationSlot(
                "s1_slot", "physical", null, true, 7001, "reserved", null, 2_400_000L, null, null, null, null);
        ServerSnapshot primary = new ServerSnapshot(
                "primary",
                "postgresql://lockstep@pg1:5432/cases",
                when,
                true,
                null,
                null,
                identity,
                when,
                parts,
                locks,
                activity,
                null,
                List.of(s1),
                List.of(slot),
                null,
                ledgers);
        return new Snapshot(when, 12.5, primary, List.of(), lags);
    }

    // questions, as the engine asks them

    static Question approval() {
        return new Question(
                "q1",
                Question.Kind.APPROVAL,
                "confirm-backup",
                "Backup of case_file taken and restore-tested?",
                List.of(
                        Question.Choice.of("approve", "approve"),
                        Question.Choice.of("refuse", "refuse: the run stops, resumable")),
                null);
    }

    /** An approval the runbook marks {@code confirm: typed}: the runbook id typed before the reason. */
    static Question typedApproval() {
        return new Question(
                "q2",
                Question.Kind.APPROVAL,
                "confirm-backup",
                "Backup of case_file taken and restore-tested?",
                List.of(
                        Question.Choice.of("approve", "approve"),
                        Question.Choice.of("refuse", "refuse: the run stops, resumable")),
                RUNBOOK);
    }

    static Question resume() {
        return new Question(
                "q3",
                Question.Kind.RESUME,
                "backfill-priority",
                "stop criterion lock-queue cleared; resume the run?",
                List.of(Question.Choice.of("resume", "resume the run"), Question.Choice.of("stop", "stop, resumable")),
                null);
    }

    static Question inDoubt() {
        return new Question(
                "q4",
                Question.Kind.IN_DOUBT,
                "add-column",
                "step add-column (attempt 1) started without a recorded end and has no verify query. Did it apply?",
                List.of(
                        Question.Choice.of("applied", "it applied: go on with the next step"),
                        Question.Choice.of("retry", "it did not apply: run it again"),
                        Question.Choice.of("abort", "stop, resumable")),
                null);
    }

    /** The backfill learnt its rate and would end after the change window: asked before it overruns. */
    static Question window() {
        return new Question(
                "q5",
                Question.Kind.WINDOW,
                "backfill-priority",
                "backfill backfill-priority would end ~2026-11-21T02:41:07Z (41m 7s from now), after the window ends"
                        + " at 2026-11-21T02:00:00Z. Go on past the window?",
                List.of(
                        Question.Choice.of("continue", "go on past the window's end"),
                        Question.Choice.of("throttle", "go on with half-size batches (gentler once traffic returns)"),
                        Question.Choice.of("abort", "stop here, at a safe point; resumable")),
                null);
    }

    /** The ALTER timed out on its lock: the blocker still holds it, so retry is not offered. */
    static Diagnosis lockTimeout() {
        Failure failure = new Failure(
                "add-column",
                "sql",
                1,
                FailureClass.LOCK_TIMEOUT,
                "55P03",
                "canceling statement due to lock timeout",
                Applied.NOTHING,
                List.of(
                        new Fact("lock_wanted", "AccessExclusiveLock on case_file"),
                        new Fact(
                                "blocker",
                                "pid 4242 (alice, application 'billing', from 10.0.0.7), idle in transaction for 3m12s,"
                                        + " transaction open 3m40s, holds AccessShareLock on case_file"),
                        new Fact("blocker_query", "select * from case_file where id = 42"),
                        new Fact("lock_timeout", "2s"),
                        new Fact("statement", "ALTER TABLE case_file ADD COLUMN priority int")),
                List.of());
        return Diagnosis.of(failure, Declared.NOTHING);
    }

    /** CREATE UNIQUE INDEX CONCURRENTLY failed on duplicates and left an INVALID index: repair drops it. */
    static Diagnosis partialDdl() {
        Failure failure = new Failure(
                "add-ref-key",
                "sql",
                1,
                FailureClass.PARTIAL_DDL,
                "23505",
                "could not create unique index \"case_file_ref_key\"",
                Applied.PARTLY,
                List.of(
                        new Fact("cause", "unique-violation: could not create unique index \"case_file_ref_key\""),
                        new Fact(
                                "invalid_index",
                                "case_file_ref_key on case_file is INVALID: it is maintained on every write but"
                                        + " never used"),
                        new Fact("constraint", "case_file_ref_key"),
                        new Fact("detail", "Key (ref)=(C-1042) is duplicated."),
                        new Fact("statement", "CREATE UNIQUE INDEX CONCURRENTLY case_file_ref_key ON case_file (ref)")),
                List.of(new Leftover(
                        "INVALID index case_file_ref_key", "DROP INDEX CONCURRENTLY IF EXISTS case_file_ref_key")));
        return Diagnosis.of(
                failure,
                new Declared(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of("drop-ref-key"),
                        true,
                        Optional.empty(),
                        false));
    }

    /**
     * A stuck Liquibase lock found before the first step, as the engine's ledger check classifies it: its holder
     * has no session left, so the release is offered.
     */
    static Diagnosis ledgerLocked() {
        Failure failure = new Failure(
                "ledger:liquibase",
                "ledger",
                0,
                FailureClass.LEDGER_LOCKED,
                null,
                "liquibase in public is locked by ci-runner-7 (10.254.1.7) for 2h01m; holder gone",
                Applied.NOTHING,
                List.of(
                        new Fact("ledger", "liquibase in public, at 2 (ana:2 (db/changelog.xml)), 2 applied"),
                        new Fact("lock_holder", "ci-runner-7 (10.254.1.7)"),
                        new Fact("lock_granted", "2026-11-21T01:00:00Z"),
                        new Fact("lock_age", "2h01m"),
                        new Fact("holder_alive", "gone: no session in this database from address 10.254.1.7")),
                List.of());
        return new Diagnosis(
                failure,
                List.of(
                        new dev.lockstep.recovery.Offer(
                                dev.lockstep.recovery.Choice.ACKNOWLEDGE,
                                true,
                                "the runbook's steps may expect the ledger as it is; you say why going on is safe",
                                "goes on with the first step, the ledger as it is"),
                        new dev.lockstep.recovery.Offer(
                                dev.lockstep.recovery.Choice.REPAIR,
                                true,
                                "no session of the lock's holder is connected",
                                "releases the Liquibase lock in public, then reads the ledger again"),
                        new dev.lockstep.recovery.Offer(
                                dev.lockstep.recovery.Choice.ABORT,
                                true,
                                "always possible: nothing runs",
                                "stops now (exit 4)"),
                        new dev.lockstep.recovery.Offer(
                                dev.lockstep.recovery.Choice.RECHECK,
                                true,
                                "needs an operator at the screen",
                                "reads the ledger again and asks again")));
    }

    /** The question about a failed step, with its choices as the engine builds them from the offers. */
    static Question failure(String id, Diagnosis diagnosis) {
        Failure failure = diagnosis.failure();
        return new Question(
                id,
                Question.Kind.FAILURE,
                failure.stepId(),
                "step " + failure.stepId() + " failed: "
                        + failure.failureClass().id() + ". " + failure.explanation(),
                diagnosis.offers().stream()
                        .map(offer -> new Question.Choice(
                                offer.choice().id(),
                                offer.effect().isEmpty() ? offer.choice().id() : offer.effect(),
                                offer.available(),
                                offer.why()))
                        .toList(),
                null,
                diagnosis);
    }

    /** Opened, the precheck and the approval done: the run about to alter the table. */
    static EngineEvent[] beforeTheAlter() {
        EngineEvent[] all = opening();
        return java.util.Arrays.copyOf(all, 8);
    }

    /** The step's failed attempt and its diagnosis, as the engine reports them before it asks. */
    static EngineEvent[] failed(Diagnosis diagnosis, Instant when) {
        Failure failure = diagnosis.failure();
        return new EngineEvent[] {
            new EngineEvent.StepStarted(when.minusSeconds(2), failure.stepId(), failure.stepKind(), 1, true),
            new EngineEvent.StepEnded(
                    when, failure.stepId(), 1, "failed", null, 2004, failure.sqlState(), failure.message()),
            new EngineEvent.FailureFound(when, diagnosis),
        };
    }
}
