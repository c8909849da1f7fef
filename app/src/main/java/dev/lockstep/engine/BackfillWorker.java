package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.FailedAttempt;
import dev.lockstep.runbook.BackfillStep.KeyType;
import dev.lockstep.runbook.Durations;
import dev.lockstep.runbook.sql.SqlStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keyset-paginated backfill. Each batch is one transaction: compute the upper bound {@code :to} (the key
 * {@code size} keys after {@code :from}), run the step's statement over {@code (from, to]}, move the
 * checkpoint from {@code from} to {@code to}, commit. The checkpoint update only succeeds from the key the
 * batch started at, so whatever happens (crash, lost session, a second runner) a batch is applied exactly
 * once.
 *
 * <p>After the first batch, a batch is one statement in one round trip ({@link FusedBatch}); the first batch
 * (which needs the smallest key), a batch the fused statement's guard refused, and every batch of a statement
 * that cannot stand inside a CTE take the classic way: the bound, the statement, the checkpoint and the commit
 * as separate round trips in one transaction.
 *
 * <p>While nothing paces the backfill (no pause between batches, no throttle), the batches after the first run in
 * the server instead, a slice of them per call ({@link BatchDriver}), and are reported here one by one as they
 * would be otherwise; a batch or a statement the driver cannot take goes the ways above.
 */
final class BackfillWorker {

    private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    /** How often a running slice checks for a reason to end early: well inside a probe interval. */
    private static final Duration WATCH_EVERY = Duration.ofMillis(20);

    private final RunContext run;
    private final BackfillPlan plan;
    private final String table;
    private final String key;
    private final SqlStatement.Bound statement;
    /** The step's statement as written, for the driver's dynamic SQL. */
    private final SqlStatement statementAsWritten;
    /**
     * The statement for a first batch whose smallest key is the type's minimum: {@code key >= :from}; empty when
     * its sql compares {@code :from} in a way that cannot be made inclusive.
     */
    private final Optional<SqlStatement.Bound> fromInclusive;
    /** The batch as one statement; null once the server refused the step's statement inside one. */
    private FusedBatch fused;
    /** The server-side batch driver; null until the first slice installs it, or for good once it cannot run. */
    private BatchDriver driver;

    private boolean driverWanted = BatchDriver.enabled();
    /** The statement timeout the session has: the step's for a batch, a slice's for the driver's call. */
    private Duration sessionTimeout;
    /** Set when the driver's call was cancelled to reach a safe point (a pause, a stop, a criterion, a retune). */
    private volatile boolean yielded;
    /** Watches for a reason to end a slice early while its call runs; made on the first slice. */
    private ScheduledExecutorService watcher;
    /** After a failed slice: the checkpoint as it stands (its earlier batches committed). */
    private CheckpointStore.Checkpoint afterFailedSlice;

    private final BatchSizer sizer;
    private KeyType keyType;
    private Long total;
    private String estimateSource;
    private double keysPerSecond = -1;
    private double rowsPerSecond = -1;
    /** When the previous batch committed and how long the run had been paused by then, for the pace. */
    private long previousCommitNanos = -1;

    private long pausedNanosAtPreviousCommit;
    /**
     * What the sizer's size is multiplied by now: less than 1 while a criterion throttles or the operator chose
     * half-size batches past the window.
     */
    private double multiplier = 1.0;
    /** The run's paused time when this backfill began: a pause before it is not this backfill's. */
    private Duration pausedBeforeStart = Duration.ZERO;
    /** The pause between batches: the runbook's until an operator retunes it. */
    private Duration pause;
    /** The operator's retune last applied; the run context holds the latest. */
    private Command.Retune applied;

    private long lastHeartbeat;
    /** The batch being applied, for a failure's facts; null before the first. */
    private FailedAttempt.Batch batchInFlight;
    /** Rows committed so far, by this process and earlier ones (the checkpoint's count). */
    private long rowsCommitted;

    private long lastProgress;

    /**
     * Batches committed by this process: the projection against the window is trusted from
     * {@link #RATE_BATCHES} on, when the rate is learnt from more than one batch.
     */
    private int batchesHere;
    /** Whether the window question was asked (or decided in advance) in this process: once per backfill. */
    private boolean windowAsked;
    /** The operator chose to go on past the window with half-size batches. */
    private boolean windowThrottle;

