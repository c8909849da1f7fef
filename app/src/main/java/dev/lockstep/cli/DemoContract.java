package dev.lockstep.cli;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineListener;
import dev.lockstep.engine.RunSession;
import dev.lockstep.recovery.FailureClass;
import dev.lockstep.sandbox.Sandbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo's last act: the contract runbook (make enforcement_case.priority NOT NULL) meets a case that an
 * application node still on the old version wrote after the precheck. VALIDATE fails; the failure is classified
 * from the real state (a check violation, the constraint left NOT VALID, the row named) and only the options
 * whose preconditions hold are offered; the declared repair (give the rows the old writer left null the
 * default, then VALIDATE again) settles it, with a reason.
 *
 * <p>The old writer's insert is made on the run thread as the approval step ends (one single-row insert: the
 * listener contract's "return quickly" holds). Made from another thread it would race the next step, which adds
 * the NOT VALID constraint that rejects such rows from then on, and the act would not always happen.
 */
final class DemoContract implements EngineListener {

    static final String RUNBOOK = "runbooks/enforcement-case-priority-not-null.yaml";
    static final String APPROVAL_STEP = "confirm-writers";
    static final String APPROVAL_REASON = "demo operator: every node runs 2026.06.28 (deploy dashboard)";
    static final String FAILING_STEP = "validate-check";
    /** Past the demo data's ids, so that the backfill, long done, never saw it. */
    static final long OLD_WRITER_CASE = 900_000_001L;

    private final Sandbox sandbox;
    private final DemoEvents events = new DemoEvents();
    private final CountDownLatch written = new CountDownLatch(1);
    /** What the old writer did, for the run's record; null until the approval step ends. */
    private volatile String oldWriter;

    private volatile boolean wrote;

    DemoContract(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public void on(EngineEvent event) {
        events.on(event);
        if (oldWriter == null
                && event instanceof EngineEvent.StepEnded ended
                && ended.step().equals(APPROVAL_STEP)
                && ended.result().equals("ok")) {
            oldWriter = insertWithoutPriority();
            written.countDown();
        }
    }

    /** Says in the run's record what the old writer did, once it has: a note on the screen and in the timeline. */
    Thread narrate(RunSession session) {
        Thread narrator = new Thread(
                () -> {
                    try {
                        if (written.await(10, TimeUnit.MINUTES)) {
                            session.note(oldWriter);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "demo-old-writer");
        narrator.setDaemon(true);
        narrator.start();
        return narrator;
    }

    private String insertWithoutPriority() {
        try (Connection connection = sandbox.connectPrimary();
                PreparedStatement insert =
                        connection.prepareStatement("INSERT INTO enforcement_case (id, status, opened_at, summary)"
                                + " VALUES (?, 'OPEN', now(), 'filed by a node still on 2026.05')"
                                + " ON CONFLICT (id) DO NOTHING")) {
            insert.setQueryTimeout(5);
            insert.setLong(1, OLD_WRITER_CASE);
            insert.executeUpdate();
            wrote = true;
            return "drill old-writer: an application node still on 2026.05 filed case " + OLD_WRITER_CASE
                    + " without a priority";
        } catch (SQLException e) {
            return "drill old-writer: could not insert its case: " + e.getMessage();
        }
    }

    boolean wroteTheRow() {
        return wrote;
    }

    /** VALIDATE failed, classified as a check violation. */
    boolean classified() {
        return events.seen(event -> event instanceof EngineEvent.FailureFound found
                && found.step().equals(FAILING_STEP)
                && found.diagnosis().failure().failureClass() == FailureClass.CHECK_VIOLATION);
    }

    /** The offers held what the state allows: the declared repair and rollback, never a skip of a critical step. */
    boolean onlySafeOptions() {
        return events.seen(event -> event instanceof EngineEvent.FailureFound found
                && found.step().equals(FAILING_STEP)
                && found.diagnosis().offers().stream()
                        .anyMatch(offer -> offer.choice().id().equals("repair") && offer.available())
                && found.diagnosis().offers().stream()
                        .noneMatch(offer -> offer.choice().id().equals("skip") && offer.available()));
    }

    /** Someone decided what to do about it, with a reason. */
    boolean decided() {
        return events.seen(event -> event instanceof EngineEvent.DecisionMade decision
                && FAILING_STEP.equals(decision.step())
                && decision.reason() != null
                && !decision.reason().isBlank());
    }
}
