package dev.lockstep.engine;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.runbook.BackfillStep.KeyType;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * How the backfill handles the keys of each {@link KeyType}. Keys travel as text (in the checkpoint) and are
 * bound with their own type so that the index on the key is used.
 */
final class BackfillKeys {

    private static final String NIL_UUID = "00000000-0000-0000-0000-000000000000";

    private BackfillKeys() {}

    /** The key type of a column whose SQL type {@code format_type} prints as {@code sqlType}. */
    static KeyType ofColumn(String sqlType, String table, String column) {
        String type = sqlType.toLowerCase(Locale.ROOT);
        if (type.equals("bigint") || type.equals("integer") || type.equals("smallint")) {
            return KeyType.INTEGER;
        }
        if (type.equals("uuid")) {
            return KeyType.UUID;
        }
        if (type.equals("text") || type.startsWith("character varying") || type.startsWith("varchar")) {
            return KeyType.TEXT;
        }
        throw new LockstepException(
                ExitCode.STEP_FAILED,
                "backfill key " + table + "." + column + " has type " + sqlType
                        + "; supported key types are bigint, integer, smallint, uuid and text");
    }

    static void bind(KeyType type, PreparedStatement statement, int index, String key) throws SQLException {
        switch (type) {
            case INTEGER -> statement.setLong(index, Long.parseLong(key));
            case UUID -> statement.setObject(index, UUID.fromString(key));
            case TEXT -> statement.setString(index, key);
        }
    }

    /**
     * A value below {@code smallest}, for the first batch's exclusive {@code :from}; empty when {@code smallest} is
     * the type's minimum (the smallest bigint, the nil UUID, the empty string), below which there is nothing.
     */
    static Optional<String> below(KeyType type, String smallest) {
        return switch (type) {
            case INTEGER -> Long.parseLong(smallest) == Long.MIN_VALUE
                    ? Optional.empty()
                    : Optional.of(BigInteger.valueOf(Long.parseLong(smallest))
                            .subtract(BigInteger.ONE)
                            .toString());
            case UUID -> smallest.equals(NIL_UUID) ? Optional.empty() : Optional.of(NIL_UUID);
            case TEXT -> smallest.isEmpty() ? Optional.empty() : Optional.of("");
        };
    }

    /** How to say which minimum the smallest key is, for a message. */
    static String minimum(KeyType type) {
        return switch (type) {
            case INTEGER -> "the smallest bigint";
            case UUID -> "the nil UUID";
            case TEXT -> "the empty string";
        };
    }
}
