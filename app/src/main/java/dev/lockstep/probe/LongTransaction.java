package dev.lockstep.probe;

/** A client session idle in a transaction, or in one older than the long-transaction threshold. */
public record LongTransaction(
        int pid,
        String user,
        String application,
        String clientAddr,
        String state,
        double xactAgeSeconds,
        Double stateAgeSeconds,
        Long xminAgeXids,
        String query) {}