    private static final int RATE_BATCHES = 3;

    BackfillWorker(RunContext run, BackfillPlan plan) throws SQLException {
        this.run = run;
        this.plan = plan;
        this.table = Identifiers.qualified(plan.table());
        this.key = Identifiers.qualified(plan.key());
        List<SqlStatement> statements = StepExecutor.statementsAsValidated(plan.stepId(), plan.sql(), run.connection());
        if (statements.size() != 1) {
            throw new LockstepException(
                    ExitCode.INVALID_RUNBOOK,
                    "backfill step " + plan.stepId() + ": its sql must be one statement, not " + statements.size());
        }
        this.statement = statements.get(0).bindNamed(List.of("from", "to"));
        this.statementAsWritten = statements.get(0);
        this.fromInclusive = statements.get(0).bindNamedWithInclusive(List.of("from", "to"), "from");
        this.fused = FusedBatch.of(run.schema, table, key, statements.get(0));
        if (!statement.parameterNames().contains("from")
                || !statement.parameterNames().contains("to")) {
            throw new LockstepException(
                    ExitCode.INVALID_RUNBOOK,
                    "backfill step " + plan.stepId() + ": its sql must use both :from and :to");
        }
        this.sizer = new BatchSizer(plan.initialSize(), plan.target(), plan.minSize(), plan.maxSize());
        this.pause = plan.pause() == null ? Duration.ZERO : plan.pause();
    }

    /** The batch in flight when the backfill failed; null when none had started. */
    FailedAttempt.Batch batchInFlight() {
        return batchInFlight;
    }

    long rowsCommitted() {
        return rowsCommitted;
    }

    /** The rows the whole backfill touched, counting batches committed by earlier processes. */
    long run() throws SQLException {
        run.backfillRunning(this::describe);
        try {
            long rows = work();
            run.awaitEmitted();
            return rows;
        } finally {
            run.backfillEnded();
            if (watcher != null) {
                watcher.shutdownNow();
            }
        }
    }

    /** What a retune would change, for its decision record. */
    private String describe(Command.Retune retune) {
        List<String> changes = new java.util.ArrayList<>();
        if (retune.target() != null) {
            changes.add("batch target "
                    + (sizer.target() == null ? "none (fixed " + sizer.size() + " keys)" : millis(sizer.target()))
                    + " -> " + millis(retune.target()));
        }
        if (retune.pause() != null) {
            changes.add("pause " + millis(pause) + " -> " + millis(retune.pause()));
        }
        return String.join("; ", changes) + " (batches stay within " + sizer.min() + ".." + sizer.max() + " keys)";
    }

    /** Applies the operator's latest retune, once, before a batch. */
    private void applyTuning() {
        Command.Retune latest = run.tuning();
        if (latest == null || latest == applied) {
            return;
        }
        applied = latest;
        if (latest.target() != null) {
            sizer.retarget(latest.target());
        }
        if (latest.pause() != null) {
            pause = latest.pause();
        }
    }

