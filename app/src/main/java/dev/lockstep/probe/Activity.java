package dev.lockstep.probe;

import java.util.List;

/** Sessions, long and idle-in-transaction transactions, and prepared transactions. */
public record Activity(
        SessionSummary summary,
        List<LongTransaction> longTransactions,
        List<PreparedTransaction> preparedTransactions) {

    public Activity {
        longTransactions = List.copyOf(longTransactions);
        preparedTransactions = preparedTransactions == null ? null : List.copyOf(preparedTransactions);
    }
}
