package dev.lockstep.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.lockstep.ExitCode;
import dev.lockstep.LockstepException;
import dev.lockstep.cli.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunbookLoaderTest {
    private static final String HEAD =
            """
            lockstep: 1
            id: test
            title: Test
            owner: tests
            intent: Testing.
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private List<String> problems(String body) throws IOException {
        Path file = write("rb.yaml", HEAD + body);
        return RunbookLoader.check(file).problems().stream()
                .map(problem -> problem.toString().substring(file.toString().length() + 1))
                .toList();
    }

    @Test
    void loadsTheModelWithPositionsHashAndReferences() throws IOException {
        String text = HEAD
                + """
                change: { class: R2, phase: expand }
                parameters:
                  batch_size: { type: int, default: 500 }
                  pw: { type: string, secret: true }
                stop_criteria:
                  - { id: lag, signal: replication_lag_bytes, above: 64MB, clear_below: 1MB, action: pause, auto_resume: true }
                steps:
                  - id: fill
                    kind: backfill
                    table: t
                    key: id
                    batch: { size: "${batch_size}" }
                    sql: UPDATE t SET x = '${pw}' WHERE id > :from AND id <= :to
                    verify: { sql: select count(*) from t where x is null, expect: { equals: 0 } }
                """;
        Path file = write("rb.yaml", text);

        Runbook runbook = RunbookLoader.load(file);

        assertThat(runbook.sha256()).isEqualTo(RunbookLoader.sha256(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(runbook.sourcePath()).isEqualTo(file);
        assertThat(runbook.isBound()).isFalse();
        BackfillStep fill = (BackfillStep) runbook.steps().get(0);
        assertThat(fill.batch().size()).isEqualTo(new Value.Ref<Integer>("batch_size"));
        StopCriterion lag = runbook.stopCriteria().get(0);
        assertThat(lag.threshold().value().get()).isEqualTo(64.0 * 1024 * 1024);
        assertThat(lag.unknown()).isEqualTo(UnknownPolicy.BREACH);
        assertThat(lag.autoResume()).isTrue();

        Runbook bound = runbook.bind(Map.of("pw", "hunter2"));

        BackfillStep boundFill = (BackfillStep) bound.steps().get(0);
        assertThat(boundFill.batch().size().get()).isEqualTo(500);
        assertThat(boundFill.sql()).contains("'hunter2'");
        assertThat(bound.bindings().redact(boundFill.sql()))
                .doesNotContain("hunter2")
                .contains("****");
        assertThat(bound.bindings().toString()).doesNotContain("hunter2");
        assertThat(bound.toString()).doesNotContain("hunter2");
    }

    @Test
    void bindingReportsMissingMistypedAndUnknownParametersWithoutShowingSecrets() throws IOException {
        Path file = write(
                "rb.yaml",
                HEAD
                        + """
                change: { class: R1, phase: expand }
                parameters:
                  size: { type: int }
                  pause: { type: duration, default: 1s }
                  token: { type: int, secret: true }
                steps:
                  - { id: n, kind: note, text: hi }
                """);
        Runbook runbook = RunbookLoader.load(file);

        assertThatThrownBy(() -> runbook.bind(Map.of("pause", "soon", "token", "s3cret", "sise", "1")))
                .isInstanceOfSatisfying(InvalidRunbookException.class, invalid -> {
                    assertThat(invalid.exitCode()).isEqualTo(ExitCode.INVALID_RUNBOOK);
                    assertThat(invalid.problems().stream().map(Problem::message))
                            .containsExactlyInAnyOrder(
                                    "--param sise: the runbook declares no parameter 'sise' (did you mean 'size'?)",
                                    "parameter 'size' is required: give --param size=VALUE",
                                    "--param pause=soon: expected a duration like 200ms, 3s, 1m30s or 2h, got 'soon' (parameter type duration)",
                                    "--param token=****: not a valid int (parameter type int)");
                    assertThat(invalid.problems().toString()).doesNotContain("s3cret");
                });
    }

    @Test
    void unknownKeySuggestsTheClosestOne() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                ownr: x
                steps: [ { id: n, kind: note, text: hi } ]
                """))
                .containsExactly("7:1: unknown key 'ownr' in the runbook (did you mean 'owner'?)");
    }

    @Test
    void keyOfAnotherStepKindSaysWhereItBelongs() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                steps:
                  - { id: n, kind: note, text: hi, expect: { equals: 1 } }
                """))
                .containsExactly(
                        "8:36: key 'expect' does not apply to a note step (step 'n'); it belongs to check, wait steps");
    }

    @Test
    void everyDuplicateKeyIsReported() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                title: again
                steps: [ { id: n, kind: note, text: hi, text: ho } ]
                """))
                .containsExactly(
                        "7:1: duplicate key 'title' (first at line 3)", "8:41: duplicate key 'text' (first at line 8)");
    }

    @Test
    void onFailureMustNameARecoveryStep() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                steps:
                  - { id: a, kind: check, sql: select 1, expect: { equals: 1 }, on_failure: { rollback: b } }
                  - { id: b, kind: note, text: hi }
                """))
                .containsExactly(
                        "8:77: on_failure rollback names 'b', a main-flow step: recovery paths are steps under recovery");
    }

    @Test
    void parameterInNumericFieldMustBeDeclaredAndFit() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                parameters: { wait_for: { type: duration, default: 1s } }
                stop_criteria:
                  - { id: a, signal: errors, above: "${wait_for}", action: pause }
                  - { id: b, signal: errors, above: "${nope}", action: pause }
                steps: [ { id: n, kind: note, text: "${wait_for}" } ]
                """))
                .containsExactly(
                        "9:37: parameter 'wait_for' is of type duration, but above needs a number",
                        "10:37: parameter 'nope' is used in 'above' but not declared under parameters",
                        "11:37: text: parameters are substituted only in SQL and in numeric or duration fields");
    }

    @Test
    void dmlBehindWithNeedsVerifyButSelectForUpdateIsNotDml() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: migrate }
                steps:
                  - { id: a, kind: sql, sql: "WITH x AS (SELECT id FROM t FOR UPDATE) SELECT count(*) FROM x" }
                  - { id: b, kind: sql, sql: "WITH x AS (DELETE FROM t RETURNING id) SELECT count(*) FROM x" }
                  - { id: c, kind: sql, sql: "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DO NOTHING", expect_rows: { max: 10 } }
                """))
                .containsExactly(
                        "9:30: step 'b' changes data (INSERT/UPDATE/DELETE/MERGE) without verify or expect_rows: add a post-check or a row bound");
    }

    @Test
    void destructiveStepOfR5NeedsAnApprovalBeforeIt() throws IOException {
        String steps =
                """
                steps:
                  - { id: a, kind: sql, sql: "ALTER TABLE t ALTER COLUMN c DROP NOT NULL" }
                  - { id: ok, kind: approval, prompt: "sure?", confirm: typed, evidence: backup }
                  - { id: b, kind: sql, sql: "TRUNCATE t" }
                """;
        assertThat(problems("change: { class: R5, phase: migrate }\n" + steps)).isEmpty();
        assertThat(problems("change: { class: R5, phase: migrate }\n"
                        + steps.replace(
                                "kind: approval, prompt: \"sure?\", confirm: typed, evidence: backup",
                                "kind: note, text: sure")))
                .containsExactly(
                        "10:30: class R5 runbook: step 'b' runs TRUNCATE t with no approval step before it: add a kind: approval step first");
    }

    @Test
    void r4NeedsBackupEvidenceAndATypedConfirmationRightBeforeTheDestructiveStep() throws IOException {
        // given: backup evidence from a check, a typed approval right before the DROP
        String good =
                """
                change: { class: R4, phase: contract }
                steps:
                  - { id: backup-ok, kind: check, sql: "select 1", expect: { equals: 1 }, evidence: backup, precondition: true }
                  - { id: go, kind: approval, prompt: "drop?", confirm: typed }
                  - { id: drop, kind: sql, sql: "ALTER TABLE t DROP COLUMN c" }
                """;

        // then
        assertThat(problems(good)).isEmpty();
        assertThat(problems(good.replace(", evidence: backup", "")))
                .containsExactly(
                        "10:33: class R4 runbook: no step before 'drop' records backup evidence: mark the approval"
                                + " (whose reason names the backup and its restore test) or a check that proves it"
                                + " with evidence: backup");
        assertThat(problems(good.replace(", confirm: typed", "")))
                .containsExactly(
                        "9:5: class R4 runbook: approval 'go' right before 'drop' (ALTER TABLE t) needs confirm:"
                                + " typed (the operator types the runbook id)");
        assertThat(problems(good.replace("  - { id: drop,", "  - { id: note, kind: note, text: hi }\n  - { id: drop,")))
                .containsExactly(
                        "11:11: class R4 runbook: step 'drop' runs ALTER TABLE t right after 'note': put a kind:"
                                + " approval step with confirm: typed directly before it");
        assertThat(problems(good.replace("evidence: backup", "evidence: backups")))
                .anySatisfy(problem -> assertThat(problem)
                        .contains("evidence: expected one of backup, got 'backups' (did you mean 'backup'?)"));
        assertThat(problems(good.replace("kind: sql, sql:", "kind: sql, evidence: backup, sql:")))
                .anySatisfy(problem -> assertThat(problem).contains("evidence"));
    }

    @Test
    void r4WithoutAnyApprovalIsReportedAtTheClass() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R4, phase: migrate }
                steps: [ { id: n, kind: note, text: hi } ]
                """))
                .containsExactly("6:18: class R4 needs an approval step in the main flow (kind: approval)");
    }

    @Test
    void contractPhaseMayNotAddColumnsButRecoveryMayDrop() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: contract }
                steps:
                  - { id: old-gone, kind: check, sql: "select 0", expect: { equals: 0 }, precondition: true }
                  - { id: a, kind: sql, sql: "-- DROP TABLE x\\nALTER TABLE t ADD COLUMN c int" }
                recovery:
                  - { id: r, kind: sql, sql: "DROP TABLE IF EXISTS t" }
                """))
                .containsExactly(
                        "9:30: step 'a' is contract-phase but runs ALTER TABLE t ADD, expand work: move it to an expand-phase runbook");
    }

    @Test
    void checksOnlyRead() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                steps: [ { id: a, kind: check, sql: "delete from t", expect: { equals: 0 } } ]
                """))
                .containsExactly(
                        "7:37: a check only reads, but step 'a' runs delete from t: move changes to a sql step");
    }

    @Test
    void thresholdsAndHysteresisAreChecked() throws IOException {
        assertThat(
                        problems(
                                """
                change: { class: R1, phase: expand }
                stop_criteria:
                  - { id: a, signal: window_remaining, below: 10m, clear_above: 5m, action: abort, auto_resume: true }
                  - { id: b, signal: lock_wait_seconds, above: 5, below: 1, action: pause }
                steps: [ { id: n, kind: note, text: hi } ]
                """))
                .containsExactly(
                        "8:65: clear_above 300 is on the breached side of below 600: the breach could never clear",
                        "8:84: auto_resume applies to action pause only (stop criterion 'a' has action abort)",
                        "9:5: stop criterion 'b' needs exactly one of above or below");
    }

    @Test
    void wrongFormatVersionAndWrongShapes() throws IOException {
        Path file = write(
                "rb.yaml",
                """
                lockstep: 2
                id: x y
                title: [a]
                owner: o
                intent: i
                change: R1
                steps: { id: a }
                """);

        assertThat(RunbookLoader.check(file).problems().stream().map(Problem::message))
                .containsExactly(
                        "unsupported format version 2: this Lockstep reads 'lockstep: 1'",
                        "id 'x y' may hold only letters, digits, '.', '_' and '-' (at most 100, starting with a letter or digit)",
                        "title: expected text, got a list",
                        "change: expected a mapping of keys, got 'R1'",
                        "steps: expected a list (items start with '- '), got a mapping");
    }

    @Test
    void missingFileIsAUsageErrorWithOneLine() {
        CliRun run = CliRun.of("validate", dir.resolve("nope.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err().strip()).isEqualTo("lockstep: " + dir.resolve("nope.yaml") + ": no such file");
        assertThatThrownBy(() -> RunbookLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOfSatisfying(LockstepException.class, error -> assertThat(error.exitCode())
                        .isEqualTo(ExitCode.USAGE));
    }

    @Test
    void directoryIsAUsageError() {
        CliRun run = CliRun.of("validate", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err().strip()).isEqualTo("lockstep: " + dir + ": is a directory, not a runbook file");
    }

    @Test
    void unreadableFileIsAUsageError() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads files whatever their mode");
        Path file = write("secret.yaml", HEAD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err().strip()).isEqualTo("lockstep: " + file + ": permission denied");
    }

    @Test
    void validateListsEveryFileAndExitsThreeWhenAnyIsInvalid() throws IOException {
        Path good = write(
                "good.yaml",
                HEAD + "change: { class: R0, phase: expand }\nsteps: [ { id: n, kind: note, text: hi } ]\n");
        Path bad = write(
                "bad.yaml",
                HEAD + "change: { class: R9, phase: expand }\nsteps: [ { id: n, kind: note, text: hi } ]\n");

        CliRun run = CliRun.of(
                "validate",
                good.toString(),
                bad.toString(),
                dir.resolve("missing.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_RUNBOOK.code());
        assertThat(run.out()).isEqualTo(good + ": ok\n");
        assertThat(run.err().lines())
                .containsExactly(
                        bad + ":6:18: class: expected one of R0, R1, R2, R3, R4, R5, got 'R9' (did you mean 'R0'?)",
                        "lockstep: " + dir.resolve("missing.yaml") + ": no such file");
    }

    @Test
    void notUtf8IsRefused() throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'i', 'd', ':', ' ', (byte) 0xE9, '\n'});

        assertThat(RunbookLoader.check(file).problems())
                .extracting(Problem::message)
                .containsExactly("not UTF-8 text: a runbook is a UTF-8 YAML file");
    }

    @Test
    void hugeFileIsRefusedUnread() throws IOException {
        Path file = dir.resolve("huge.yaml");
        Files.writeString(file, "# " + "x".repeat((int) RunbookLoader.MAX_FILE_BYTES) + "\n");

        assertThat(RunbookLoader.check(file).problems())
                .extracting(Problem::message)
                .singleElement()
                .asString()
                .startsWith("file is too large: ");
    }

    @Test
    void hugeScalarIsRefused() throws IOException {
        Path file = write("scalar.yaml", "lockstep: 1\nintent: " + "x".repeat(200_000) + "\n");

        assertThat(RunbookLoader.check(file).problems())
                .extracting(Problem::toString)
                .containsExactly(file + ":2:9: refused: a value of 200000 characters (at most 65536)");
    }

    @Test
    void tooManyAliasesAreRefused() throws IOException {
        StringBuilder text = new StringBuilder("a: &a [x]\nb: [");
        text.append("*a, ".repeat(150)).append("*a]\n");
        Path file = write("aliases.yaml", text.toString());

        assertThat(RunbookLoader.check(file).problems())
                .extracting(Problem::message)
                .containsExactly("refused: more than 100 aliases (an alias bomb?)");
    }

    @Test
    void aFewAliasesAreFine() throws IOException {
        Path file = write(
                "alias.yaml",
                HEAD
                        + """
                change: { class: R1, phase: expand }
                steps:
                  - { id: a, kind: sql, sql: "CREATE TABLE a (id int)", retry: &retry { attempts: 5, backoff: 2s..10s } }
                  - { id: b, kind: sql, sql: "CREATE TABLE b (id int)", retry: *retry }
                """);

        SqlStep second = (SqlStep) RunbookLoader.load(file).steps().get(1);

        assertThat(second.execution().retry().attempts().get()).isEqualTo(5);
        assertThat(second.execution().retry().backoffMax()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void secondDocumentIsRefused() throws IOException {
        assertThat(
                        problems(
                                "change: { class: R1, phase: expand }\nsteps: [ { id: n, kind: note, text: hi } ]\n---\nid: other\n"))
                .containsExactly(
                        "9:1: a runbook file holds one YAML document; remove this second document (after '---')");
    }
}
