package dev.lockstep.cli;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.SessionLimits;
import dev.lockstep.sandbox.DemoData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * After a run that did not finish: when the database is a Lockstep sandbox that lacks demo tables the runbook
 * names (an example runbook on a bare {@code lockstep sandbox}), say how to load them. Asked of the database
 * itself, not read from the run's error messages; a database that cannot be asked gives no hint.
 */
final class DemoTablesHint {

    private DemoTablesHint() {}

    static Optional<String> after(ConnectionSettings database, Path runbook) {
        String text;
        try {
            text = Files.readString(runbook, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        try (Connection session = PgSessions.open(database, SessionLimits.monitor())) {
            return message(DemoData.missingFromSandbox(session, text));
        } catch (SQLException | RuntimeException e) {
            // a hint only: the run's own lines already said what failed
            return Optional.empty();
        }
    }

    static Optional<String> message(List<String> missing) {
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("hint: the runbook uses the demo " + (missing.size() == 1 ? "table " : "tables ")
                + String.join(", ", missing) + ", which this sandbox does not have: start it with 'lockstep"
                + " sandbox --demo-data' (or try 'lockstep demo', which loads them itself)");
    }
}