    private long work() throws SQLException {
        pausedBeforeStart = run.pausedFor();
        Connection connection = run.connection();
        CheckpointStore.Checkpoint checkpoint = prepare(connection);
        rowsCommitted = checkpoint.rowsDone();
        int failures = 0;
        while (!checkpoint.done()) {
            RunContext.Pace pace = run.safePoint();
            applyTuning();
            multiplier = pace.batchMultiplier() * (windowThrottle ? 0.5 : 1.0);
            int size = batchSize(multiplier);
            try {
                run.gauges.batchStarted();
                BatchOutcome outcome =
                        drives(checkpoint, pace) ? driverSlice(run.connection(), checkpoint, size) : null;
                if (outcome == null) {
                    useTimeout(run.connection(), plan.statementTimeout());
                    outcome = fused == null || checkpoint.lastKey() == null
                            ? null
                            : fusedBatch(run.connection(), checkpoint, size);
                }
                if (outcome == null) {
                    outcome = batch(run.connection(), checkpoint, size);
                }
                run.gauges.batchEnded(Math.max(0, rowsPerSecond));
                failures = 0;
                checkpoint = outcome.checkpoint();
                rowsCommitted = checkpoint.rowsDone();
                batchesHere++;
                if (!checkpoint.done()) {
                    askAboutWindow(checkpoint);
                    pauseBetweenBatches(pace);
                }
            } catch (SQLException e) {
                run.gauges.batchAbandoned();
                run.gauges.error();
                rollbackQuietly(run.connection());
                if (afterFailedSlice != null) {
                    // the slice's earlier batches committed: the next attempt starts where they left the checkpoint
                    checkpoint = afterFailedSlice;
                    rowsCommitted = checkpoint.rowsDone();
                    afterFailedSlice = null;
                }
                if (SqlStates.connectionLost(e) && !run.aborting()) {
                    connection = run.recover(plan.stepId(), e);
                    checkpoint = prepare(connection);
                    run.emit(new EngineEvent.Recovered(
                            Instant.now(),
                            plan.stepId(),
                            "checkpoint",
                            "resuming after key " + checkpoint.lastKey() + " (" + checkpoint.batches()
                                    + " batches committed)"));
                    continue;
                }
                run.checkStop();
                String state = SqlStates.of(e);
                if (state.equals(SqlStates.QUERY_CANCELED)) {
                    run.emit(new EngineEvent.Note(
                            Instant.now(),
                            plan.stepId(),
                            "batch of " + size + " keys hit the statement timeout; batch size now " + sizer.halve()));
                    if (size > sizer.min()) {
                        continue;
                    }
                }
                boolean retryable = state.equals(SqlStates.LOCK_NOT_AVAILABLE)
                        || state.equals(SqlStates.DEADLOCK)
                        || state.equals(SqlStates.SERIALIZATION_FAILURE)
                        || state.equals(SqlStates.QUERY_CANCELED);
                if (!retryable) {
                    throw e;
                }
                if (++failures >= plan.attempts()) {
                    // the criteria may have seen what made the batch fail (a lock queue): a pause they ask for
                    // comes before giving up, and after it the batch has its attempts again
                    if (!run.pausedBeforeGivingUp()) {
                        throw e;
                    }
                    failures = 0;
                    continue;
                }
                Duration delay = plan.backoff().delay(failures);
                run.emit(new EngineEvent.Note(
                        Instant.now(),
                        plan.stepId(),
                        "batch failed with " + state + " (" + e.getMessage() + "); nothing of it was applied;"
                                + " trying it again in " + delay.toMillis() + " ms (attempt " + (failures + 1)
                                + " of " + plan.attempts() + ")"));
                run.sleep(delay);
            }
        }
        run.gauges.backfillEnded();
        return checkpoint.rowsDone();
    }

