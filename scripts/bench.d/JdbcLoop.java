import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * The minimal JDBC loop peer of scripts/bench: the backfill statement alone, one transaction per batch,
 * bounds computed by arithmetic (it only works because the keys are dense 1..ROWS, and it keeps no
 * checkpoint: a crash leaves it not knowing where it was). Prints the loop's time in milliseconds.
 * Usage: java -cp lockstep.jar:DIR JdbcLoop JDBC_URL BATCH ROWS
 */
public final class JdbcLoop {
    public static void main(String[] args) throws Exception {
        long batch = Long.parseLong(args[1]);
        long rows = Long.parseLong(args[2]);
        try (Connection connection = DriverManager.getConnection(args[0])) {
            connection.setAutoCommit(false);
            try (PreparedStatement update =
                    connection.prepareStatement("update bf set n = n + 1 where id > ? and id <= ?")) {
                long start = System.nanoTime();
                for (long from = 0; from < rows; from += batch) {
                    update.setLong(1, from);
                    update.setLong(2, from + batch);
                    update.executeUpdate();
                    connection.commit();
                }
                System.out.println((System.nanoTime() - start) / 1e6);
            }
        }
    }
}
