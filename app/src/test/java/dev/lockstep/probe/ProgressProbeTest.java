package dev.lockstep.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.Poll;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SandboxExtension.class)
class ProgressProbeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void createIndexConcurrentlyHeldUpByAnOpenTransactionShowsThePhaseAndTheLocker(Sandbox sandbox) throws Exception {
        try (Sessions sessions = new Sessions(sandbox::connectPrimary);
                WatchProbe probe = SandboxProbes.primaryProbe(sandbox)) {
            Connection admin = sessions.open();
            Sessions.execute(
                    admin,
                    "drop table if exists cic_target;"
                            + " create table cic_target (id int); insert into cic_target select generate_series(1, 1000)");
            Connection writer = sessions.open();
            int writerPid = Sessions.pid(writer);
            writer.setAutoCommit(false);
            Sessions.execute(writer, "insert into cic_target values (0)");
            Connection builder = sessions.open();
            int builderPid = Sessions.pid(builder);
            Future<?> built = sessions.start(builder, "create index concurrently cic_target_id on cic_target (id)");

            Snapshot snapshot = Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> createIndex(s).stream().anyMatch(p -> p.pid() == builderPid && p.currentLockerPid() != null),
                    "CREATE INDEX CONCURRENTLY waits for the writer");

            Progress.CreateIndexProgress progress = createIndex(snapshot).stream()
                    .filter(p -> p.pid() == builderPid)
                    .findFirst()
                    .orElseThrow();
            assertThat(progress.command()).isEqualTo("CREATE INDEX CONCURRENTLY");
            assertThat(progress.phase()).startsWith("waiting for");
            assertThat(progress.currentLockerPid()).isEqualTo(writerPid);
            assertThat(progress.lockersTotal()).isEqualTo(1L);
            assertThat(progress.lockersDone()).isEqualTo(0L);
            assertThat(progress.relation()).isEqualTo("cic_target");
            assertThat(progress.indexName()).isEqualTo("cic_target_id");
            assertThat(progress.elapsedSeconds()).isNotNull();
            // the builder waits on the writer's transaction: it is also a lock wait with the writer as root
            assertThat(snapshot.primary().locks().roots())
                    .anySatisfy(root -> assertThat(root.pid()).isEqualTo(writerPid));

            writer.commit();
            built.get(10, TimeUnit.SECONDS);
            Poll.until(
                    DEADLINE,
                    probe::take,
                    s -> createIndex(s).stream().noneMatch(p -> p.pid() == builderPid),
                    "the index is built");
            Sessions.execute(admin, "drop table cic_target");
        }
    }

    private static List<Progress.CreateIndexProgress> createIndex(Snapshot snapshot) {
        Progress progress = snapshot.primary().progress();
        return progress == null || progress.createIndex() == null ? List.of() : progress.createIndex();
    }
}
