package dev.lockstep.engine;

import dev.lockstep.CrashPoints;
import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.FailedAttempt;
import dev.lockstep.runbook.sql.SqlLexer;
import dev.lockstep.runbook.sql.SqlStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * Runs one step on the control session and records it in the step ledger. A transactional step writes
 * its ledger end row inside its own transaction, so after a crash the ledger says exactly whether it
 * applied; a step with statements that must run outside a transaction can be left in doubt, and then its
 * verify query (or the operator) decides.
 */
final class StepExecutor {

    private final RunContext run;
    private final Map<String, String> preApprovals;
    private final Map<String, Duration> estimates;
    /** The index of the statement in flight in the attempt of a sql step; -1 between statements. */
    private int statementInFlight = -1;
    /** Statements of that attempt that committed outside the step's transaction: they stay applied. */
    private int committedOutside;

    StepExecutor(RunContext run, Map<String, String> preApprovals, Map<String, Duration> estimates) {
        this.run = run;
        this.preApprovals = preApprovals;
        this.estimates = estimates;
    }

    /** Executes the step unless an earlier process completed it. */
    void execute(StepPlan step) throws SQLException {
        execute(step, false);
    }

    /**
     * Executes a recovery step the operator chose, or a built-in repair: again even when it completed
     * before (a repair may be needed twice), in its own ledger rows.
     */
    void executeAgain(StepPlan step) throws SQLException {
        execute(step, true);
    }

    private void execute(StepPlan step, boolean evenIfCompleted) throws SQLException {
        run.currentStep(step.stepId());
        Connection connection = run.connection();
        connection.setAutoCommit(true);
        if (!evenIfCompleted && run.ledger.succeeded(connection, run.runId, step.stepId())) {
            run.emit(new EngineEvent.StepEnded(
                    Instant.now(),
                    step.stepId(),
                    0,
                    "skipped",
                    null,
                    0,
                    null,
                    "completed by an earlier process of this run"));
            return;
        }
        var last = run.ledger.last(connection, run.runId, step.stepId());
        if (last.isPresent() && !last.get().ended() && !last.get().transactional()) {
            if (resolveInDoubt(step, last.get())) {
                return;
            }
        }
        run.safePoint();
        run.gauges.stepStarted(estimates.get(step.stepId()));
        try {
            if (step instanceof StepPlan.Sql sql) {
                sql(sql);
            } else if (step instanceof StepPlan.Check check) {
                check(check);
            } else if (step instanceof StepPlan.Wait wait) {
                waitFor(wait);
            } else if (step instanceof StepPlan.Approval approval) {
                approval(approval);
            } else if (step instanceof StepPlan.Note note) {
                note(note);
            } else if (step instanceof StepPlan.Ledger ledger) {
                ledger(ledger);
            } else if (step instanceof StepPlan.Backfill backfill) {
                backfill(backfill);
            }
        } finally {
            run.gauges.stepEnded();
        }
    }

