package dev.lockstep.runbook.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * psql is the reference: each script of the corpus (src/test/resources/dev/lockstep/runbook/sql/psql) runs
 * through psql against the sandbox primary, psql's log file ({@code -L}) records every query it sends
 * between its QUERY markers, and the lexer must find exactly those statements. Every script runs to its end
 * ({@code ON_ERROR_STOP}), so a statement psql cut wrongly would fail the script as well.
 *
 * <p>Two differences are normalised, both deliberate: psql drops whitespace and line comments before a
 * statement (Lockstep keeps them in the text it sends) and sends a terminating semicolon and statements
 * made of comments alone (Lockstep sends neither). One difference is left out of the corpus: psql reads a
 * script line by line, so it cannot see a string continue on the next line; the server does, and so does
 * the lexer ({@link SqlLexerTest.ContinuedStrings}).
 */
@ExtendWith(SandboxExtension.class)
class SqlLexerPsqlTest {

    private static final Pattern QUERY = Pattern.compile("\\*{9} QUERY \\*{10}\n(.*?)\n\\*{26}\n\n", Pattern.DOTALL);
    /** Block comments (not nested: the corpus has none of those alone), perhaps a semicolon, nothing else. */
    private static final Pattern COMMENTS_ONLY =
            Pattern.compile("\\s*(/\\*((?!\\*/).)*\\*/\\s*)*;?\\s*", Pattern.DOTALL);

    private static Path psql;
    private static int psqlMajor;
    private static Sandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPsql(Sandbox running) throws IOException, InterruptedException {
        psql = onPath("psql").orElse(null);
        psqlMajor = psql == null ? 0 : majorVersion(psql);
        sandbox = running;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "escape-strings.sql",
                "standard-strings.sql",
                "standard-conforming-strings-off.sql",
                "dollar-quotes.sql",
                "comments.sql",
                "quoted-identifiers.sql",
                "parentheses-and-atomic-bodies.sql",
                "runbook-step.sql"
            })
    void splitsAScriptIntoTheStatementsPsqlSends(String name) throws Exception {
        assumeTrue(
                psql != null,
                "psql is not on PATH: comparing with the statements psql sends needs it"
                        + " (.ci/run installs postgresql-client)");
        if (name.equals("parentheses-and-atomic-bodies.sql")) {
            assumeTrue(psqlMajor >= 14, "psql " + psqlMajor + " predates BEGIN ATOMIC bodies (PostgreSQL 14)");
        }
        // given
        Path script = corpus(name);

        // when
        List<String> sentByPsql = statementsSentByPsql(script);
        List<String> lexed = SqlLexer.statements(Files.readString(script)).stream()
                .map(statement -> withoutLeadingLineComments(statement.text()))
                .toList();

        // then
        assertThat(sentByPsql).as("psql sent several statements").hasSizeGreaterThan(2);
        assertThat(lexed).as(name).containsExactlyElementsOf(sentByPsql);
    }

    /** What psql sent, in order, without the semicolon, and without the statements of comments alone. */
    private List<String> statementsSentByPsql(Path script) throws IOException, InterruptedException {
        Path log = dir.resolve("psql.log");
        Path errors = dir.resolve("psql.err");
        ProcessBuilder builder = new ProcessBuilder(
                        psql.toString(),
                        "--no-psqlrc",
                        "--quiet",
                        "--set=ON_ERROR_STOP=1",
                        "--log-file=" + log,
                        "--output=/dev/null",
                        "--file=" + script,
                        sandbox.primaryUri())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(errors.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("PG") || key.startsWith("LC_") || key.equals("LANGUAGE"));
        // untranslated QUERY markers; the script's bytes are UTF-8
        environment.put("LC_ALL", "C");
        environment.put("PGCLIENTENCODING", "UTF8");
        environment.put("PGCONNECT_TIMEOUT", "10");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("psql ended").isTrue();
        assertThat(process.exitValue())
                .as("psql ran %s to its end: %s", script.getFileName(), Files.readString(errors))
                .isZero();

        List<String> statements = new ArrayList<>();
        Matcher query = QUERY.matcher(Files.readString(log, StandardCharsets.UTF_8));
        while (query.find()) {
            String sent = query.group(1).strip();
            if (!COMMENTS_ONLY.matcher(sent).matches()) {
                statements.add(
                        sent.endsWith(";")
                                ? sent.substring(0, sent.length() - 1).strip()
                                : sent);
            }
        }
        return statements;
    }

    /** psql starts a statement at its first token or block comment. */
    private static String withoutLeadingLineComments(String text) {
        String rest = text.strip();
        while (rest.startsWith("--")) {
            int newline = rest.indexOf('\n');
            rest = newline < 0 ? "" : rest.substring(newline + 1).strip();
        }
        return rest;
    }

    private static Path corpus(String name) throws URISyntaxException {
        var resource = SqlLexerPsqlTest.class.getResource("psql/" + name);
        assertThat(resource).as("corpus script " + name).isNotNull();
        return Path.of(resource.toURI());
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** "psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" is 15. */
    private static int majorVersion(Path program) throws IOException, InterruptedException {
        Process version = new ProcessBuilder(program.toString(), "--version")
                .redirectErrorStream(true)
                .start();
        String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(version.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Matcher major = Pattern.compile("(\\d+)[.\\d]*").matcher(output);
        assertThat(major.find()).as("a version in: " + output).isTrue();
        return Integer.parseInt(major.group(1));
    }
}
