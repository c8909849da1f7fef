package dev.lockstep.cli;

import java.util.concurrent.CountDownLatch;
import org.jline.utils.Signals;

/**
 * Turns SIGINT and SIGTERM into a clean return from a long-running command, so that it can stop what
 * it started and exit 0 (instead of the JVM dying with 130/143 half-way through its shutdown hooks).
 */
final class ShutdownSignal implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final CountDownLatch received = new CountDownLatch(1);
    private final Object[] previous = new Object[SIGNALS.length];
    private volatile String name;

    private ShutdownSignal() {}

    static ShutdownSignal install() {
        ShutdownSignal signal = new ShutdownSignal();
        for (int i = 0; i < SIGNALS.length; i++) {
            String sig = SIGNALS[i];
            signal.previous[i] = Signals.register(sig, () -> signal.receive(sig));
        }
        return signal;
    }

    private void receive(String signal) {
        name = signal;
        received.countDown();
    }

    boolean received() {
        return received.getCount() == 0;
    }

    /** Blocks until SIGINT or SIGTERM arrives; returns its name. */
    String await() throws InterruptedException {
        received.await();
        return "SIG" + name;
    }

    /** Blocks until SIGINT or SIGTERM arrives or {@code timeout} passes; true when a signal arrived. */
    boolean await(java.time.Duration timeout) throws InterruptedException {
        return received.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The signal's name once one arrived ({@code SIGINT}, {@code SIGTERM}), else null. */
    String name() {
        return name == null ? null : "SIG" + name;
    }

    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.length; i++) {
            Signals.unregister(SIGNALS[i], previous[i]);
        }
    }
}