    private CheckpointStore.Checkpoint prepare(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement settings = connection.createStatement()) {
            settings.execute("set statement_timeout = '" + millis(plan.statementTimeout()) + "'");
            settings.execute("set lock_timeout = '" + millis(plan.lockTimeout()) + "'");
        }
        sessionTimeout = plan.statementTimeout();
        if (driverWanted) {
            BatchDriver.checkClient(connection);
        }
        if (keyType == null) {
            keyType = detectKeyType(connection);
            estimateTotal(connection);
        }
        return run.checkpoints.open(connection, run.runId, run.runbookId, plan.stepId());
    }

    private static String millis(Duration duration) {
        return (duration == null ? 0 : duration.toMillis()) + "ms";
    }

    private record BatchOutcome(CheckpointStore.Checkpoint checkpoint, long elapsedNanos) {}

    private BatchOutcome batch(Connection connection, CheckpointStore.Checkpoint checkpoint, int size)
            throws SQLException {
        long started = System.nanoTime();
        connection.setAutoCommit(false);
        String from = checkpoint.lastKey();
        Bound bound = upperBound(connection, from, size);
        if (bound == null) {
            run.checkpoints.finish(connection, run.runId, plan.stepId());
            connection.commit();
            connection.setAutoCommit(true);
            return finished(
                    new CheckpointStore.Checkpoint(
                            from,
                            checkpoint.keysDone(),
                            checkpoint.rowsDone(),
                            checkpoint.batches(),
                            true,
                            Instant.now()),
                    started);
        }
        SqlStatement.Bound sql = statement;
        String lower = from;
        if (from == null) {
            String smallest = smallestKey(connection);
            Optional<String> below = BackfillKeys.below(keyType, smallest);
            if (below.isPresent()) {
                lower = below.get();
            } else if (fromInclusive.isPresent()) {
                lower = smallest;
                sql = fromInclusive.get();
            } else {
                // only bounds were read: end the transaction so that the failure leaves the session idle
                connection.rollback();
                connection.setAutoCommit(true);
                throw new LockstepException(
                        ExitCode.STEP_FAILED,
                        "backfill " + plan.stepId() + ": the smallest key of " + plan.table() + " is "
                                + BackfillKeys.minimum(keyType) + ", and nothing is below it to bind as :from;"
                                + " write the lower bound as " + plan.key() + " > :from so that the first batch"
                                + " can take it as " + plan.key() + " >= :from");
            }
        }
        batchInFlight = new FailedAttempt.Batch(lower, bound.to(), (int) Math.min(Integer.MAX_VALUE, bound.keys()));
        long rows;
        try (PreparedStatement update = connection.prepareStatement(sql.jdbcSql())) {
            List<String> names = sql.parameterNames();
            for (int i = 0; i < names.size(); i++) {
                BackfillKeys.bind(keyType, update, i + 1, names.get(i).equals("from") ? lower : bound.to());
            }
            run.inFlight(update);
            try {
                update.execute();
            } finally {
                run.inFlight(null);
            }
            rows = Math.max(0, update.getUpdateCount());
        }
        if (!run.checkpoints.advance(connection, run.runId, plan.stepId(), from, bound.to(), bound.keys(), rows)) {
            connection.rollback();
            throw new LockstepException(
                    ExitCode.STOPPED,
                    "backfill " + plan.stepId() + ": the checkpoint is no longer" + " at " + from
                            + "; another runner moved it. Nothing was committed by this batch.");
        }
        long now = System.nanoTime();
        if (now - lastHeartbeat >= HEARTBEAT_EVERY.toNanos()) {
            run.runs.heartbeat(connection, run.runId, plan.stepId(), null);
            lastHeartbeat = now;
        }
        connection.commit();
        connection.setAutoCommit(true);
        return committed(
                from,
                bound.keys(),
                rows,
                new CheckpointStore.Checkpoint(
                        bound.to(),
                        checkpoint.keysDone() + bound.keys(),
                        checkpoint.rowsDone() + rows,
                        checkpoint.batches() + 1,
                        false,
                        Instant.now()),
                started);
    }

    /**
     * A batch as one statement in auto-commit ({@link FusedBatch}); null when its guard refused it (nothing
     * committed) or the server cannot run the step's statement inside it, for the classic way to take the batch.
     */
    private BatchOutcome fusedBatch(Connection connection, CheckpointStore.Checkpoint checkpoint, int size)
            throws SQLException {
        long started = System.nanoTime();
        String from = checkpoint.lastKey();
        batchInFlight = null;
        FusedBatch.Outcome outcome;
        try {
            outcome = fused.run(connection, run, keyType, from, size, run.runId, plan.stepId());
        } catch (SQLException e) {
            if (SqlStates.connectionLost(e)) {
                throw e;
            }
            if (fused.refusedByCheckpoint(e)) {
                return null;
            }
            if (FusedBatch.cannotEmbed(e)) {
                fused = null;
                run.emit(new EngineEvent.Note(
                        Instant.now(),
                        plan.stepId(),
                        "the step's statement cannot run inside one statement with its batch's bound and checkpoint ("
                                + e.getMessage().lines().findFirst().orElse("") + "); each batch now takes"
                                + " separate round trips"));
                return null;
            }
            batchInFlight = failedBatch(connection, from, size);
            throw e;
        }
        if (outcome.keys() == 0) {
            return finished(outcome.checkpoint(), started);
        }
        return committed(from, outcome.keys(), outcome.rows(), outcome.checkpoint(), started);
    }

    /**
     * Whether the next batches go to the server-side driver: after the first batch (which looks for the smallest
     * key), while nothing paces the backfill (no pause between batches and no throttle: both are the client's
     * to apply between batches), unless the driver cannot run this step.
     */
    private boolean drives(CheckpointStore.Checkpoint checkpoint, RunContext.Pace pace) {
        return driverWanted && checkpoint.lastKey() != null && !pace.throttled() && pause.isZero();
    }

    /**
     * Batches run by the server-side driver ({@link BatchDriver}) for one slice, each reported as if the engine
     * had run it; null when the driver cannot take them (nothing committed), for the other paths to take the
     * batch. While the call runs, a pause, a stop, a criterion's action or a retune cancels it: the batch in
     * flight rolls back, the committed ones stay, and the worker reaches its safe point at once.
     */
    private BatchOutcome driverSlice(Connection connection, CheckpointStore.Checkpoint checkpoint, int size)
            throws SQLException {
        long started = System.nanoTime();
        String from = checkpoint.lastKey();
        batchInFlight = null;
        if (driver == null) {
            try {
                run.schema.ensureBatchDriver(connection);
                driver = BatchDriver.of(run.schema, table, key, keyType, statementAsWritten);
            } catch (SQLException e) {
                if (SqlStates.connectionLost(e)) {
                    throw e;
                }
                driverOff("the server-side batch driver could not be installed", e);
                return null;
            }
        }
        useTimeout(connection, BatchDriver.callTimeout(plan.statementTimeout()));
        BatchDriver.Slice slice;
        yielded = false;
        Command.Retune tuned = applied;
        ScheduledFuture<?> watch = watcher()
                .scheduleWithFixedDelay(
                        () -> {
                            if (!yielded && run.wantsSafePoint(tuned)) {
                                yielded = true;
                                run.cancelInFlight();
                            }
                        },
                        WATCH_EVERY.toMillis(),
                        WATCH_EVERY.toMillis(),
                        TimeUnit.MILLISECONDS);
        try {
            slice = driver.run(connection, run::inFlight, from, size, run.runId, plan.stepId());
        } catch (SQLException e) {
            if (SqlStates.connectionLost(e)) {
                throw e;
            }
            CheckpointStore.Checkpoint now =
                    run.checkpoints.read(connection, run.runId, plan.stepId()).orElse(checkpoint);
            long committed = now.batches() - checkpoint.batches();
            if (yielded && SqlStates.of(e).equals(SqlStates.QUERY_CANCELED)) {
                run.emit(new EngineEvent.Note(
                        Instant.now(),
                        plan.stepId(),
                        "ended the server-side slice early for a safe point: " + committed + " batch(es) of it"
                                + " committed, up to key " + now.lastKey() + "; the batch in flight rolled back"));
                reportProgress(now, true);
                return new BatchOutcome(now, System.nanoTime() - started);
            }
            if (BatchDriver.cannotDrive(e) && committed == 0) {
                driverOff("the step's statement cannot run in the server-side batch driver", e);
                return null;
            }
            afterFailedSlice = now;
            batchInFlight = failedBatch(connection, now.lastKey(), size);
            throw e;
        } finally {
            watch.cancel(false);
        }
        CheckpointStore.Checkpoint at = checkpoint;
        String lower = from;
        List<EngineEvent> committed = new ArrayList<>(slice.batches().size());
        for (BatchDriver.Batch batch : slice.batches()) {
            at = new CheckpointStore.Checkpoint(
                    batch.end(),
                    at.keysDone() + batch.keys(),
                    at.rowsDone() + batch.rows(),
                    at.batches() + 1,
                    false,
                    Instant.now());
            committed.add(observed(lower, batch.keys(), batch.rows(), at, batch.nanos()));
            lower = batch.end();
        }
        // the progress (and its heartbeat, on this session) before the batches' events, which are recorded while
        // the next slice runs
        if (!committed.isEmpty()) {
            reportProgress(at, false);
        }
        run.emitLater(committed);
        return switch (slice.ending()) {
            case DONE -> finished(
                    new CheckpointStore.Checkpoint(
                            at.lastKey(), at.keysDone(), at.rowsDone(), at.batches(), true, Instant.now()),
                    started);
                // the checkpoint is not where this runner has it: the classic batch says so and stops
            case REFUSED -> slice.batches().isEmpty() ? null : new BatchOutcome(at, System.nanoTime() - started);
            case SLICE -> new BatchOutcome(at, System.nanoTime() - started);
        };
    }

    private void driverOff(String why, SQLException e) {
        driverWanted = false;
        run.emit(new EngineEvent.Note(
                Instant.now(),
                plan.stepId(),
                why + " (" + e.getMessage().lines().findFirst().orElse("") + "); its batches go on from the client"));
    }

    private ScheduledExecutorService watcher() {
        if (watcher == null) {
            watcher = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "lockstep-slice-watch");
                thread.setDaemon(true);
                return thread;
            });
        }
        return watcher;
    }

    /** Sets the session's statement timeout when it is not {@code timeout} already (one round trip at a switch). */
    private void useTimeout(Connection connection, Duration timeout) throws SQLException {
        if (java.util.Objects.equals(timeout, sessionTimeout)) {
            return;
        }
        try (Statement settings = connection.createStatement()) {
            settings.execute("set statement_timeout = '" + millis(timeout) + "'");
        }
        sessionTimeout = timeout;
    }

    /** The batch a failed fused statement was applying, as the bound query sees it now, for the failure's facts. */
    private FailedAttempt.Batch failedBatch(Connection connection, String from, int size) {
        try {
            Bound bound = upperBound(connection, from, size);
            return bound == null ? null : new FailedAttempt.Batch(from, bound.to(), (int) bound.keys());
        } catch (SQLException e) {
            return new FailedAttempt.Batch(from, "?", size);
        }
    }

    private BatchOutcome finished(CheckpointStore.Checkpoint finished, long started) {
        CrashPoints.durable("backfill " + plan.stepId() + " finished");
        reportProgress(finished, true);
        return new BatchOutcome(finished, System.nanoTime() - started);
    }

    /** A batch of {@code keys} keys after {@code from} committed with its checkpoint, now at {@code next}. */
    private BatchOutcome committed(String from, long keys, long rows, CheckpointStore.Checkpoint next, long started) {
        return committedIn(from, keys, rows, next, System.nanoTime() - started);
    }

    /** {@link #committed}, for a batch that took {@code elapsed} nanoseconds (the driver measures it in the server). */
    private BatchOutcome committedIn(String from, long keys, long rows, CheckpointStore.Checkpoint next, long elapsed) {
        run.emit(observed(from, keys, rows, next, elapsed));
        reportProgress(next, false);
        return new BatchOutcome(next, elapsed);
    }

    /** What a committed batch teaches the sizer and the pace, and the event that reports it. */
    private EngineEvent.BatchCommitted observed(
            String from, long keys, long rows, CheckpointStore.Checkpoint next, long elapsed) {
        CrashPoints.durable("backfill " + plan.stepId() + " batch to " + next.lastKey() + " committed");
        int nextSize = sizer.observe(keys, elapsed);
        learnRate(keys, rows, cycleNanos(elapsed));
        return new EngineEvent.BatchCommitted(
                Instant.now(),
                plan.stepId(),
                next.batches(),
                from,
                next.lastKey(),
                keys,
                rows,
                elapsed / 1_000_000,
                nextSize,
                next.keysDone(),
                next.rowsDone());
    }

    private record Bound(String to, long keys) {}

    /**
     * The key {@code size} keys after {@code from} and the number of keys up to it; null when no key follows.
     * A full batch reads its bound as the {@code size}-th key of the index (OFFSET, cast to text once, outside
     * the scan), which is cheaper than aggregating over the keys; only the last, short batch counts them.
     */
    private Bound upperBound(Connection connection, String from, int size) throws SQLException {
        String after = "select " + key + " as k from " + table + (from == null ? "" : " where " + key + " > ?")
                + " order by " + key;
        Bound full = boundQuery(
                connection,
                "select k::text as upper_key from (" + after + " offset ? limit 1) nth",
                from,
                size - 1,
                size);
        if (full != null) {
            return full;
        }
        // fewer than size keys remain: the last of them, and how many (uuid has no max() before 18)
        return boundQuery(
                connection,
                "select k::text as upper_key, count(*) over () from (" + after
                        + " limit ?) tail order by k desc limit 1",
                from,
                size,
                -1);
    }

    /** Runs a bound query; {@code keys} -1 means the query's second column counts them. */
    private Bound boundQuery(Connection connection, String sql, String from, int limitOrOffset, long keys)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            int index = 1;
            if (from != null) {
                BackfillKeys.bind(keyType, query, index++, from);
            }
            query.setInt(index, limitOrOffset);
            run.inFlight(query);
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next() || rows.getString(1) == null) {
                    return null;
                }
                return new Bound(rows.getString(1), keys < 0 ? rows.getLong(2) : keys);
            } finally {
                run.inFlight(null);
            }
        }
    }

    private String smallestKey(Connection connection) throws SQLException {
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery(
                        // aliased: "order by id" next to an output column named id would sort the text
                        "select " + key + "::text as smallest from " + table + " order by " + key + " limit 1")) {
            rows.next();
            return rows.getString(1);
        }
    }

    private KeyType detectKeyType(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select format_type(a.atttypid, a.atttypmod)"
                + " from pg_attribute a where a.attrelid = to_regclass(?) and a.attname = ? and not a.attisdropped")) {
            query.setString(1, table);
            query.setString(
                    2,
                    plan.key()
                                    .replace("\"", "")
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .equals(plan.key())
                            ? plan.key()
                            : unquoted(plan.key()));
            try (ResultSet rows = query.executeQuery()) {
                if (!rows.next()) {
                    throw new LockstepException(
                            ExitCode.STEP_FAILED,
                            "backfill " + plan.stepId() + ": table " + plan.table() + " has no column " + plan.key()
                                    + " (or the table does not exist)");
                }
                return BackfillKeys.ofColumn(rows.getString(1), plan.table(), plan.key());
            }
        }
    }

    private static String unquoted(String column) {
        return column.startsWith("\"") && column.endsWith("\"")
                ? column.substring(1, column.length() - 1).replace("\"\"", "\"")
                : column.toLowerCase(java.util.Locale.ROOT);
    }

    /** The runbook's figure when it gives one; else the planner's estimate; else a count. */
    private void estimateTotal(Connection connection) throws SQLException {
        if (plan.totalEstimate() != null) {
            total = plan.totalEstimate();
            estimateSource = "runbook";
            return;
        }
        try (PreparedStatement query =
                connection.prepareStatement("select reltuples::bigint from pg_class where oid = to_regclass(?)")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next() && rows.getLong(1) > 0) {
                    total = rows.getLong(1);
                    estimateSource = "pg_class.reltuples";
                    return;
                }
            }
        }
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("select count(*) from " + table)) {
            rows.next();
            total = rows.getLong(1);
            estimateSource = "count";
        }
    }

    /**
     * The time this batch took in the backfill's pace: from the previous commit, so that the planned pause
     * between batches counts (it is part of how fast the backfill goes), but time paused by a stop criterion
     * or the operator does not (the ETA must not grow with a pause that is over).
     */
    private long cycleNanos(long batchNanos) {
        long now = System.nanoTime();
        long pausedNow = run.pausedFor().toNanos();
        // the first batch of this process has no previous commit: its pause is the one planned after it (else a
        // paced backfill's first rate, and the ETA from it, read the batch alone: 30 times too fast)
        long cycle = previousCommitNanos < 0
                ? batchNanos + pause.toNanos()
                : now - previousCommitNanos - (pausedNow - pausedNanosAtPreviousCommit);
        previousCommitNanos = now;
        pausedNanosAtPreviousCommit = pausedNow;
        return Math.max(batchNanos, cycle);
    }

    private void learnRate(long keys, long rows, long elapsedNanos) {
        double seconds = Math.max(1e-6, elapsedNanos / 1e9);
        keysPerSecond = keysPerSecond < 0 ? keys / seconds : 0.3 * (keys / seconds) + 0.7 * keysPerSecond;
        rowsPerSecond = rowsPerSecond < 0 ? rows / seconds : 0.3 * (rows / seconds) + 0.7 * rowsPerSecond;
    }

    private void reportProgress(CheckpointStore.Checkpoint checkpoint, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastProgress < PROGRESS_EVERY.toNanos()) {
            return;
        }
        lastProgress = now;
        Duration eta = checkpoint.done() ? Duration.ZERO : remaining(checkpoint);
        Instant finish = eta == null ? null : Instant.now().plus(eta);
        BackfillProgress progress = new BackfillProgress(
                checkpoint.keysDone(),
                checkpoint.rowsDone(),
                checkpoint.batches(),
                total,
                estimateSource,
                Math.max(0, keysPerSecond),
                Math.max(0, rowsPerSecond),
                eta,
                finish,
                plan.windowEnd(),
                batchSize(multiplier),
                sizer.target(),
                pause,
                run.pausedFor().minus(pausedBeforeStart));
        run.emit(new EngineEvent.ProgressReported(Instant.now(), plan.stepId(), progress));
        try {
            Connection connection = run.connection();
            if (connection.getAutoCommit()) {
                run.runs.heartbeat(connection, run.runId, plan.stepId(), Json.write(progress.toMap()));
            }
        } catch (SQLException e) {
            // progress in the run row is informational; the next batch tries again
        }
    }

    /** The keys of the next batch: the sizer's size times {@code by}, not below its min (progress shows it too). */
    private int batchSize(double by) {
        return by < 1.0 ? Math.max(sizer.min(), (int) Math.floor(sizer.size() * by)) : sizer.size();
    }

    /** How long the rest would take at the rate learnt so far; null before there is a rate or a total. */
    private Duration remaining(CheckpointStore.Checkpoint checkpoint) {
        if (keysPerSecond <= 0 || total == null) {
            return null;
        }
        // the runbook's estimate counts the rows touched, the planner's the table's keys
        boolean rows = "runbook".equals(estimateSource);
        long left = Math.max(0, total - (rows ? checkpoint.rowsDone() : checkpoint.keysDone()));
        double rate = rows ? rowsPerSecond : keysPerSecond;
        return Duration.ofMillis(Math.round(left / Math.max(rate, 1e-6) * 1000));
    }

    /**
     * Before the window is overrun, not after: once the projected finish passes the window's end, the operator
     * chooses (once per backfill in a process) to go on, to go on with half-size batches, or to stop here, at a
     * safe point, resumable. A {@code --decide STEP=continue|throttle|abort} answers it in advance; unattended
     * without one the run stops here (exit 4), since going past the agreed window is a decision for a person.
     */
    private void askAboutWindow(CheckpointStore.Checkpoint checkpoint) {
        Instant end = plan.windowEnd();
        Duration left = remaining(checkpoint);
        if (windowAsked || end == null || left == null || batchesHere < RATE_BATCHES) {
            return;
        }
        Instant now = Instant.now();
        Instant finish = now.plus(left);
        if (!finish.isAfter(end)) {
            return;
        }
        windowAsked = true;
        // the screen shows where the backfill stands when it asks, not the last 5-second report
        reportProgress(checkpoint, true);
        String situation = "backfill " + plan.stepId() + " would end ~" + finish.truncatedTo(ChronoUnit.SECONDS)
                + " (" + Durations.format(left.truncatedTo(ChronoUnit.SECONDS)) + " from now), "
                + (now.isAfter(end) ? "but the window ended at " : "after the window ends at ")
                + end.truncatedTo(ChronoUnit.SECONDS);
        Optional<Operator.Answer> answer = run.decidedOrAsked(
                Question.Kind.WINDOW,
                plan.stepId(),
                situation + ". Go on past the window?",
                List.of(
                        Question.Choice.of(Choice.CONTINUE.id(), "go on past the window's end"),
                        Question.Choice.of(
                                Choice.THROTTLE.id(), "go on with half-size batches (gentler once traffic returns)"),
                        Question.Choice.of(Choice.ABORT.id(), "stop here, at a safe point; resumable")),
                situation);
        if (answer.isEmpty()) {
            run.checkStop();
            throw new RunStopped(situation + "; nobody is attending to decide whether to go on past the window:"
                    + " stopped at a safe point after batch " + checkpoint.batches() + "; run again to resume, with"
                    + " --decide " + plan.stepId() + "=continue:REASON (or throttle) to go on past it");
        }
        if (answer.get().choice().equals(Choice.ABORT.id())) {
            throw new RunStopped("operator stopped backfill " + plan.stepId() + " at a safe point before overrunning"
                    + " the window (after batch " + checkpoint.batches() + "); run again to resume");
        }
        if (answer.get().choice().equals(Choice.THROTTLE.id())) {
            int before = batchSize(multiplier);
            int after = batchSize(multiplier * 0.5);
            windowThrottle = true;
            run.emit(new EngineEvent.Note(
                    Instant.now(),
                    plan.stepId(),
                    after < before
                            ? "past the window with half-size batches, as the operator chose: " + after + " keys (were "
                                    + before + ")"
                            : "past the window, as the operator chose; the batches stay at " + after
                                    + " keys, their floor (the step's batch min), so they cannot be halved"));
        }
    }

    private void pauseBetweenBatches(RunContext.Pace pace) {
        Duration between = pause.plus(pace.addedPause());
        if (!between.isZero()) {
            run.sleep(between);
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed() && !connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            // a lost session rolled back by itself
        }
    }
}
