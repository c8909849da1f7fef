package dev.lockstep.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postgresql.PGConnection;

/**
 * Finds the next batch's upper key on a session of its own while the current batch's statement runs.
 *
 * <p>Keyset pagination walks a batch's worth of keys in the index before every batch to find where the batch
 * ends; pt-online-schema-change and gh-ost do that walk in line, before each chunk, and it was the largest
 * part of what the engine cost over a bare loop. Done here, it overlaps the previous batch's statement.
 *
 * <p>The result is a hint, never the authority. The batch still applies exactly the range {@code (from, to]}
 * and its checkpoint still moves only from {@code from}, so a key inserted or deleted after the look-ahead
 * read the index changes only how many keys that range holds, as it could between two statements of the
 * batch anyway. The end of the table is never taken from the look-ahead: when it finds no key after
 * {@code from}, the worker looks for itself on the control session.
 *
 * <p>A failure of any kind (the session lost, a lock or statement timeout, a slow answer) costs only the
 * overlap: the worker finds the bound itself. After a failure the look-ahead rests before it opens a session
 * again, so a database that is refusing connections is not asked once per batch.
 *
 * <p>Confined to the worker's thread, except the session, which only the look-ahead's own thread touches.
 */
final class BoundLookahead implements AutoCloseable {

    /** Finds the bound of a batch of {@code size} keys after {@code from}; null when no key follows. */
    @FunctionalInterface
    interface BoundQuery {
        BackfillWorker.Bound find(Connection session, String from, int size) throws SQLException;
    }

    /** Prepares a fresh session for the backfill's table (its statement and lock timeouts). */
    @FunctionalInterface
    interface SessionSetup {
        void apply(Connection session) throws SQLException;
    }

    /** A prefetched bound and the batch size it was found for. */
    record Ahead(BackfillWorker.Bound bound, int size) {}

    private static final Duration REST_AFTER_FAILURE = Duration.ofSeconds(10);

    private final ConnectionSource source;
    private final SessionSetup setup;
    private final BoundQuery query;
    private final Duration longestWait;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread daemon = new Thread(runnable, "lockstep-bound-lookahead");
        daemon.setDaemon(true);
        return daemon;
    });

    private volatile Connection session;
    private volatile long restUntilNanos;
    private Future<Optional<BackfillWorker.Bound>> pending;
    private String pendingFrom;
    private int pendingSize;

    /**
     * @param longestWait how long the worker waits for a prefetch it asks for before it gives up on it and
     *     looks for itself (a prefetch stuck behind a lock would otherwise hold the batch just as long)
     */
    BoundLookahead(ConnectionSource source, SessionSetup setup, BoundQuery query, Duration longestWait) {
        this.source = source;
        this.setup = setup;
        this.query = query;
        this.longestWait = longestWait;
    }

    /** Starts looking for the bound of the batch that will begin after {@code from}. */
    void prefetch(String from, int size) {
        discard();
        if (System.nanoTime() - restUntilNanos < 0) {
            return;
        }
        pendingFrom = from;
        pendingSize = size;
        pending = thread.submit(() -> find(from, size));
    }

    /**
     * The bound prefetched for the batch starting after {@code from}, waiting for it when it is still being
     * found; empty when there is none, it failed, or it found the end of the table.
     */
    Optional<Ahead> take(String from) {
        Future<Optional<BackfillWorker.Bound>> future = pending;
        pending = null;
        if (future == null || !from.equals(pendingFrom)) {
            if (future != null) {
                future.cancel(false);
            }
            return Optional.empty();
        }
        try {
            return future.get(longestWait.toMillis(), TimeUnit.MILLISECONDS)
                    .map(bound -> new Ahead(bound, pendingSize));
        } catch (TimeoutException e) {
            // stuck (behind a lock, on a slow server): cancelled, so that it holds nothing while the worker goes on
            rest();
            cancelQuery();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Forgets a prefetch (the batch size was cut, or the worker starts over from the checkpoint). */
    void discard() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private Optional<BackfillWorker.Bound> find(String from, int size) {
        try {
            if (session == null || session.isClosed()) {
                session = source.open();
                setup.apply(session);
            }
            return Optional.ofNullable(query.find(session, from, size));
        } catch (SQLException | RuntimeException e) {
            // the worker finds the bound itself; this session is not worth keeping
            closeSession();
            rest();
            return Optional.empty();
        }
    }

    private void cancelQuery() {
        Connection current = session;
        if (current != null) {
            try {
                current.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException e) {
                // the session is gone already: nothing runs on it
            }
        }
    }

    private void rest() {
        restUntilNanos = System.nanoTime() + REST_AFTER_FAILURE.toNanos();
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // closing a broken session: nothing more to do
            }
            session = null;
        }
    }

    @Override
    public void close() {
        discard();
        thread.submit(this::closeSession);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(longestWait.toMillis(), TimeUnit.MILLISECONDS)) {
                // stuck in a query: a closed socket alone would leave the backend running it until it next
                // writes to the client, so the query is cancelled first
                cancelQuery();
                if (!thread.awaitTermination(longestWait.toMillis(), TimeUnit.MILLISECONDS)) {
                    thread.shutdownNow();
                    closeSession();
                }
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
