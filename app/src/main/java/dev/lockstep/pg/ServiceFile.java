package dev.lockstep.pg;

import dev.lockstep.LockstepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connection service file, read as libpq's {@code parseServiceFile}: {@code [name]} sections of
 * {@code keyword=value} lines (no trimming around {@code =}), {@code #} comments, an unknown keyword or a
 * line without {@code =} inside the wanted section is an error, and a nested {@code service=} is refused.
 */
final class ServiceFile {
    private ServiceFile() {}

    /**
     * The settings of {@code service} from the user's file (PGSERVICEFILE or ~/.pg_service.conf) or, if
     * that file lacks the section, from PGSYSCONFDIR/pg_service.conf.
     */
    static Map<String, String> settingsOf(String service, PgEnvironment env) {
        String userFile = env.getenv().apply("PGSERVICEFILE");
        Path user = userFile != null ? Path.of(userFile) : env.home().resolve(".pg_service.conf");
        Optional<Map<String, String>> found = read(user, service);
        if (found.isPresent()) {
            return found.get();
        }
        String sysconf = env.getenv().apply("PGSYSCONFDIR");
        Path system = Path.of(sysconf != null ? sysconf : PgEnvironment.DEFAULT_SYSCONFDIR, "pg_service.conf");
        return read(system, service)
                .orElseThrow(() -> LockstepException.usage("definition of service \"" + service
                        + "\" not found (looked in " + user + " and " + system + ")"));
    }

    static Optional<Map<String, String>> read(Path file, String service) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw LockstepException.usage("service file \"" + file + "\" cannot be read: " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        boolean inGroup = false;
        boolean found = false;
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).stripTrailing().stripLeading();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (inGroup) {
                    break;
                }
                inGroup = line.equals("[" + service + "]");
                found |= inGroup;
                continue;
            }
            if (!inGroup) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw LockstepException.usage(
                        "syntax error in service file \"" + file + "\", line " + number + ": expected keyword=value");
            }
            String keyword = line.substring(0, equals);
            if (keyword.equals("service")) {
                throw LockstepException.usage(
                        "nested service specifications not supported in service file \"" + file + "\", line " + number);
            }
            if (!Keywords.known(keyword)) {
                throw LockstepException.usage("syntax error in service file \"" + file + "\", line " + number
                        + ": unknown keyword \"" + keyword + "\"");
            }
            // libpq keeps the first value of a keyword within the section
            settings.putIfAbsent(keyword, line.substring(equals + 1));
        }
        return found ? Optional.of(settings) : Optional.empty();
    }
}
