package dev.lockstep.engine;

import dev.lockstep.LockstepException;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The backfill key types Lockstep pages over. Keys travel as text (in the checkpoint) and are bound with
 * their own type so that the index on the key is used.
 */
public enum KeyType {
    INTEGER {
        void bind(PreparedStatement statement, int index, String key) throws SQLException {
            statement.setLong(index, Long.parseLong(key));
        }

        String before(String smallest) {
            long value = Long.parseLong(smallest);
            if (value == Long.MIN_VALUE) {
                throw new LockstepException(
                        dev.lockstep.ExitCode.STEP_FAILED,
                        "the smallest key is the smallest bigint; the backfill cannot bound its first batch below it");
            }
            return BigInteger.valueOf(value).subtract(BigInteger.ONE).toString();
        }
    },
    UUID_KEY {
        void bind(PreparedStatement statement, int index, String key) throws SQLException {
            statement.setObject(index, UUID.fromString(key));
        }

        String before(String smallest) {
            String nil = "00000000-0000-0000-0000-000000000000";
            if (smallest.equals(nil)) {
                throw new LockstepException(
                        dev.lockstep.ExitCode.STEP_FAILED,
                        "the smallest key is the nil UUID; the backfill cannot bound its first batch below it");
            }
            return nil;
        }
    },
    TEXT {
        void bind(PreparedStatement statement, int index, String key) throws SQLException {
            statement.setString(index, key);
        }

        String before(String smallest) {
            if (smallest.isEmpty()) {
                throw new LockstepException(
                        dev.lockstep.ExitCode.STEP_FAILED,
                        "the smallest key is the empty string; the backfill cannot bound its first batch below it");
            }
            return "";
        }
    };

    abstract void bind(PreparedStatement statement, int index, String key) throws SQLException;

    /** A value below every key, for the first batch's {@code :from} ({@code key > :from}). */
    abstract String before(String smallest);

    /** The key type for a column's SQL type as {@code format_type} prints it. */
    static KeyType of(String sqlType, String table, String column) {
        String type = sqlType.toLowerCase(java.util.Locale.ROOT);
        if (type.equals("bigint") || type.equals("integer") || type.equals("smallint")) {
            return INTEGER;
        }
        if (type.equals("uuid")) {
            return UUID_KEY;
        }
        if (type.equals("text") || type.startsWith("character varying") || type.startsWith("varchar")) {
            return TEXT;
        }
        throw new LockstepException(
                dev.lockstep.ExitCode.STEP_FAILED,
                "backfill key " + table + "." + column + " has type " + sqlType
                        + "; supported key types are bigint, integer, smallint, uuid and text");
    }
}
