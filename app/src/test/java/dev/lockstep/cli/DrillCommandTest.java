package dev.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code lockstep drill} from the command line: injects, holds, undoes, and says each in line mode's columns. */
@ExtendWith(SandboxExtension.class)
class DrillCommandTest {

    @Test
    void lockHolderHoldsForItsTimeThenUndoesAndLeavesNoSessionBehind(Sandbox sandbox) throws Exception {
        // given
        try (Connection admin = sandbox.connectPrimary();
                Statement statement = admin.createStatement()) {
            statement.execute("create table if not exists drill_cli_t (id bigint primary key)");
        }

        // when
        CliRun run = CliRun.of(
                "drill", "lock-holder", "--db", sandbox.primaryUri(), "--table", "drill_cli_t", "--for", "1s");

        // then
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out().lines().toList())
                .as(run.out())
                .anySatisfy(line -> assertThat(line).containsPattern("^\\d\\d:\\d\\d:\\d\\d DRILL   lock-holder: "))
                .anySatisfy(line -> assertThat(line).contains("holding it for 1s"))
                .noneSatisfy(line -> assertThat(line).contains("drill: "));
        assertThat(run.out()).contains("holds SHARE on").contains("released the lock");
        assertThat(drillSessionsAfterAWhile(sandbox))
                .as("sessions of the drill still open")
                .isZero();
    }

    /** A backend ends a moment after its client closes: waits for that, up to a generous limit. */
    private static long drillSessionsAfterAWhile(Sandbox sandbox) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Connection admin = sandbox.connectPrimary();
                    Statement statement = admin.createStatement();
                    ResultSet left = statement.executeQuery(
                            "select count(*) from pg_stat_activity where application_name = 'lockstep-drill'")) {
                left.next();
                if (left.getLong(1) == 0 || System.nanoTime() > deadline) {
                    return left.getLong(1);
                }
            }
            Thread.sleep(50);
        }
    }
}
