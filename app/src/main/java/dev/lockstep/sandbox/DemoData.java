package dev.lockstep.sandbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo schema the example runbooks target: enforcement_case (200k rows, 60% OPEN), customer
 * (50k), orders (100k, with a jsonb shipping_address that is a little messy on purpose, for the
 * normalisation lab), and an empty app_error table for the custom-signal stop criterion. The content
 * is a function of the row id only, so every load is the same.
 */
public final class DemoData {
    public static final int ENFORCEMENT_CASES = 200_000;
    public static final int CUSTOMERS = 50_000;
    public static final int ORDERS = 100_000;

    private static final String SCHEMA =
            """
            CREATE TABLE enforcement_case (
                id bigint PRIMARY KEY,
                status text NOT NULL CHECK (status IN ('OPEN', 'CLOSED', 'DRAFT')),
                opened_at timestamptz NOT NULL,
                assignee text,
                summary text);
            CREATE TABLE customer (
                id bigint PRIMARY KEY,
                full_name text NOT NULL,
                email text);
            CREATE TABLE orders (
                id bigint PRIMARY KEY,
                customer_id bigint NOT NULL,
                created_at timestamptz NOT NULL,
                shipping_address jsonb);
            CREATE TABLE app_error (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                message text);
            """;

    // ids ending in 0..5 are OPEN (60%), 6..8 CLOSED, 9 DRAFT; every 5th case is unassigned,
    // assignees alternate between users and groups like the assignee-split runbooks expect.
    private static final String ENFORCEMENT_CASE_ROWS =
            """
            INSERT INTO enforcement_case (id, status, opened_at, assignee, summary)
            SELECT id,
                   CASE WHEN id % 10 < 6 THEN 'OPEN' WHEN id % 10 < 9 THEN 'CLOSED' ELSE 'DRAFT' END,
                   timestamptz '2025-01-01 00:00:00+00' + id * interval '137 seconds',
                   CASE WHEN id % 5 = 0 THEN NULL
                        WHEN id % 5 IN (1, 2) THEN 'user:' || (id * 7 % 311)
                        ELSE 'group:' || (ARRAY['fraud', 'customs', 'licensing', 'audit'])[id % 4 + 1] END,
                   (ARRAY['Late filing', 'Missing licence', 'Unpaid penalty', 'Duplicate registration',
                          'Address mismatch', 'Import declaration error'])[id % 6 + 1] || ' #' || id
            FROM generate_series(1, $ROWS) AS id
            """
                    .replace("$ROWS", Integer.toString(ENFORCEMENT_CASES));

    private static final String CUSTOMER_ROWS =
            """
            INSERT INTO customer (id, full_name, email)
            SELECT id,
                   first || ' ' || last,
                   CASE WHEN id % 17 = 0 THEN NULL ELSE lower(first || '.' || last || id || '@example.com') END
            FROM generate_series(1, $ROWS) AS id,
                 LATERAL (SELECT (ARRAY['Ada', 'Björn', 'Chloé', 'Dmitri', 'Eun-ji', 'Farid', 'Grace',
                                        'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena'])[id % 12 + 1] AS first,
                                 (ARRAY['Lovelace', 'Berg', 'Dupont', 'Ivanov', 'Kim', 'Haddad', 'Hopper',
                                        'Tanaka', 'Silva', 'Weber', 'Mensah'])[id * 7 % 11 + 1] AS last) AS name
            """
                    .replace("$ROWS", Integer.toString(CUSTOMERS));

    // Every 97th order has no address, every 50th a lower-case country, every 31st no postcode.
    private static final String ORDER_ROWS =
            """
            INSERT INTO orders (id, customer_id, created_at, shipping_address)
            SELECT id,
                   id * 7919 % $CUSTOMERS + 1,
                   timestamptz '2025-06-01 00:00:00+00' + id * interval '251 seconds',
                   CASE WHEN id % 97 = 0 THEN NULL
                        ELSE jsonb_strip_nulls(jsonb_build_object(
                            'street', (id % 400 + 1) || ' ' || (ARRAY['Main Street', 'Station Road', 'Kirchgasse',
                                      'Rue de la Paix', 'Nørrebrogade'])[id % 5 + 1],
                            'city', (ARRAY['Springfield', 'Leeds', 'Wien', 'Paris', 'København'])[id % 5 + 1],
                            'postcode', CASE WHEN id % 31 = 0 THEN NULL ELSE lpad((id * 37 % 99999)::text, 5, '0') END,
                            'country', CASE WHEN id % 50 = 0 THEN lower(c) ELSE c END)) END
            FROM generate_series(1, $ROWS) AS id,
                 LATERAL (SELECT (ARRAY['US', 'GB', 'AT', 'FR', 'DK'])[id % 5 + 1] AS c) AS country
            """
                    .replace("$CUSTOMERS", Integer.toString(CUSTOMERS))
                    .replace("$ROWS", Integer.toString(ORDERS));

    /** The demo tables, by the names the example runbooks use. */
    public static final List<String> TABLES = List.of("enforcement_case", "customer", "orders", "app_error");

    private static final Pattern TABLE_NAMES =
            Pattern.compile("\\b(" + String.join("|", TABLES) + ")\\b", Pattern.CASE_INSENSITIVE);

    private DemoData() {}

    /**
     * The demo tables that {@code runbookText} names and this database lacks, when it is a Lockstep sandbox's
     * primary (it has the standby's slot); empty on any other database, where the demo tables mean nothing.
     */
    public static List<String> missingFromSandbox(Connection connection, String runbookText) throws SQLException {
        Set<String> named = new TreeSet<>();
        Matcher names = TABLE_NAMES.matcher(runbookText);
        while (names.find()) {
            named.add(names.group(1).toLowerCase(Locale.ROOT));
        }
        if (named.isEmpty() || !isSandboxPrimary(connection)) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        try (PreparedStatement exists = connection.prepareStatement("select to_regclass(?) is not null")) {
            for (String table : named) {
                exists.setString(1, "public." + table);
                try (ResultSet rows = exists.executeQuery()) {
                    rows.next();
                    if (!rows.getBoolean(1)) {
                        missing.add(table);
                    }
                }
            }
        }
        return missing;
    }

    private static boolean isSandboxPrimary(Connection connection) throws SQLException {
        try (PreparedStatement slot =
                connection.prepareStatement("select exists (select 1 from pg_replication_slots where slot_name = ?)")) {
            slot.setString(1, Sandbox.SLOT_NAME);
            try (ResultSet rows = slot.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    /** Whether the demo tables are there already (a reused sandbox). */
    public static boolean isLoaded(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select to_regclass('public.enforcement_case') is not null")) {
            rows.next();
            return rows.getBoolean(1);
        }
    }

    /** Creates and fills the demo tables in one transaction, then analyzes them. */
    public static void load(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute(SCHEMA);
            statement.execute(ENFORCEMENT_CASE_ROWS);
            statement.execute(CUSTOMER_ROWS);
            statement.execute(ORDER_ROWS);
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("ANALYZE enforcement_case, customer, orders, app_error");
        }
    }
}
