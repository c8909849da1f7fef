package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.probe.MigrationLedger;
import dev.lockstep.probe.MigrationLedger.Liveness;
import dev.lockstep.probe.MigrationLedger.Lock;
import dev.lockstep.probe.MigrationLedger.Tool;
import dev.lockstep.probe.MigrationLedgers;
import dev.lockstep.recovery.Applied;
import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.Decision;
import dev.lockstep.recovery.Diagnosis;
import dev.lockstep.recovery.Fact;
import dev.lockstep.recovery.Failure;
import dev.lockstep.recovery.FailureClass;
import dev.lockstep.recovery.Offer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Migration tools' ledgers on the target database (docs/recovery.md, "Migration ledgers"): before the first
 * step, a failed entry ({@code ledger-failed}) or a held lock ({@code ledger-locked}) is classified, shown and
 * decided before anything changes: acknowledged by the runbook's {@code ledger} step or by {@code --decide
 * ledger:TOOL=acknowledge:REASON}, asked at a screen, or else the run stops (exit 4). A stuck Liquibase lock
 * whose holder has no session left can be released ({@code repair}). Also what a {@code ledger} step checks.
 */
final class LedgerGate {

    /** The name a start-of-run ledger finding goes by: {@code --decide ledger:flyway=...}, the timeline's step. */
    static String key(Tool tool) {
        return "ledger:" + tool.id();
    }

    /** Whether a failure's step is a ledger finding before the first step (no step id holds a ':'). */
    static boolean isStartFinding(String step) {
        return step != null && step.startsWith("ledger:");
    }

    private final RunContext run;
    private final RunPlan plan;
    /** Whether the run row keeps a finding now. */
    private boolean keeping;

    LedgerGate(RunContext run, RunPlan plan) {
        this.run = run;
        this.plan = plan;
    }

