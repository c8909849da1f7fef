package dev.lockstep.timeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The timeline benchmark run by scripts/bench: forced appends per second on the given directory's
 * file system (checkpoints and their signatures included), and verification lines per second.
 * Prints the median of five rounds of each. Not a test: timings depend on the disk.
 */
public final class TimelineBenchmark {
    private static final int ROUNDS = 5;

    private TimelineBenchmark() {}

    public static void main(String... args) throws IOException {
        Path appendDir = Files.createTempDirectory(Path.of(args.length > 0 ? args[0] : "."), "bench-timeline-");
        int appends = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int verifyLines = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        OperatorKey key = OperatorKey.generate();

        List<Double> appendRates = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            TimelineWriter writer = TimelineWriter.create(
                    appendDir, "append-" + round, key, Redactor.defaults(), TimelineClock.system());
            writer.append("open", "operator:bench", null, null, RealisticRun.openBody("append-" + round));
            long start = System.nanoTime();
            for (int i = 0; i < appends; i++) {
                writer.append("batch", "system", "backfill", 1, batch(i));
            }
            appendRates.add(appends / ((System.nanoTime() - start) / 1e9));
            System.out.printf(
                    Locale.ROOT, "BENCH\ttimeline\tappends\t%d\t%.1f\tper s%n", round + 1, appendRates.get(round));
            writer.close(Map.of("state", "done", "exit_code", 0));
        }

        // The big file for verification is written on a RAM file system when there is one: its forced
        // writes would otherwise take minutes, and verification reads the bytes from memory anyway.
        Path shm = Path.of("/dev/shm");
        Path verifyDir = Files.createTempDirectory(Files.isWritable(shm) ? shm : appendDir, "bench-verify-");
        TimelineWriter writer =
                TimelineWriter.create(verifyDir, "verify", key, Redactor.defaults(), TimelineClock.system());
        writer.append("open", "operator:bench", null, null, RealisticRun.openBody("verify"));
        for (int i = 0; i < verifyLines; i++) {
            writer.append(
                    i % 2 == 0 ? "batch" : "sample",
                    "system",
                    i % 2 == 0 ? "backfill" : null,
                    i % 2 == 0 ? 1 : null,
                    i % 2 == 0 ? batch(i) : sample(i));
        }
        writer.close(Map.of("state", "done", "exit_code", 0));
        byte[] bytes = Files.readAllBytes(writer.file());
        List<Double> verifyRates = new ArrayList<>();
        long lines = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            VerifyResult result = TimelineVerifier.verify(bytes, key.publicKey());
            double seconds = (System.nanoTime() - start) / 1e9;
            if (result.verdict() != Verdict.COMPLETE) {
                throw new IllegalStateException("benchmark timeline does not verify: " + result.summary());
            }
            lines = result.lines();
            verifyRates.add(lines / seconds);
            System.out.printf(
                    Locale.ROOT, "BENCH\ttimeline\tverify\t%d\t%.1f\tper s%n", round + 1, verifyRates.get(round));
        }
        System.out.printf(
                "forced appends/s      median %,.0f over %d rounds of %d appends (target >= 1,000) in %s%n",
                median(appendRates), ROUNDS, appends, appendDir);
        System.out.printf(
                "verification lines/s  median %,.0f over %d rounds of %,d lines, %,d bytes (target >= 100,000)%n",
                median(verifyRates), ROUNDS, lines, bytes.length);
        deleteTree(appendDir);
        deleteTree(verifyDir);
    }

    private static Map<String, Object> batch(int i) {
        return Map.of(
                "from",
                i * 1000L,
                "to",
                i * 1000L + 1000,
                "rows",
                1000,
                "duration_ms",
                180,
                "batch_size",
                1000,
                "keys_done",
                i * 1000L + 1000,
                "rows_done",
                i * 1000L + 1000);
    }

    private static Map<String, Object> sample(int i) {
        return Map.of(
                "lock_wait_seconds",
                0.1 * (i % 5),
                "blocked_sessions",
                i % 3,
                "replication_lag_seconds",
                0.25,
                "replication_lag_bytes",
                4096,
                "rows_per_second",
                5200);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
