package dev.lockstep.timeline;

import java.nio.file.Path;
import java.util.Map;

/**
 * A process that writes a run and never stops: the crash test kills it with SIGKILL mid-backfill. Prints
 * each acknowledged seq, so the test knows what must have survived.
 */
public final class CrashingAppender {
    private CrashingAppender() {}

    public static void main(String... args) {
        Path dir = Path.of(args[0]);
        String runId = args[1];
        OperatorKey key = OperatorKey.load(Path.of(args[2]));
        TimelineWriter writer = TimelineWriter.create(dir, runId, key, Redactor.defaults(), TimelineClock.system());
        writer.append("open", "operator:crash", null, null, RealisticRun.openBody(runId));
        writer.append("step_start", "system", "backfill", 1, Map.of("kind", "backfill"));
        for (long batch = 0; ; batch++) {
            long seq = writer.append(
                    "batch",
                    "system",
                    "backfill",
                    1,
                    Map.of("from", batch * 100, "to", batch * 100 + 100, "rows", 100, "duration_ms", 3));
            System.out.println("acknowledged " + seq);
            System.out.flush();
        }
    }
}
