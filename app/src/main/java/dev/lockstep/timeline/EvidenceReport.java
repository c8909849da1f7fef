package dev.lockstep.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The readable forms of the evidence: Markdown, and one self-contained HTML page with inline SVG charts. */
final class EvidenceReport {
    private EvidenceReport() {}

    static String markdown(Evidence evidence) {
        StringBuilder md = new StringBuilder();
        JsonNode open = evidence.open();
        md.append("# Evidence: run ").append(evidence.runId()).append("\n\n");
        md.append("**Timeline verification:** ")
                .append(evidence.timeline().summary())
                .append("\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "Runbook", evidence.runbook().id() + " (" + evidence.runbook().path() + ")");
        row(md, "Runbook SHA-256", evidence.runbook().sha256() + " — " + runbookCheck(evidence.runbook()));
        row(md, "Git commit", orNone(evidence.runbook().gitCommit(), "not in a git repository"));
        row(md, "Database", database(open.get("database")));
        row(md, "Operator", EvidenceBundle.text(open, "operator"));
        row(md, "Lockstep", EvidenceBundle.text(open, "lockstep_version"));
        row(
                md,
                "Signed",
                open.path("signed").asBoolean(false)
                        ? "yes, operator key " + open.path("operator_key").asText()
                        : "NO (--unsigned)");
        row(md, "Backup evidence", backupEvidence(evidence.backupEvidence()));
        row(md, "Rollback boundary", boundary(evidence.boundary()));
        row(
                md,
                "Outcome",
                evidence.close() == null
                        ? evidence.stops().isEmpty() ? "no close record" : "no close record since the last resume"
                        : "state " + EvidenceBundle.text(evidence.close().body(), "state") + ", exit code "
                                + EvidenceBundle.text(evidence.close().body(), "exit_code"));
        row(md, "Stopped and resumed", stopsSummary(evidence));
        row(md, "Reopened after a crash", crashesSummary(evidence));
        if (!evidence.stops().isEmpty()) {
            md.append(
                    "\n## Stops and resumes\n\n| stopped (seq) | at | state | exit code | why | resumed (seq) | at | by |"
                            + " pid |\n|---|---|---|---|---|---|---|---|---|\n");
            for (Evidence.Stop stop : evidence.stops()) {
                JsonNode close = stop.close().body();
                md.append("| ")
                        .append(stop.close().seq())
                        .append(" | ")
                        .append(cell(stop.close().ts()))
                        .append(" | ")
                        .append(cell(EvidenceBundle.text(close, "state")))
                        .append(" | ")
                        .append(cell(EvidenceBundle.text(close, "exit_code")))
                        .append(" | ")
                        .append(cell(EvidenceBundle.text(close, "message")))
                        .append(" | ")
                        .append(stop.resume().seq())
                        .append(" | ")
                        .append(cell(stop.resume().ts()))
                        .append(" | ")
                        .append(cell(EvidenceJson.resumedBy(stop)))
                        .append(" | ")
                        .append(cell(EvidenceBundle.text(stop.resume().body(), "pid")))
                        .append(" |\n");
            }
        }
        md.append("\n## Approvals\n\n");
        eventTable(md, evidence.approvals(), "by", "how", "reason");
        md.append(
                "\n## Steps\n\n| step | attempt | started | ended | result | rows | duration ms | sqlstate | message |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Evidence.StepRun step : evidence.steps()) {
            md.append("| ")
                    .append(cell(step.step()))
                    .append(step.boundary() ? " (boundary)" : "")
                    .append(" | ")
                    .append(cell(step.attempt()))
                    .append(" | ")
                    .append(cell(step.startedAt()))
                    .append(" | ")
                    .append(cell(step.endedAt()))
                    .append(" | ")
                    .append(cell(step.result()))
                    .append(" | ")
                    .append(cell(step.rows()))
                    .append(" | ")
                    .append(cell(step.durationMs()))
                    .append(" | ")
                    .append(cell(step.sqlstate()))
                    .append(" | ")
                    .append(cell(step.message()))
                    .append(" |\n");
        }
        md.append("\n## Stop-criterion breaches and what was done\n\n");
        eventTable(md, evidence.breaches(), "criterion", "signal", "value", "threshold", "action");
        md.append("\n## Decisions\n\n");
        eventTable(md, evidence.decisions(), "what", "by", "reason");
        md.append("\n## Verification results\n\n");
        eventTable(md, evidence.verifications(), "sql", "expected", "actual", "ok");
        if (!evidence.recovers().isEmpty()) {
            md.append("\n## Recoveries after an unclean end\n\n");
            eventTable(md, evidence.recovers(), "prior_last_seq", "steps_in_doubt");
        }
        md.append(
                "\n## Charts\n\nSee report.html: lock waits, replication lag and backfill throughput over the whole run ("
                        + evidence.lockWaitSeconds().size() + ", "
                        + evidence.replicationLagSeconds().size() + " and "
                        + evidence.backfillRowsPerSecond().size() + " points).\n");
        return md.toString();
    }

    static String html(Evidence evidence) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evidence: run ")
                .append(escape(evidence.runId()))
                .append(
                        "</title>\n<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}"
                                + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}"
                                + "th{background:#f3f3f3}.ok{color:#176117}.bad{color:#a30d0d;font-weight:bold}.warn{color:#8a5a00}"
                                + "svg{border:1px solid #ddd;margin:.3em 1em .3em 0;background:#fff}pre{background:#f7f7f7;padding:1em;overflow:auto}</style></head><body>\n");
        html.append("<h1>Evidence: run ").append(escape(evidence.runId())).append("</h1>\n");
        Verdict verdict = evidence.timeline().verdict();
        String css = verdict == Verdict.COMPLETE && evidence.timeline().signaturesChecked()
                ? "ok"
                : verdict == Verdict.TAMPERED ? "bad" : "warn";
        html.append("<p class=\"")
                .append(css)
                .append("\">Timeline verification: ")
                .append(escape(evidence.timeline().summary()))
                .append("</p>\n");
        html.append("<pre>")
                .append(escape(markdownTablesOnly(markdown(evidence))))
                .append("</pre>\n");
        html.append("<h2>Over the run</h2>\n");
        html.append(SvgChart.render("Lock wait (s)", evidence.lockWaitSeconds(), evidence));
        html.append(SvgChart.render("Replication lag (s)", evidence.replicationLagSeconds(), evidence));
        html.append(SvgChart.render("Backfill throughput (rows/s)", evidence.backfillRowsPerSecond(), evidence));
        html.append("\n<h2>Runbook</h2>\n<p>")
                .append(escape(runbookCheck(evidence.runbook())))
                .append("</p>\n");
        if (evidence.runbook().source() != null) {
            html.append("<pre>").append(escape(evidence.runbook().source())).append("</pre>\n");
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    /** The Markdown report minus its title and verdict line, which the HTML shows itself. */
    private static String markdownTablesOnly(String markdown) {
        int start = markdown.indexOf("| |");
        int end = markdown.indexOf("\n## Charts");
        return markdown.substring(start < 0 ? 0 : start, end < 0 ? markdown.length() : end);
    }

    private static void eventTable(StringBuilder md, List<Evidence.Event> events, String... fields) {
        if (events.isEmpty()) {
            md.append("none\n");
            return;
        }
        md.append("| seq | time | actor | step | type |");
        for (String field : fields) {
            md.append(' ').append(field).append(" |");
        }
        md.append("\n|---|---|---|---|---|")
                .append("---|".repeat(fields.length))
                .append('\n');
        for (Evidence.Event event : events) {
            md.append("| ")
                    .append(event.seq())
                    .append(" | ")
                    .append(cell(event.ts()))
                    .append(" | ")
                    .append(cell(event.actor()))
                    .append(" | ")
                    .append(cell(event.step()))
                    .append(" | ")
                    .append(event.type())
                    .append(" |");
            for (String field : fields) {
                JsonNode value = event.body().get(field);
                md.append(' ')
                        .append(cell(
                                value == null || value.isNull()
                                        ? null
                                        : value.isTextual() ? value.textValue() : value.toString()))
                        .append(" |");
            }
            md.append('\n');
        }
    }

    private static String stopsSummary(Evidence evidence) {
        int count = evidence.stops().size();
        if (count == 0) {
            return "never";
        }
        return (count == 1 ? "once" : count + " times") + " (see Stops and resumes; the charts shade the stopped time)";
    }

    private static String crashesSummary(Evidence evidence) {
        int count = evidence.crashes().size();
        if (count == 0) {
            return "never";
        }
        return (count == 1 ? "once" : count + " times")
                + " (see Recoveries after an unclean end; steps it interrupted are in doubt; the charts shade the"
                + " time from the last line the process wrote to the reopening)";
    }

    private static String runbookCheck(Evidence.Runbook runbook) {
        if (runbook.sha256Matches() == null) {
            return "no runbook source in the timeline: SHA-256 not checked";
        }
        return runbook.sha256Matches()
                ? "the copy in runbook/" + runbook.fileName() + " matches this SHA-256"
                : "MISMATCH: the runbook source in the timeline does not hash to the recorded SHA-256";
    }

    /** Each proof of a restore-tested backup: who approved it and why, or what the check found. */
    private static String backupEvidence(List<Evidence.Event> proofs) {
        if (proofs.isEmpty()) {
            return "none recorded (no step marked evidence: backup approved or verified)";
        }
        List<String> each = new ArrayList<>();
        for (Evidence.Event proof : proofs) {
            JsonNode body = proof.body();
            each.add(
                    proof.type().equals("approval")
                            ? "step " + proof.step() + " approved by " + EvidenceBundle.text(body, "by") + " at "
                                    + proof.ts() + ": " + EvidenceBundle.text(body, "reason")
                            : "step " + proof.step() + " verify "
                                    + (body.path("ok").asBoolean(false) ? "held" : "FAILED")
                                    + " at " + proof.ts() + " (expected " + EvidenceBundle.text(body, "expected")
                                    + ", actual " + EvidenceBundle.text(body, "actual") + ")");
        }
        return String.join("; ", each);
    }

    private static String boundary(Evidence.Boundary boundary) {
        return boundary.crossed()
                ? "CROSSED by step " + boundary.step() + " at " + boundary.at()
                        + ": rollback no longer possible after it"
                : "not crossed: no step marked as a rollback boundary ended ok";
    }

    private static String database(JsonNode database) {
        if (database == null || !database.isObject()) {
            return "unknown";
        }
        return String.format(
                Locale.ROOT,
                "%s on %s, system identifier %s, %s",
                database.path("database").asText("?"),
                database.path("host").asText("?"),
                database.path("system_identifier").asText("?"),
                database.path("version").asText("?"));
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(cell(value)).append(" |\n");
    }

    private static String orNone(String value, String none) {
        return value == null ? none : value;
    }

    private static String cell(Object value) {
        return value == null ? "" : value.toString().replace("|", "\\|").replace("\n", " ");
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
