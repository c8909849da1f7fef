package dev.lockstep.criteria;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runbook's custom SQL signals ({@code signal: {sql: ...}}), read over a monitoring session handed in
 * for each sample: during a run, the probe's session on the primary (the engine hands it in), so the
 * custom signals cost no session of their own.
 *
 * <p>Each query runs in its own read-only transaction under a statement and lock timeout, and is rolled back, so
 * a signal can change nothing and a slow or blocked one costs one timeout, not the sampler. The query must return
 * exactly one row with one numeric (or boolean, read as 1 / 0) column; anything else, a failure or a timeout is an
 * unknown reading with the reason.
 *
 * <p>The session is left as it was found (autocommit, no open transaction).
 */
public final class CustomSqlSignals {

    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMillis(200);

    private static final String EXPECTED = "a signal query must return exactly one row with one number";

    private final List<SignalRef.Sql> signals;
    private final Set<String> keys;
    private final MonitoringQueries queries;

    public CustomSqlSignals(List<SignalRef.Sql> signals) {
        this(signals, DEFAULT_STATEMENT_TIMEOUT, DEFAULT_LOCK_TIMEOUT);
    }

    public CustomSqlSignals(List<SignalRef.Sql> signals, Duration statementTimeout, Duration lockTimeout) {
        this.signals = List.copyOf(signals);
        Set<String> signalKeys = new LinkedHashSet<>();
        for (SignalRef.Sql signal : this.signals) {
            signalKeys.add(signal.key());
        }
        this.keys = Set.copyOf(signalKeys);
        this.queries = new MonitoringQueries(statementTimeout, lockTimeout);
    }

    /** The keys of the signals ({@code sql:NAME}). */
    public Set<String> signals() {
        return keys;
    }

    public boolean isEmpty() {
        return signals.isEmpty();
    }

    /** One reading per signal, each query in its own read-only transaction on {@code monitoring}; never throws. */
    public Map<String, SignalReading> read(Connection monitoring) {
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        for (SignalRef.Sql signal : signals) {
            readings.put(signal.key(), read(monitoring, signal));
        }
        return readings;
    }

    /** Every signal unknown for the same reason (the session is down). */
    public Map<String, SignalReading> unknown(String reason) {
        Map<String, SignalReading> readings = new LinkedHashMap<>();
        for (SignalRef.Sql signal : signals) {
            readings.put(signal.key(), SignalReading.unknown(reason));
        }
        return readings;
    }

    private SignalReading read(Connection monitoring, SignalRef.Sql signal) {
        try {
            return queries.inReadOnlyTransaction(monitoring, connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery(signal.sql())) {
                    return single(result);
                }
            });
        } catch (SQLException failure) {
            return SignalReading.unknown(queries.reasonFor(monitoring, failure));
        } catch (RuntimeException driverFailure) {
            return SignalReading.unknown("query failed: " + driverFailure);
        }
    }

    private static SignalReading single(ResultSet result) throws SQLException {
        int columns = result.getMetaData().getColumnCount();
        if (columns != 1) {
            return SignalReading.unknown("the query returned " + columns + " columns; " + EXPECTED);
        }
        if (!result.next()) {
            return SignalReading.unknown("the query returned no row; " + EXPECTED);
        }
        Object value = result.getObject(1);
        String type = result.getMetaData().getColumnTypeName(1);
        if (result.next()) {
            return SignalReading.unknown("the query returned more than one row; " + EXPECTED);
        }
        if (value == null) {
            return SignalReading.unknown("the query returned NULL; " + EXPECTED);
        }
        if (value instanceof Number number) {
            return SignalReading.of(number.doubleValue());
        }
        if (value instanceof Boolean flag) {
            return SignalReading.of(flag ? 1 : 0);
        }
        return SignalReading.unknown("the query returned a value of type " + type + "; " + EXPECTED);
    }
}
