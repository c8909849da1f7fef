package dev.lockstep.tui.plain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.probe.Locks;
import dev.lockstep.probe.ProbeOptions;
import dev.lockstep.probe.Snapshot;
import dev.lockstep.probe.WatchProbe;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The plain view of a real lock queue with long query texts, at 80 columns. */
@ExtendWith(SandboxExtension.class)
class WatchLinesTest {

    @Test
    void aLockQueueReadsAsATreeWithinEightyColumns(Sandbox sandbox) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (Connection admin = sandbox.connectPrimary();
                Connection holder = sandbox.connectPrimary();
                Connection alter = sandbox.connectPrimary();
                Connection reader = sandbox.connectPrimary();
                WatchProbe probe = WatchProbe.open(
                        ConnectionSettings.parse(sandbox.primaryUri()),
                        List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                        ProbeOptions.defaults())) {
            execute(
                    admin,
                    "drop table if exists plain_view_target_with_a_rather_long_name;"
                            + " create table plain_view_target_with_a_rather_long_name (id int)");
            holder.setAutoCommit(false);
            execute(
                    holder,
                    "select count(*) from plain_view_target_with_a_rather_long_name where id > 0 and id < 1000");
            var altered = threads.submit(() -> execute(
                    alter, "alter table plain_view_target_with_a_rather_long_name add column a_long_column_name text"));
            awaitWaiting(probe, 1);
            var read = threads.submit(() -> execute(reader, "select * from plain_view_target_with_a_rather_long_name"));
            Snapshot snapshot = awaitWaiting(probe, 2);

            List<String> lines = new WatchLines(80, ZoneOffset.UTC).render(snapshot);

            assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
            assertThat(lines.get(0)).startsWith("== ").contains(" primary pg ");
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("locks: 2 waiting, longest "));
            assertThat(lines).anySatisfy(line -> assertThat(line)
                    .startsWith(" root ")
                    .contains("idle in transaction")
                    .contains("blocks 2 depth 2"));
            assertThat(lines).anySatisfy(line -> assertThat(line)
                    .startsWith("  <- ")
                    .contains("PENDING ACCESS EXCLUSIVE (queue 1) plain_view_target"));
            assertThat(lines)
                    .anySatisfy(line -> assertThat(line).startsWith("   <- ").contains("AccessShare"));
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("standby: "));

            holder.rollback();
            altered.get(10, TimeUnit.SECONDS);
            read.get(10, TimeUnit.SECONDS);
            execute(admin, "drop table plain_view_target_with_a_rather_long_name");
        } finally {
            threads.shutdownNow();
        }
    }

    private static Snapshot awaitWaiting(WatchProbe probe, int waiting) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Snapshot snapshot = probe.take();
            Locks locks = snapshot.primary().locks();
            if (locks != null && locks.waiting().size() == waiting) {
                return snapshot;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("not " + waiting + " waiting sessions within 20 s: " + locks);
            }
            Thread.sleep(100);
        }
    }

    private static Void execute(Connection connection, String sql) throws java.sql.SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        return null;
    }
}