    private void sql(StepPlan.Sql step) throws SQLException {
        List<SqlStatement> statements = statementsAsValidated(step.stepId(), step.sql(), run.connection());
        boolean transactional = statements.stream().noneMatch(SqlStatement::refusesTransaction);
        int tries = 0;
        while (true) {
            tries++;
            Connection connection = run.connection();
            connection.setAutoCommit(true);
            int attempt = run.ledger.start(connection, run.runId, step.stepId(), transactional);
            run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "sql", attempt, transactional));
            long started = System.nanoTime();
            statementInFlight = -1;
            committedOutside = 0;
            Outcome outcome;
            try {
                outcome = transactional
                        ? runInOneTransaction(connection, step, statements, attempt)
                        : runOneByOne(connection, step, statements, attempt);
            } catch (SQLException e) {
                run.gauges.error();
                rollbackQuietly(connection);
                if (SqlStates.connectionLost(e) && !run.aborting()) {
                    run.emit(ended(step.stepId(), attempt, "lost", null, started, SqlStates.of(e), e.getMessage()));
                    run.recover(step.stepId(), e);
                    if (run.ledger.succeeded(run.connection(), run.runId, step.stepId())) {
                        run.emit(new EngineEvent.Recovered(
                                Instant.now(),
                                step.stepId(),
                                "step committed",
                                "the ledger shows the step committed before the session was lost"));
                        return;
                    }
                    if (!transactional) {
                        var entry = run.ledger.last(run.connection(), run.runId, step.stepId());
                        if (entry.isPresent() && resolveInDoubt(step, entry.get())) {
                            return;
                        }
                    }
                    continue;
                }
                String state = attemptFailed(step, attempt, started, e);
                run.checkStop();
                if (step.retryOn().contains(state) && tries >= step.attempts() && run.pausedBeforeGivingUp()) {
                    // a stop criterion (a lock queue) or the operator paused the run: the step tries afresh
                    tries = 0;
                    continue;
                }
                if (!step.retryOn().contains(state) || tries >= step.attempts()) {
                    throw new StepFailed(
                            "step " + step.stepId() + " failed after " + tries + " attempt(s): " + e.getMessage()
                                    + " (SQLSTATE " + state + ")",
                            sqlAttempt(step, attempt, statements, transactional, e, null, started));
                }
                Duration delay = step.backoff().delay(tries);
                run.emit(new EngineEvent.Note(
                        Instant.now(),
                        step.stepId(),
                        "retrying after " + state + " in " + delay.toMillis() + " ms (attempt " + (tries + 1) + " of "
                                + step.attempts() + ")"));
                run.sleep(delay);
                run.safePoint();
                continue;
            }
            // the attempt ran to its end: the ledger's end row is committed (with the statements when they
            // ran in one transaction), and only a passed verify makes it "ok"
            run.emit(ended(
                    step.stepId(),
                    attempt,
                    outcome.failure() == null ? "ok" : "failed",
                    outcome.rows(),
                    started,
                    null,
                    outcome.failure()));
            if (outcome.failure() != null) {
                throw new StepFailed(
                        "step " + step.stepId() + ": " + outcome.failure(),
                        sqlAttempt(step, attempt, statements, transactional, null, outcome.failure(), started));
            }
            return;
        }
    }

    private FailedAttempt sqlAttempt(
            StepPlan.Sql step,
            int attempt,
            List<SqlStatement> statements,
            boolean transactional,
            SQLException error,
            String checkFailure,
            long startedNanos) {
        return new FailedAttempt(
                step.stepId(),
                step.kind(),
                attempt,
                statements,
                transactional,
                error == null ? -1 : statementInFlight,
                transactional ? 0 : committedOutside,
                error,
                checkFailure,
                step.statementTimeout(),
                step.lockTimeout(),
                Duration.ofNanos(System.nanoTime() - startedNanos),
                null,
                null,
                0);
    }

    /** A check, a wait or a step whose SQL could not run: no statement stayed, the step's own SQL aside. */
    private static FailedAttempt checkAttempt(
            StepPlan step, int attempt, String sql, SQLException error, String checkFailure, long startedNanos) {
        return new FailedAttempt(
                step.stepId(),
                step.kind(),
                attempt,
                sql == null ? List.of() : SqlLexer.statements(sql),
                true,
                error == null ? -1 : 0,
                0,
                error,
                checkFailure,
                null,
                null,
                Duration.ofNanos(System.nanoTime() - startedNanos),
                null,
                null,
                0);
    }

    /**
     * A step's statements as {@code validate} read them (standard_conforming_strings on). A session with it
     * off reads a backslash in {@code '...'} as an escape; where that moves a statement boundary, the server
     * would run other statements than the ones validated, so the step fails before anything runs.
     */
    static List<SqlStatement> statementsAsValidated(String stepId, String sql, Connection connection)
            throws SQLException {
        String setting = connection.unwrap(PGConnection.class).getParameterStatus("standard_conforming_strings");
        if ("off".equalsIgnoreCase(setting) && !SqlLexer.readsAsValidated(sql, false)) {
            throw new StepFailed(
                    "step " + stepId + " was not run: this session has standard_conforming_strings off, which"
                            + " reads its SQL as other statements than validate checked (a backslash before a"
                            + " quote in '...'); write such strings as E'...' or double the quote ('')",
                    null);
        }
        return SqlLexer.statements(sql);
    }

    /** How an attempt that raised no error ended: its rows, and why it failed (null when it succeeded). */
    private record Outcome(long rows, String failure) {}

    /**
     * The statements, the rows bound and the verify in one transaction, with the ledger's end row: either
     * the step applied and was verified, or nothing of it stays and the ledger says why it failed.
     */
    private Outcome runInOneTransaction(
            Connection connection, StepPlan.Sql step, List<SqlStatement> statements, int attempt) throws SQLException {
        connection.setAutoCommit(false);
        applyTimeouts(connection, step.lockTimeout(), step.statementTimeout(), true);
        long rows = 0;
        for (int index = 0; index < statements.size(); index++) {
            statementInFlight = index;
            rows += executeTracked(connection, statements.get(index).text());
        }
        statementInFlight = -1;
        String failure = null;
        if (step.expectedRows() != null && !step.expectedRows().contains(rows)) {
            failure = "affected " + rows + " rows, expected "
                    + step.expectedRows().describe() + "; rolled back";
        } else if (step.verify() != null) {
            failure = verifyFailure(connection, step.verify(), step.stepId(), "; rolled back: nothing of it applied");
        }
        if (failure != null) {
            connection.rollback();
            connection.setAutoCommit(true);
            run.ledger.end(connection, run.runId, step.stepId(), attempt, StepLedger.Results.FAILED, rows, failure);
            return new Outcome(rows, failure);
        }
        run.ledger.end(connection, run.runId, step.stepId(), attempt, StepLedger.Results.OK, rows, null);
        connection.commit();
        CrashPoints.durable("step " + step.stepId() + " committed");
        connection.setAutoCommit(true);
        return new Outcome(rows, null);
    }

    /**
     * Consecutive transactional statements share a transaction; the others run alone. What ran stays
     * applied whatever follows, so the ledger's end row comes last: after the verify, which alone makes the
     * attempt "ok". A crash before it leaves the attempt in doubt, for the verify (or the operator) to settle.
     */
    private Outcome runOneByOne(Connection connection, StepPlan.Sql step, List<SqlStatement> statements, int attempt)
            throws SQLException {
        long rows = 0;
        List<Integer> group = new ArrayList<>();
        for (int index = 0; index < statements.size(); index++) {
            if (statements.get(index).refusesTransaction()) {
                rows += runGroup(connection, step, statements, group);
                group.clear();
                connection.setAutoCommit(true);
                applyTimeouts(connection, step.lockTimeout(), step.statementTimeout(), false);
                statementInFlight = index;
                rows += executeTracked(connection, statements.get(index).text());
                committedOutside++;
                CrashPoints.durable("step " + step.stepId() + " statement outside a transaction ran");
            } else {
                group.add(index);
            }
        }
        rows += runGroup(connection, step, statements, group);
        statementInFlight = -1;
        connection.setAutoCommit(true);
        resetTimeouts(connection);
        String failure = null;
        if (step.expectedRows() != null && !step.expectedRows().contains(rows)) {
            failure = "affected " + rows + " rows, expected "
                    + step.expectedRows().describe() + " (statements outside a transaction stay applied)";
        } else if (step.verify() != null) {
            failure = verifyFailure(
                    connection, step.verify(), step.stepId(), " (statements outside a transaction stay applied)");
        }
        run.ledger.end(
                connection,
                run.runId,
                step.stepId(),
                attempt,
                failure == null ? StepLedger.Results.OK : StepLedger.Results.FAILED,
                rows,
                failure);
        return new Outcome(rows, failure);
    }

    /** Consecutive transactional statements (their indexes in {@code statements}) in one transaction. */
    private long runGroup(Connection connection, StepPlan.Sql step, List<SqlStatement> statements, List<Integer> group)
            throws SQLException {
        if (group.isEmpty()) {
            return 0;
        }
        connection.setAutoCommit(false);
        applyTimeouts(connection, step.lockTimeout(), step.statementTimeout(), true);
        long rows = 0;
        for (int index : group) {
            statementInFlight = index;
            rows += executeTracked(connection, statements.get(index).text());
        }
        connection.commit();
        committedOutside += group.size();
        CrashPoints.durable("step " + step.stepId() + " statements committed");
        return rows;
    }

    private long executeTracked(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            run.inFlight(statement);
            try {
                statement.execute(sql);
            } finally {
                run.inFlight(null);
            }
            return Math.max(0, statement.getUpdateCount());
        }
    }

    private static void applyTimeouts(Connection connection, Duration lock, Duration statement, boolean local)
            throws SQLException {
        String scope = local ? "set local " : "set ";
        try (Statement settings = connection.createStatement()) {
            settings.execute(scope + "lock_timeout = '" + millis(lock) + "ms'");
            settings.execute(scope + "statement_timeout = '" + millis(statement) + "ms'");
        }
        long network = millis(statement) == 0 ? 0 : millis(statement) + 30_000;
        connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, network));
    }

    private static void resetTimeouts(Connection connection) throws SQLException {
        try (Statement settings = connection.createStatement()) {
            settings.execute("reset lock_timeout");
            settings.execute("reset statement_timeout");
        }
    }

    private static long millis(Duration duration) {
        return duration == null ? 0 : duration.toMillis();
    }

    private void check(StepPlan.Check step) throws SQLException {
        Connection connection = run.connection();
        int attempt = run.ledger.start(connection, run.runId, step.stepId(), true);
        run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "check", attempt, true));
        long started = System.nanoTime();
        Object actual = queryOrFail(step, attempt, step, started);
        boolean passed = step.expect().matches(actual);
        run.emit(new EngineEvent.Verified(
                Instant.now(), step.stepId(), step.sql(), passed, step.expect().describe(), String.valueOf(actual)));
        endSimple(
                step,
                attempt,
                step.sql(),
                started,
                passed,
                "expected " + step.expect().describe() + ", got " + actual);
    }

    /** A migration ledger asserted: read once, judged, recorded like a check (docs/runbook-format.md). */
    private void ledger(StepPlan.Ledger step) throws SQLException {
        Connection connection = run.connection();
        int attempt = run.ledger.start(connection, run.runId, step.stepId(), true);
        run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "ledger", attempt, true));
        long started = System.nanoTime();
        List<MigrationLedger> ledgers;
        try {
            ledgers = LedgerGate.read(connection);
        } catch (SQLException e) {
            throw checkFailed(step, attempt, null, e, started);
        }
        String failure = LedgerGate.stepFailure(step, ledgers);
        run.emit(new EngineEvent.Verified(
                Instant.now(),
                step.stepId(),
                "ledger " + step.tool().id(),
                failure == null,
                LedgerGate.expected(step),
                LedgerGate.actual(step, ledgers)));
        endSimple(step, attempt, null, started, failure == null, failure);
    }

    private void waitFor(StepPlan.Wait step) throws SQLException {
        Connection connection = run.connection();
        int attempt = run.ledger.start(connection, run.runId, step.stepId(), true);
        run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "wait", attempt, true));
        long started = System.nanoTime();
        long deadline = started + step.timeout().toNanos();
        Object actual;
        while (true) {
            actual = queryOrFail(step, attempt, step.condition(), started);
            if (step.condition().expect().matches(actual) || System.nanoTime() >= deadline) {
                break;
            }
            run.sleep(step.interval());
            run.safePoint();
        }
        boolean passed = step.condition().expect().matches(actual);
        run.emit(new EngineEvent.Verified(
                Instant.now(),
                step.stepId(),
                step.condition().sql(),
                passed,
                step.condition().expect().describe(),
                String.valueOf(actual)));
        endSimple(
                step,
                attempt,
                step.condition().sql(),
                started,
                passed,
                "condition " + step.condition().expect().describe() + " not met within "
                        + step.timeout().toSeconds() + "s (last value " + actual + ")");
    }

    private void approval(StepPlan.Approval step) throws SQLException {
        String given = preApprovals.get(step.stepId());
        EngineEvent.ApprovalGiven approval;
        if (given != null) {
            approval = new EngineEvent.ApprovalGiven(
                    Instant.now(), step.stepId(), run.holder.userAtHost(), given, "command-line");
        } else {
            var reply = run.ask(
                    Question.Kind.APPROVAL,
                    step.stepId(),
                    step.prompt(),
                    List.of(
                            Question.Choice.of("approve", "approve"),
                            Question.Choice.of("refuse", "refuse: the run stops, resumable")),
                    step.confirmText() == null ? null : run.runbookId);
            if (reply.isPresent() && !reply.get().choice().equals("approve")) {
                // a refusal with its reason is a decision like any other, recorded before the run stops
                run.emit(new EngineEvent.DecisionMade(
                        Instant.now(),
                        step.stepId(),
                        reply.get().actor(),
                        "refuse",
                        reply.get().reason()));
                throw new RunStopped("approval of step " + step.stepId() + " was refused by "
                        + reply.get().actor() + ": " + reply.get().reason());
            }
            var answer = reply;
            if (answer.isEmpty()) {
                // a stop asked for at the prompt (Ctrl-C, no answer) says why better than "refused"
                run.checkStop();
                throw new RunStopped(
                        run.operator.attended()
                                ? "approval of step " + step.stepId() + " was refused"
                                : "step " + step.stepId() + " needs an approval (" + step.prompt() + ") and nobody is"
                                        + " attending: run again with --approve " + step.stepId() + "=REASON");
            }
            approval = new EngineEvent.ApprovalGiven(
                    Instant.now(),
                    step.stepId(),
                    answer.get().actor(),
                    answer.get().reason(),
                    "prompt");
        }
        Connection connection = run.connection();
        int attempt = run.ledger.start(connection, run.runId, step.stepId(), true);
        run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "approval", attempt, true));
        run.emit(approval);
        String detail = "approved by " + approval.actor() + " (" + approval.source() + "): " + approval.reason();
        if (step.secondApprover()) {
            EngineEvent.ApprovalGiven second;
            try {
                second = secondApproval(step);
            } catch (RunStopped e) {
                // the first approval is in the timeline; a resumed run asks for it again, the second is kept
                run.ledger.end(run.connection(), run.runId, step.stepId(), attempt, "stopped", null, e.getMessage());
                run.emit(new EngineEvent.StepEnded(
                        Instant.now(), step.stepId(), attempt, "stopped", null, 0, null, e.getMessage()));
                throw e;
            }
            connection = run.connection();
            detail += "; and by " + second.actor() + " (" + second.source() + "): " + second.reason();
        }
        run.ledger.end(connection, run.runId, step.stepId(), attempt, StepLedger.Results.OK, null, detail);
        run.emit(new EngineEvent.StepEnded(Instant.now(), step.stepId(), attempt, "ok", null, 0, null, null));
    }

    /** How often a run waiting for a second approver looks for it. */
    private static final Duration SECOND_APPROVAL_POLL = Duration.ofMillis(250);

    /**
     * R5's two-person rule: after the first approval the run waits, at a safe point, until another OS user gave
     * the second with {@code lockstep approve}; that approval is recorded as theirs. Unattended, a run that finds
     * no second approval stops resumable (exit 4) saying what it waits for: the second approver approves the
     * stopped run, and running it again (with {@code --approve}) goes on.
     */
    private EngineEvent.ApprovalGiven secondApproval(StepPlan.Approval step) throws SQLException {
        SecondApprovals approvals = new SecondApprovals(run.schema);
        approvals.await(run.connection(), run.runId, step.stepId(), run.holder);
        String command = SecondApprovals.command(approveDatabase(run.connection()), run.runbookId, step.stepId());
        boolean announced = false;
        while (true) {
            var given = approvals.given(run.connection(), run.runId, step.stepId());
            if (given.isPresent()) {
                var second = new EngineEvent.ApprovalGiven(
                        Instant.now(),
                        step.stepId(),
                        given.get().approver(),
                        given.get().reason(),
                        RunViewFold.SECOND_APPROVER);
                run.emit(second);
                return second;
            }
            if (!run.operator.attended()) {
                throw new RunStopped("step " + step.stepId() + " waits for a second approver (class R5: another OS"
                        + " user than " + run.holder.user() + "): run `" + command + "` from another account, then"
                        + " run this again to go on");
            }
            if (!announced) {
                run.emit(new EngineEvent.ApprovalAwaited(
                        Instant.now(), step.stepId(), run.holder.userAtHost(), command));
                announced = true;
            }
            run.checkStop();
            run.sleep(SECOND_APPROVAL_POLL);
        }
    }

    /** The database as the second approver names it: host, port and name, without user or password. */
    private static String approveDatabase(Connection connection) {
        try {
            java.util.Properties parts =
                    org.postgresql.Driver.parseURL(connection.getMetaData().getURL(), null);
            if (parts != null) {
                return "postgresql://"
                        + parts.getProperty("PGHOST", "localhost").split(",")[0] + ":"
                        + parts.getProperty("PGPORT", "5432").split(",")[0] + "/" + parts.getProperty("PGDBNAME");
            }
        } catch (SQLException e) {
            // fall through to the generic form
        }
        return "CONN";
    }

    private void note(StepPlan.Note step) throws SQLException {
        Connection connection = run.connection();
        int attempt = run.ledger.start(connection, run.runId, step.stepId(), true);
        run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "note", attempt, true));
        run.emit(new EngineEvent.Note(Instant.now(), step.stepId(), step.text()));
        run.ledger.end(connection, run.runId, step.stepId(), attempt, StepLedger.Results.OK, null, null);
        run.emit(new EngineEvent.StepEnded(Instant.now(), step.stepId(), attempt, "ok", null, 0, null, null));
    }

    private void backfill(StepPlan.Backfill step) throws SQLException {
        Connection connection = run.connection();
        // SQL it cannot bind is refused before an attempt is recorded
        BackfillWorker worker = new BackfillWorker(run, step.plan());
        // the checkpoint, not the ledger, tells where a backfill stands: its attempts are never in doubt
        int attempt = run.ledger.start(connection, run.runId, step.stepId(), true);
        run.emit(new EngineEvent.StepStarted(Instant.now(), step.stepId(), "backfill", attempt, true));
        long started = System.nanoTime();
        long rows;
        try {
            rows = worker.run();
        } catch (SQLException e) {
            rollbackQuietly(run.connection());
            String state = attemptFailed(step, attempt, started, e);
            throw new StepFailed(
                    "backfill " + step.stepId() + " failed: " + e.getMessage() + " (SQLSTATE "
                            + state + "); committed batches stay committed and the run resumes from the"
                            + " checkpoint",
                    backfillAttempt(step, attempt, worker, e, null, started));
        }
        // the batches are committed whatever the verify says: only a verify that holds completes the step
        String failure = step.verify() == null
                ? null
                : verifyFailure(
                        run.connection(), step.verify(), step.stepId(), "; the committed batches stay committed");
        run.ledger.end(
                run.connection(),
                run.runId,
                step.stepId(),
                attempt,
                failure == null ? StepLedger.Results.OK : StepLedger.Results.FAILED,
                rows,
                failure);
        run.emit(ended(step.stepId(), attempt, failure == null ? "ok" : "failed", rows, started, null, failure));
        if (failure != null) {
            throw new StepFailed(
                    "backfill " + step.stepId() + ": " + failure,
                    backfillAttempt(step, attempt, worker, null, failure, started));
        }
    }

    private static FailedAttempt backfillAttempt(
            StepPlan.Backfill step,
            int attempt,
            BackfillWorker worker,
            SQLException error,
            String checkFailure,
            long startedNanos) {
        return new FailedAttempt(
                step.stepId(),
                step.kind(),
                attempt,
                error == null ? List.of() : SqlLexer.statements(step.plan().sql()),
                true,
                error == null ? -1 : 0,
                0,
                error,
                checkFailure,
                step.plan().statementTimeout(),
                step.plan().lockTimeout(),
                Duration.ofNanos(System.nanoTime() - startedNanos),
                step.plan().table(),
                error == null ? null : worker.batchInFlight(),
                worker.rowsCommitted());
    }

    /** A step that started but never ended, with work outside a transaction. True when settled as applied. */
    private boolean resolveInDoubt(StepPlan step, StepLedger.Entry entry) throws SQLException {
        Connection connection = run.connection();
        StepPlan.Check verify = step instanceof StepPlan.Sql sql ? sql.verify() : null;
        if (verify != null) {
            Object actual = query(connection, verify);
            boolean applied = verify.expect().matches(actual);
            run.emit(new EngineEvent.Verified(
                    Instant.now(),
                    step.stepId(),
                    verify.sql(),
                    applied,
                    verify.expect().describe(),
                    String.valueOf(actual)));
            run.emit(new EngineEvent.Recovered(
                    Instant.now(),
                    step.stepId(),
                    "in doubt",
                    "attempt " + entry.attempt() + " started without a recorded end; verify says it "
                            + (applied ? "applied" : "did not apply") + (applied ? "" : ": running it again")));
            closeInDoubt(entry, applied);
            return applied;
        }
        if (step instanceof StepPlan.Sql sql) {
            Optional<Boolean> built = indexesBuilt(connection, sql, entry);
            if (built.isPresent()) {
                closeInDoubt(entry, built.get());
                return built.get();
            }
        }
        Optional<Operator.Answer> answer = run.decidedOrAsked(
                Question.Kind.IN_DOUBT,
                step.stepId(),
                "step " + step.stepId() + " (attempt " + entry.attempt()
                        + ") started without a recorded end and has no verify query. Did it apply?",
                List.of(
                        Question.Choice.of(Choice.APPLIED.id(), "it applied: go on with the next step"),
                        Question.Choice.of(Choice.RETRY.id(), "it did not apply: run it again"),
                        Question.Choice.of(Choice.ABORT.id(), "stop, resumable")),
                null);
        if (answer.isEmpty()) {
            run.checkStop();
            throw new RunStopped("step " + step.stepId() + " is in doubt (started, no recorded end, ran outside a"
                    + " transaction) and has no verify query; nobody is attending to decide: inspect the database,"
                    + " then run again attended or with --decide " + step.stepId() + "=applied:REASON (or retry,"
                    + " abort)");
        }
        if (answer.get().choice().equals(Choice.ABORT.id())) {
            throw new RunStopped("operator stopped the run at in-doubt step " + step.stepId());
        }
        boolean applied = answer.get().choice().equals(Choice.APPLIED.id());
        closeInDoubt(entry, applied);
        return applied;
    }

    /**
     * What the catalog says about an in-doubt step that builds indexes, so that nobody is asked to guess:
     * every index there and valid (applied), one missing and none invalid (not applied: run it again), or one
     * INVALID, which an interrupted CREATE INDEX CONCURRENTLY leaves and running again would not fix: the
     * step fails as partial-ddl, and recovery offers the repair. Empty for a step that builds no index.
     */
    private Optional<Boolean> indexesBuilt(Connection connection, StepPlan.Sql step, StepLedger.Entry entry)
            throws SQLException {
        List<SqlStatement> statements = SqlLexer.statements(step.sql());
        List<String> valid = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (SqlStatement statement : statements) {
            Optional<String> index = statement.createdIndex();
            if (index.isEmpty()) {
                continue;
            }
            try (PreparedStatement query =
                    connection.prepareStatement("select indisvalid from pg_index where indexrelid = to_regclass(?)")) {
                query.setString(1, index.get());
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) {
                        missing.add(index.get());
                    } else if (rows.getBoolean(1)) {
                        valid.add(index.get());
                    } else {
                        invalid.add(index.get());
                    }
                }
            }
        }
        if (valid.isEmpty() && missing.isEmpty() && invalid.isEmpty()) {
            return Optional.empty();
        }
        String found = "attempt " + entry.attempt() + " started without a recorded end; the catalog shows "
                + describe("valid", valid) + describe("missing", missing) + describe("INVALID", invalid);
        found = found.substring(0, found.length() - 2);
        if (!invalid.isEmpty()) {
            closeInDoubt(entry, false);
            throw new StepFailed(
                    "step " + step.stepId() + " is in doubt and left INVALID index " + String.join(", ", invalid),
                    sqlAttempt(
                            step,
                            entry.attempt(),
                            statements,
                            false,
                            null,
                            found + ": an interrupted concurrent build, which running the step again does not fix",
                            System.nanoTime()));
        }
        boolean applied = missing.isEmpty();
        run.emit(new EngineEvent.Recovered(
                Instant.now(),
                step.stepId(),
                "in doubt",
                found + (applied ? ": it applied" : ": it did not apply, running it again")));
        return Optional.of(applied);
    }

    private static String describe(String state, List<String> indexes) {
        return indexes.isEmpty() ? "" : "index " + String.join(", ", indexes) + " " + state + "; ";
    }

    private void closeInDoubt(StepLedger.Entry entry, boolean applied) throws SQLException {
        run.ledger.end(
                run.connection(),
                run.runId,
                entry.stepId(),
                entry.attempt(),
                applied ? StepLedger.Results.APPLIED_PER_VERIFY : StepLedger.Results.FAILED,
                entry.rows(),
                applied ? "in doubt; settled as applied" : "in doubt; settled as not applied");
    }

    /**
     * Runs a step's verify and records what it found; null when it holds, else why the step failed. Inside
     * the step's open transaction it sees the step's own uncommitted work (and the caller then rolls back).
     */
    private String verifyFailure(Connection connection, StepPlan.Check verify, String stepId, String consequence)
            throws SQLException {
        Object actual = query(connection, verify);
        boolean passed = verify.expect().matches(actual);
        run.emit(new EngineEvent.Verified(
                Instant.now(), stepId, verify.sql(), passed, verify.expect().describe(), String.valueOf(actual)));
        return passed ? null : "verify expected " + verify.expect().describe() + ", got " + actual + consequence;
    }

    /**
     * The first column of the first row of a check's query (null when none), under the check's statement
     * timeout: in a transaction of its own, or inside the caller's when one is open.
     */
    private Object query(Connection connection, StepPlan.Check check) throws SQLException {
        boolean ownTransaction = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("set local statement_timeout = '" + millis(check.statementTimeout()) + "ms'");
            run.inFlight(statement);
            try (ResultSet rows = statement.executeQuery(check.sql())) {
                Object value = rows.next() ? rows.getObject(1) : null;
                if (ownTransaction) {
                    connection.commit();
                }
                return value;
            } finally {
                run.inFlight(null);
            }
        } catch (SQLException e) {
            if (ownTransaction) {
                rollbackQuietly(connection);
            }
            throw e;
        } finally {
            if (ownTransaction && !connection.isClosed()) {
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * A check's query; an error other than a lost session ends the attempt as failed in the ledger (so that
     * no attempt stays open) and fails the step with the error.
     */
    private Object queryOrFail(StepPlan step, int attempt, StepPlan.Check check, long started) throws SQLException {
        try {
            return query(run.connection(), check);
        } catch (SQLException e) {
            throw checkFailed(step, attempt, check.sql(), e, started);
        }
    }

    /**
     * A check's query (or a ledger read) failed: a lost session is rethrown for the reconnect; any other error
     * ends the attempt as failed in the ledger and becomes the step's failure, to throw.
     */
    private StepFailed checkFailed(StepPlan step, int attempt, String sql, SQLException e, long started)
            throws SQLException {
        if (SqlStates.connectionLost(e)) {
            throw e;
        }
        String state = attemptFailed(step, attempt, started, e);
        return new StepFailed(
                "step " + step.stepId() + " failed: " + e.getMessage() + " (SQLSTATE " + state + ")",
                checkAttempt(step, attempt, sql, e, null, started));
    }

    private void endSimple(StepPlan step, int attempt, String sql, long started, boolean passed, String failure)
            throws SQLException {
        String stepId = step.stepId();
        run.ledger.end(
                run.connection(),
                run.runId,
                stepId,
                attempt,
                passed ? StepLedger.Results.OK : StepLedger.Results.FAILED,
                null,
                passed ? null : failure);
        run.emit(ended(stepId, attempt, passed ? "ok" : "failed", null, started, null, passed ? null : failure));
        if (!passed) {
            throw new StepFailed(
                    "step " + stepId + ": " + failure, checkAttempt(step, attempt, sql, null, failure, started));
        }
    }

    /**
     * An attempt that an error ended: its end in the ledger (so that no attempt stays open) and on the event
     * stream. Returns the error's SQLSTATE.
     */
    private String attemptFailed(StepPlan step, int attempt, long started, SQLException e) throws SQLException {
        String state = SqlStates.of(e);
        run.ledger.end(
                run.connection(),
                run.runId,
                step.stepId(),
                attempt,
                StepLedger.Results.FAILED,
                null,
                state + ": " + e.getMessage());
        run.emit(ended(step.stepId(), attempt, "failed", null, started, state, e.getMessage()));
        return state;
    }

    private static EngineEvent.StepEnded ended(
            String stepId, int attempt, String result, Long rows, long startedNanos, String sqlState, String message) {
        return new EngineEvent.StepEnded(
                Instant.now(),
                stepId,
                attempt,
                result,
                rows,
                (System.nanoTime() - startedNanos) / 1_000_000,
                sqlState,
                message);
    }

    /** Ends a failed transaction and goes back to auto-commit, so that the ledger's end row commits. */
    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed() && !connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // the session is gone; its transaction went with it
        }
    }
}