    /**
     * The ledgers on the database, read on the control session in a transaction of its own under short
     * timeouts, so that reading can never queue behind a migration that holds the tables.
     */
    static List<MigrationLedger> read(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement settings = connection.createStatement()) {
            settings.execute("set local statement_timeout = '5s'");
            settings.execute("set local lock_timeout = '1s'");
            List<MigrationLedger> ledgers = MigrationLedgers.readAll(connection);
            connection.commit();
            return ledgers;
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Ledgers of {@code tool}, in {@code schema} when given. */
    static List<MigrationLedger> matching(List<MigrationLedger> ledgers, Tool tool, String schema) {
        return ledgers.stream()
                .filter(ledger -> ledger.tool() == tool
                        && (schema == null || ledger.schema().equals(schema)))
                .toList();
    }

    /** What a {@code ledger} step found wrong, or null when it holds. */
    static String stepFailure(StepPlan.Ledger step, List<MigrationLedger> ledgers) {
        List<MigrationLedger> found = matching(ledgers, step.tool(), step.schema());
        String where = step.schema() == null ? "" : " in schema " + step.schema();
        if (found.isEmpty()) {
            return "no " + step.tool().id() + " ledger" + where + " on this database";
        }
        if (found.size() > 1) {
            return step.tool().id() + " ledgers in several schemas ("
                    + found.stream().map(MigrationLedger::schema).collect(Collectors.joining(", "))
                    + "): say which with schema:";
        }
        MigrationLedger ledger = found.get(0);
        if (ledger.hasFailed()) {
            return ledger.failed().size() + " failed entr" + (ledger.failed().size() == 1 ? "y" : "ies") + " in "
                    + ledger.describe() + ": "
                    + ledger.failed().stream()
                            .map(MigrationLedger.Entry::describe)
                            .collect(Collectors.joining("; "));
        }
        if (step.expectVersion() != null && !step.expectVersion().equals(ledger.currentVersion())) {
            return "expected " + ledger.describe() + " at version " + step.expectVersion() + ", got "
                    + (ledger.currentVersion() == null ? "nothing applied" : ledger.currentVersion());
        }
        return null;
    }

    /** What the step expects, in words, for the verify record. */
    static String expected(StepPlan.Ledger step) {
        return step.tool().id() + (step.schema() == null ? "" : " in " + step.schema()) + " ledger with no failed"
                + " entries" + (step.expectVersion() == null ? "" : ", at version " + step.expectVersion());
    }

    /** What the ledger shows, in words, for the verify record. */
    static String actual(StepPlan.Ledger step, List<MigrationLedger> ledgers) {
        List<MigrationLedger> found = matching(ledgers, step.tool(), step.schema());
        if (found.isEmpty()) {
            return "no ledger";
        }
        return found.stream()
                .map(ledger -> ledger.describe() + " at "
                        + (ledger.currentVersion() == null ? "nothing applied" : ledger.currentVersion())
                        + ", " + ledger.failed().size() + " failed")
                .collect(Collectors.joining("; "));
    }

    /** The facts a ledger gives a failure record: the ledger, each failed entry, the lock and its holder. */
    static List<Fact> facts(MigrationLedger ledger) {
        List<Fact> facts = new ArrayList<>();
        facts.add(new Fact(
                "ledger",
                ledger.describe() + ", at "
                        + (ledger.currentVersion() == null ? "nothing applied" : ledger.currentVersion())
                        + (ledger.currentDescription() == null ? "" : " (" + ledger.currentDescription() + ")")
                        + ", " + ledger.applied() + " applied"));
        for (MigrationLedger.Entry entry : ledger.failed()) {
            facts.add(new Fact("failed_entry", entry.describe() + (entry.at() == null ? "" : ", at " + entry.at())));
        }
        Lock lock = ledger.lock();
        if (lock != null) {
            facts.add(new Fact("lock_holder", lock.lockedBy()));
            if (lock.grantedAt() != null) {
                facts.add(new Fact("lock_granted", lock.grantedAt().toString()));
            }
            if (lock.ageSeconds() != null) {
                facts.add(new Fact("lock_age", age(lock.ageSeconds())));
            }
            facts.add(new Fact("holder_alive", lock.holderAlive().id() + ": " + lock.holder()));
        }
        return facts;
    }

    /**
     * Before the first step: each ledger with a failed entry or a held lock is classified and decided. Empty
     * when the run goes on; else how it ends (stopped, exit 4: nothing ran).
     *
     * @param findingKept whether the run row keeps a finding of an earlier process (it stopped here): the
     *     ledgers are read again, and the row keeps a finding only while one is undecided
     */
    Optional<RunResult> atStart(boolean findingKept) throws SQLException {
        keeping = findingKept;
        Optional<RunResult> end = gate();
        if (end.isEmpty() && keeping) {
            keep(null);
        }
        return end;
    }

    private Optional<RunResult> gate() throws SQLException {
        List<MigrationLedger> ledgers;
        try {
            ledgers = read(run.connection());
        } catch (SQLException e) {
            run.emit(new EngineEvent.Note(
                    Instant.now(),
                    null,
                    "could not read the migration ledgers on this database: "
                            + e.getMessage().lines().findFirst().orElse("") + "; going on without that check"));
            return Optional.empty();
        }
        try {
            for (Tool tool : Tool.values()) {
                Optional<RunResult> end = settle(tool, ledgers);
                if (end.isPresent()) {
                    return end;
                }
            }
        } catch (LedgerUndecided undecided) {
            return Optional.of(undecided.result);
        }
        return Optional.empty();
    }

    /**
     * The run row keeps the finding that waits for a decision (or none), as it keeps a failed step's: {@code
     * status} and {@code status --json} show it (docs/recovery.md, "The failure record").
     */
    private void keep(Diagnosis diagnosis) throws SQLException {
        Connection connection = run.connection();
        connection.setAutoCommit(true);
        run.runs.failure(connection, run.runId, diagnosis == null ? null : Json.write(diagnosis.body()));
        keeping = diagnosis != null;
    }

    private Optional<RunResult> settle(Tool tool, List<MigrationLedger> ledgers) throws SQLException {
        String key = key(tool);
        while (true) {
            Optional<MigrationLedger> troubled = matching(ledgers, tool, null).stream()
                    .filter(ledger -> ledger.hasFailed() || ledger.lock() != null)
                    .findFirst();
            if (troubled.isEmpty()) {
                return Optional.empty();
            }
            MigrationLedger ledger = troubled.get();
            Diagnosis diagnosis = diagnose(key, ledger);
            run.emit(new EngineEvent.FailureFound(Instant.now(), diagnosis));
            keep(diagnosis);
            Optional<Decision> decision = decide(key, tool, diagnosis);
            if (decision.isEmpty()) {
                return Optional.of(stopped(key, diagnosis, "nobody is attending to decide"));
            }
            switch (decision.get().choice()) {
                case ACKNOWLEDGE -> {
                    // only this ledger's findings are acknowledged; another schema's are asked about in turn
                    final MigrationLedger settled = ledger;
                    ledgers = ledgers.stream().filter(other -> other != settled).toList();
                }
                case REPAIR -> {
                    release(key, ledger);
                    ledgers = reread(ledgers);
                }
                case RECHECK -> ledgers = reread(ledgers);
                default -> {
                    return Optional.of(new RunResult(
                            run.runId,
                            RunState.STOPPED,
                            ExitCode.STOPPED,
                            "stopped before the first step: "
                                    + diagnosis.failure().failureClass().id() + " in " + ledger.describe()
                                    + "; nothing ran; run the same command again to decide"));
                }
            }
        }
    }

    private List<MigrationLedger> reread(List<MigrationLedger> before) {
        try {
            return read(run.connection());
        } catch (SQLException e) {
            run.emit(new EngineEvent.Note(
                    Instant.now(), null, "could not read the migration ledgers again: " + e.getMessage()));
            return before;
        }
    }

    static Diagnosis diagnose(String key, MigrationLedger ledger) {
        Lock lock = ledger.lock();
        FailureClass failureClass = lock != null ? FailureClass.LEDGER_LOCKED : FailureClass.LEDGER_FAILED;
        String message = lock != null
                ? ledger.describe() + " is locked by " + lock.lockedBy()
                        + (lock.ageSeconds() == null ? "" : " for " + age(lock.ageSeconds()))
                        + "; holder " + lock.holderAlive().id()
                : ledger.describe() + " records " + ledger.failed().size() + " failed entr"
                        + (ledger.failed().size() == 1 ? "y" : "ies") + ": "
                        + ledger.failed().get(ledger.failed().size() - 1).describe();
        Failure failure =
                new Failure(key, "ledger", 0, failureClass, null, message, Applied.NOTHING, facts(ledger), List.of());
        return new Diagnosis(failure, offers(key, ledger));
    }

    private static List<Offer> offers(String key, MigrationLedger ledger) {
        List<Offer> offers = new ArrayList<>();
        offers.add(new Offer(
                Choice.ACKNOWLEDGE,
                true,
                "the runbook's steps may expect the ledger as it is; you say why going on is safe",
                "goes on with the first step, the ledger as it is"));
        offers.add(release(ledger));
        offers.add(new Offer(
                Choice.ABORT,
                true,
                "always possible: nothing runs",
                "stops now (exit 4); running the same command again checks the ledger again"));
        offers.add(new Offer(
                Choice.RECHECK,
                true,
                "needs an operator at the screen",
                "reads the ledger again (has the lock gone? was the entry repaired?) and asks again"));
        return offers;
    }

    private static Offer release(MigrationLedger ledger) {
        Lock lock = ledger.lock();
        String effect = "releases the Liquibase lock in " + ledger.schema() + " (" + releaseSql(ledger.schema())
                + "), then reads the ledger again";
        if (lock == null) {
            return new Offer(Choice.REPAIR, false, "no lock is held: nothing to release", "");
        }
        if (ledger.tool() != Tool.LIQUIBASE) {
            return new Offer(
                    Choice.REPAIR,
                    false,
                    "Flyway's lock is a session's advisory lock: it goes with that session (pid " + lock.holderPid()
                            + "); Lockstep does not end sessions for you",
                    "");
        }
        return switch (lock.holderAlive()) {
            case GONE -> new Offer(
                    Choice.REPAIR, true, "no session of the lock's holder is connected: " + lock.holder(), effect);
            case ALIVE -> new Offer(
                    Choice.REPAIR,
                    false,
                    "a session of the lock's holder is connected (" + lock.holder() + "): it may still be"
                            + " migrating; wait for it or end it, then recheck",
                    effect);
            case UNKNOWN -> new Offer(
                    Choice.REPAIR,
                    false,
                    "whether the holder is still connected cannot be told (" + lock.holder() + "): release it by"
                            + " hand once you know it is gone",
                    effect);
        };
    }

    /** "23m15s", "2h01m", "41s": a lock's age as the screens write durations. */
    static String age(double seconds) {
        long whole = Math.max(0, Math.round(seconds));
        if (whole < 60) {
            return whole + "s";
        }
        if (whole < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", whole / 3600, whole % 3600 / 60);
    }

    static String releaseSql(String schema) {
        return "UPDATE " + quote(schema) + ".databasechangeloglock SET locked = false, lockgranted = null,"
                + " lockedby = null WHERE id = 1";
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** The runbook's acknowledgement, a {@code --decide}, or the operator's answer; empty: nobody decided. */
    private Optional<Decision> decide(String key, Tool tool, Diagnosis diagnosis) {
        Optional<StepPlan.Ledger> declared = plan.steps().stream()
                .filter(step -> step instanceof StepPlan.Ledger)
                .map(step -> (StepPlan.Ledger) step)
                .filter(step -> step.tool() == tool && step.acknowledge() != null)
                .findFirst();
        if (declared.isPresent()) {
            Decision decision = new Decision(Choice.ACKNOWLEDGE, declared.get().acknowledge());
            run.emit(new EngineEvent.DecisionMade(
                    Instant.now(),
                    key,
                    run.holder.userAtHost(),
                    decision.choice().id(),
                    decision.reason(),
                    "acknowledged by runbook step " + declared.get().stepId()));
            return Optional.of(decision);
        }
        Decision preset = run.decided.take(key).orElse(null);
        if (preset != null) {
            Optional<Offer> offer = diagnosis.offer(preset.choice());
            if (preset.choice() == Choice.RECHECK
                    || offer.isEmpty()
                    || !offer.get().available()) {
                throw new LedgerUndecided(stopped(
                        key,
                        diagnosis,
                        "--decide " + key + "=" + preset.choice().id() + " was not taken: "
                                + offer.map(Offer::why).orElse("not an option for a ledger finding")));
            }
            run.emit(new EngineEvent.DecisionMade(
                    Instant.now(),
                    key,
                    run.holder.userAtHost(),
                    preset.choice().id(),
                    preset.reason(),
                    "given with --decide"));
            return Optional.of(preset);
        }
        if (!run.operator.attended()) {
            return Optional.empty();
        }
        List<Question.Choice> choices = FailureRecovery.choices(diagnosis);
        Failure failure = diagnosis.failure();
        var answer = run.askAboutFailure(
                diagnosis, "before the first step: " + failure.failureClass().id() + ". " + failure.message(), choices);
        if (answer.isEmpty()) {
            run.checkStop();
            return Optional.of(new Decision(Choice.ABORT, "no decision was taken"));
        }
        Choice choice = Choice.ofId(answer.get().choice())
                .filter(chosen -> diagnosis.offer(chosen).map(Offer::available).orElse(false))
                .orElseThrow(() -> new IllegalStateException(
                        "the operator chose '" + answer.get().choice() + "', which is not an available option"));
        run.emit(new EngineEvent.DecisionMade(
                Instant.now(),
                key,
                answer.get().actor(),
                choice.id(),
                answer.get().reason()));
        if (choice == Choice.REPAIR && !confirmRelease(key, diagnosis)) {
            return Optional.of(new Decision(Choice.RECHECK, "the release was not confirmed"));
        }
        return Optional.of(new Decision(choice, answer.get().reason()));
    }

    /** The second question before a release: it names the lock and its holder. */
    private boolean confirmRelease(String key, Diagnosis diagnosis) {
        var answer = run.ask(
                Question.Kind.APPROVAL,
                key,
                "Release the lock? " + diagnosis.failure().message() + ". Another Liquibase run can then take it.",
                List.of(
                        Question.Choice.of("approve", "release the lock"),
                        Question.Choice.of("refuse", "keep it: ask again")),
                null);
        if (answer.isEmpty()) {
            return false;
        }
        // the confirmation and its reason are a decision like any other, recorded before the release
        boolean approved = answer.get().choice().equals("approve");
        run.emit(new EngineEvent.DecisionMade(
                Instant.now(),
                key,
                answer.get().actor(),
                approved ? "approve" : "refuse",
                answer.get().reason(),
                approved ? "confirms the release of the lock" : "keeps the lock: asks again"));
        return approved;
    }

    /**
     * Releases a Liquibase lock, after reading it again: only the same holder's lock, and only while none of
     * its sessions is connected. What happened is recorded either way.
     */
    private void release(String key, MigrationLedger seen) {
        Connection connection = run.connection();
        try {
            Optional<MigrationLedger> now = matching(read(connection), Tool.LIQUIBASE, seen.schema()).stream()
                    .findFirst();
            Lock lock = now.map(MigrationLedger::lock).orElse(null);
            if (lock == null || !lock.lockedBy().equals(seen.lock().lockedBy())) {
                run.emit(new EngineEvent.Recovered(
                        Instant.now(), key, "ledger lock", "the lock changed since it was read: nothing released"));
                return;
            }
            if (lock.holderAlive() != Liveness.GONE) {
                run.emit(new EngineEvent.Recovered(
                        Instant.now(),
                        key,
                        "ledger lock",
                        "not released: a session of the holder may be connected now (" + lock.holder() + ")"));
                return;
            }
            int released;
            connection.setAutoCommit(false);
            try (Statement settings = connection.createStatement();
                    PreparedStatement update = connection.prepareStatement(
                            releaseSql(seen.schema()) + " AND locked AND lockedby IS NOT DISTINCT FROM ?")) {
                settings.execute("set local statement_timeout = '5s'");
                settings.execute("set local lock_timeout = '2s'");
                update.setString(1, lock.lockedBy());
                released = update.executeUpdate();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            run.emit(new EngineEvent.Recovered(
                    Instant.now(),
                    key,
                    "ledger lock",
                    released == 1
                            ? "released the Liquibase lock in " + seen.schema() + " held by " + lock.lockedBy()
                                    + (lock.grantedAt() == null ? "" : " since " + lock.grantedAt())
                            : "the lock was released by someone else meanwhile: nothing to do"));
        } catch (SQLException e) {
            run.emit(new EngineEvent.Recovered(
                    Instant.now(), key, "ledger lock", "could not release the lock: " + e.getMessage()));
        }
    }

    private RunResult stopped(String key, Diagnosis diagnosis, String why) {
        String available = diagnosis.available().stream()
                .map(offer -> offer.choice().id())
                .filter(id -> !id.equals(Choice.RECHECK.id()))
                .collect(Collectors.joining(", "));
        return new RunResult(
                run.runId,
                RunState.STOPPED,
                ExitCode.STOPPED,
                "stopped before the first step: "
                        + diagnosis.failure().failureClass().id() + ": "
                        + diagnosis.failure().message() + "; " + why + ", so nothing ran: run again with --decide "
                        + key + "=OPTION:REASON (available: " + available + "), or acknowledge it in the runbook's"
                        + " ledger step");
    }

    /** A {@code --decide} that could not be taken: the run stops with the result it carries. */
    static final class LedgerUndecided extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RunResult result;

        LedgerUndecided(RunResult result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }
}
