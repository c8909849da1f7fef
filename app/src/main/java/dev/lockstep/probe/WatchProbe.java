package dev.lockstep.probe;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.pg.PgSessions;
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
 * Takes snapshots of a primary and its standbys, one dedicated monitoring connection per server for the life
 * of the probe (reopened with backoff when lost). The servers are read in parallel so that the primary's WAL
 * position and the standbys' replay positions are close in time, and a slow standby does not delay the
 * primary's locks. {@code lockstep watch} renders the snapshots; during a run the stop criteria read them,
 * and run their custom SQL over the same primary session ({@link #withPrimarySession}).
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

    /**
     * Runs {@code work} over the primary's monitoring session between two snapshots, so that other monitoring
     * queries (a runbook's custom SQL signals) need no session of their own. Empty while the primary is
     * unreachable; a session that breaks under {@code work} is noticed and reopened by the next snapshot.
     * {@code work} must bound its statements, catch its own failures and leave the session as it found it
     * (autocommit, no open transaction). Call it from the thread that takes the snapshots, never concurrently
     * with {@link #take()}.
     */
    public <T> Optional<T> withPrimarySession(Function<Connection, T> work) {
        return await(workers.submit(() -> primary.withSession(work)));
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the servers", e);
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
