package dev.lockstep.probe;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
import dev.lockstep.pg.ServerIdentity;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Takes snapshots of a primary and its standbys, one dedicated monitoring connection per server. The
 * servers are read in parallel so that the primary's WAL position and the standbys' replay positions are
 * close in time, and a slow standby does not delay the primary's locks.
 */
public final class WatchProbe implements AutoCloseable {

    private final ServerProbe primary;
    private final List<ServerProbe> standbys;
    private final ExecutorService workers;
    private final ProbeOptions options;
    private final WalHistory primaryWal = new WalHistory();

    private WatchProbe(ServerProbe primary, List<ServerProbe> standbys, ProbeOptions options) {
        this.primary = primary;
        this.standbys = List.copyOf(standbys);
        this.options = options;
        this.workers = Executors.newFixedThreadPool(1 + standbys.size(), runnable -> {
            Thread thread = new Thread(runnable, "lockstep-probe");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Monitoring sessions opened with {@link PgSessions} under {@code options.limits()}. */
    public static WatchProbe open(ConnectionSettings primary, List<ConnectionSettings> standbys, ProbeOptions options) {
        return open(primary, standbys, options, settings -> PgSessions.open(settings, options.limits()));
    }

    /**
     * @param connector opens one bounded monitoring session or throws a LockstepException with one line
     */
    public static WatchProbe open(
            ConnectionSettings primary,
            List<ConnectionSettings> standbys,
            ProbeOptions options,
            Function<ConnectionSettings, Connection> connector) {
        ServerProbe primaryProbe = probe("primary", primary, options, connector);
        List<ServerProbe> standbyProbes = new ArrayList<>();
        for (int index = 0; index < standbys.size(); index++) {
            String label = standbys.size() == 1 ? "standby" : "standby " + (index + 1);
            standbyProbes.add(probe(label, standbys.get(index), options, connector));
        }
        return new WatchProbe(primaryProbe, standbyProbes, options);
    }

    private static ServerProbe probe(
            String label,
            ConnectionSettings settings,
            ProbeOptions options,
            Function<ConnectionSettings, Connection> connector) {
        MonitorConnection monitor = new MonitorConnection(() -> connector.apply(settings), options.clock());
        return new ServerProbe(label, settings.displayUri(), monitor, options);
    }

    /** The primary's identity once it was reached. */
    public Optional<ServerIdentity> primaryIdentity() {
        return primary.identity();
    }

    /** One snapshot of every server; never throws for a database problem, it reports it inside. */
    public Snapshot take() {
        long start = System.nanoTime();
        var takenAt = options.clock().instant();
        Future<ServerSnapshot> primaryFuture = workers.submit(primary::probe);
        List<Future<ServerSnapshot>> standbyFutures = new ArrayList<>();
        standbys.forEach(standby -> standbyFutures.add(workers.submit(standby::probe)));
        ServerSnapshot primarySnapshot = await(primaryFuture);
        if (primarySnapshot.recovery() != null) {
            primaryWal.record(
                    primarySnapshot.takenAt(), primarySnapshot.recovery().currentLsn());
        }
        List<ServerSnapshot> standbySnapshots = new ArrayList<>();
        List<StandbyLag> lags = new ArrayList<>();
        for (Future<ServerSnapshot> future : standbyFutures) {
            ServerSnapshot standby = await(future);
            standbySnapshots.add(standby);
            lags.add(LagRule.evaluate(standby, primarySnapshot, primaryWal, standby.takenAt()));
        }
        return new Snapshot(
                takenAt, (System.nanoTime() - start) / 1_000_000.0, primarySnapshot, standbySnapshots, lags);
    }

    private static ServerSnapshot await(Future<ServerSnapshot> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking a snapshot", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("probe failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        primary.close();
        standbys.forEach(ServerProbe::close);
    }
}
