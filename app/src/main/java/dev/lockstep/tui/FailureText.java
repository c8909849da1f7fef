package dev.lockstep.tui;

import dev.lockstep.recovery.Choice;
import dev.lockstep.recovery.Diagnosis;
import dev.lockstep.recovery.Fact;
import dev.lockstep.recovery.Failure;
import dev.lockstep.recovery.Offer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A failure in words, the same in line mode, in the console and in a log: the headline, then what it means,
 * what stayed applied, what inspection found and every option with why it is (not) available.
 */
public final class FailureText {

    private FailureText() {}

    /**
     * {@code add-email-key: partial-ddl (SQLSTATE 23505): could not create unique index ...}; a step that was
     * retried says after how many attempts, so that nobody retries a third time what failed three times.
     */
    public static String headline(Diagnosis diagnosis) {
        Failure failure = diagnosis.failure();
        return failure.stepId() + ": " + failure.failureClass().id()
                + (failure.sqlState() == null || failure.sqlState().isEmpty()
                        ? ""
                        : " (SQLSTATE " + failure.sqlState() + ")")
                + (failure.attempt() > 1 ? " after " + failure.attempt() + " attempts" : "")
                + ": " + failure.message();
    }

    /**
     * Whether the failure is a migration ledger's finding before the first step (docs/recovery.md, "Migration
     * ledgers"): no step failed and nothing ran, so the screens say "found" rather than "failed".
     */
    public static boolean beforeAnyStep(Failure failure) {
        return failure.attempt() == 0 && "ledger".equals(failure.stepKind());
    }

    /** The lines under the headline: meaning, what stayed, the facts, the options. */
    public static List<String> details(Diagnosis diagnosis) {
        List<String> lines = new ArrayList<>();
        lines.add(diagnosis.failure().explanation());
        lines.addAll(facts(diagnosis));
        for (Offer offer : diagnosis.offers()) {
            if (offer.choice() != Choice.RECHECK) {
                lines.add(option(offer));
            }
        }
        return lines;
    }

    /**
     * The facts that decide what to do first (who blocks, what was left behind, which row), then what stayed
     * applied, then the rest: {@code blocker: pid 4242 (app, ...)}. A screen short of rows shows the first few.
     */
    public static List<String> facts(Diagnosis diagnosis) {
        List<Fact> facts = new ArrayList<>(diagnosis.failure().facts());
        facts.sort(Comparator.comparingInt(FailureText::rank));
        List<String> lines = new ArrayList<>();
        // a ledger found before the first step is no step's doing: nothing ran, so "applied" says nothing
        boolean ranNothing = diagnosis.failure().attempt() == 0
                && "ledger".equals(diagnosis.failure().stepKind());
        for (Fact fact : facts) {
            if (!ranNothing
                    && rank(fact) == FIRST.size()
                    && lines.stream().noneMatch(line -> line.startsWith("applied: "))) {
                lines.add("applied: " + diagnosis.failure().applied().description());
            }
            lines.add(fact.name().replace('_', ' ') + ": " + fact.value());
        }
        if (!ranNothing && lines.stream().noneMatch(line -> line.startsWith("applied: "))) {
            lines.add("applied: " + diagnosis.failure().applied().description());
        }
        return lines;
    }

    private static final List<String> FIRST = List.of(
            "blocker",
            "blockers_now",
            "invalid_index",
            "not_valid",
            "cause",
            "offending_row",
            "check",
            "other_session",
            "role",
            "server",
            "ran_out_of",
            "elapsed",
            "failed_entry",
            "holder_alive",
            "lock_holder",
            "lock_age");

    private static int rank(Fact fact) {
        int rank = FIRST.indexOf(fact.name());
        return rank < 0 ? FIRST.size() : rank;
    }

    /** {@code repair (available): runs ..., then step x again}, or {@code rollback (not available): why}. */
    public static String option(Offer offer) {
        return offer.available()
                ? offer.choice().id() + " (available): " + offer.effect() + " (" + offer.why() + ")"
                : offer.choice().id() + " (not available): " + offer.why();
    }
}
