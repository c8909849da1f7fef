package dev.lockstep.pg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The password file ({@code ~/.pgpass}, PGPASSFILE, {@code passfile=}) read as libpq's
 * {@code passwordFromFile} does: {@code hostname:port:database:username:password}, {@code *} matching
 * any value, {@code \:} and {@code \\} escapes, first matching line wins, lines starting with {@code #}
 * skipped, and the whole file ignored with a warning when it is not a plain file or when group or others
 * have any access.
 */
final class PgPassFile {
    /** Socket directories that libpq treats as "localhost" when matching (upstream and Debian defaults). */
    private static final Set<String> DEFAULT_SOCKET_DIRS = Set.of("/tmp", "/var/run/postgresql", "/run/postgresql");

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private PgPassFile() {}

    static Optional<Secret> lookup(Path file, HostPort address, String database, String user, PgEnvironment env) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            env.warnings().accept("password file \"" + file + "\" is not a plain file; ignored");
            return Optional.empty();
        }
        List<String> lines;
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                env.warnings()
                        .accept("password file \"" + file
                                + "\" has group or world access; permissions should be u=rw (0600) or less; ignored");
                return Optional.empty();
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        } catch (IOException e) {
            env.warnings()
                    .accept("password file \"" + file + "\" cannot be read ("
                            + e.getClass().getSimpleName() + "); ignored");
            return Optional.empty();
        }
        String host = matchHost(address.host());
        String port = Integer.toString(address.port());
        for (String raw : lines) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Cursor cursor = new Cursor(line);
            if (cursor.matchesField(host)
                    && cursor.matchesField(port)
                    && cursor.matchesField(database)
                    && cursor.matchesField(user)) {
                return Optional.of(Secret.of(cursor.password()));
            }
        }
        return Optional.empty();
    }

    /** libpq matches a default Unix socket directory against "localhost" in the file. */
    static String matchHost(String host) {
        return DEFAULT_SOCKET_DIRS.contains(host) ? "localhost" : host;
    }

    /** Walks one line field by field, as libpq's pwdfMatchesString does. */
    private static final class Cursor {
        private final String line;
        private int position;

        Cursor(String line) {
            this.line = line;
        }

        boolean matchesField(String wanted) {
            if (position >= line.length()) {
                return false;
            }
            // a lone '*' matches anything
            if (line.charAt(position) == '*' && position + 1 < line.length() && line.charAt(position + 1) == ':') {
                position += 2;
                return true;
            }
            int index = 0;
            while (position < line.length()) {
                char c = line.charAt(position);
                if (c == ':') {
                    position++;
                    return index == wanted.length();
                }
                if (c == '\\' && position + 1 < line.length()) {
                    position++;
                    c = line.charAt(position);
                }
                if (index >= wanted.length() || wanted.charAt(index) != c) {
                    return false;
                }
                index++;
                position++;
            }
            // the line ended inside the field: no password follows
            return false;
        }

        String password() {
            StringBuilder password = new StringBuilder();
            while (position < line.length() && line.charAt(position) != ':') {
                char c = line.charAt(position);
                if (c == '\\' && position + 1 < line.length()) {
                    position++;
                    c = line.charAt(position);
                }
                password.append(c);
                position++;
            }
            return password.toString();
        }
    }
}
