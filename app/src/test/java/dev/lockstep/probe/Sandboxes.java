package dev.lockstep.probe;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One sandbox (primary + streaming standby) per PostgreSQL major per test run, started on first use; the
 * sandbox's shutdown hook stops it when the test JVM ends.
 */
public final class Sandboxes {

    public static final int DEFAULT_MAJOR = SandboxConfig.defaults().pgMajor();

    private static final Map<Integer, Sandbox> STARTED = new ConcurrentHashMap<>();

    private Sandboxes() {}

    public static Sandbox shared() {
        return of(DEFAULT_MAJOR);
    }

    public static Sandbox of(int major) {
        return STARTED.computeIfAbsent(
                major, key -> Sandbox.start(SandboxConfig.defaults().withPgMajor(key)));
    }

    static WatchProbe primaryProbe(Sandbox sandbox) {
        return WatchProbe.open(ConnectionSettings.parse(sandbox.primaryUri()), List.of(), ProbeOptions.defaults());
    }

    static WatchProbe probeWithStandby(Sandbox sandbox) {
        return WatchProbe.open(
                ConnectionSettings.parse(sandbox.primaryUri()),
                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                ProbeOptions.defaults());
    }
}
