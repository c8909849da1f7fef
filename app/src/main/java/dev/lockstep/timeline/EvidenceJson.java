package dev.lockstep.timeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The stable shape of {@code evidence.json} (documented in docs/timeline-format.md, "Evidence bundle"). */
final class EvidenceJson {
    private EvidenceJson() {}

    static Map<String, Object> of(Evidence evidence) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("evidence_version", 1);
        json.put("run", evidence.runId());
        json.put("timeline_verification", evidence.timeline().toJson());
        Evidence.Runbook runbook = evidence.runbook();
        Map<String, Object> runbookJson = new LinkedHashMap<>();
        runbookJson.put("id", runbook.id());
        runbookJson.put("path", runbook.path());
        runbookJson.put("copy", runbook.source() == null ? null : "runbook/" + runbook.fileName());
        runbookJson.put("sha256", runbook.sha256());
        runbookJson.put("sha256_matches_copy", runbook.sha256Matches());
        runbookJson.put("git_commit", runbook.gitCommit());
        json.put("runbook", runbookJson);
        json.put("database", evidence.open().get("database"));
        json.put("operator", EvidenceBundle.text(evidence.open(), "operator"));
        json.put("pid", evidence.open().get("pid"));
        json.put("lockstep_version", EvidenceBundle.text(evidence.open(), "lockstep_version"));
        json.put("parameters", evidence.open().get("parameters"));
        json.put("signed", evidence.open().get("signed"));
        json.put("approvals", events(evidence.approvals()));
        json.put("steps", evidence.steps());
        json.put("breaches", events(evidence.breaches()));
        json.put("decisions", events(evidence.decisions()));
        json.put("verifications", events(evidence.verifications()));
        json.put("backup_evidence", events(evidence.backupEvidence()));
        Map<String, Object> boundary = new LinkedHashMap<>();
        boundary.put("crossed", evidence.boundary().crossed());
        boundary.put("step", evidence.boundary().step());
        boundary.put("at", evidence.boundary().at());
        json.put("rollback_boundary", boundary);
        json.put("stops", stops(evidence.stops()));
        json.put("recoveries", events(evidence.recovers()));
        json.put("notes", events(evidence.notes()));
        json.put("close", evidence.close() == null ? null : event(evidence.close()));
        return json;
    }

    /** Each clean stop the run was resumed from: when and why it stopped, when and by whom it was resumed. */
    private static List<Map<String, Object>> stops(List<Evidence.Stop> stops) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Evidence.Stop stop : stops) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("seq", stop.close().seq());
            entry.put("ts", stop.close().ts());
            entry.put("state", EvidenceBundle.text(stop.close().body(), "state"));
            entry.put("exit_code", stop.close().body().get("exit_code"));
            entry.put("reason", EvidenceBundle.text(stop.close().body(), "message"));
            Map<String, Object> resumed = new LinkedHashMap<>();
            resumed.put("seq", stop.resume().seq());
            resumed.put("ts", stop.resume().ts());
            resumed.put("by", resumedBy(stop));
            resumed.put("pid", stop.resume().body().get("pid"));
            entry.put("resumed", resumed);
            json.add(entry);
        }
        return json;
    }

    /** The operator the resume record names ({@code user@host}), else its actor. */
    static String resumedBy(Evidence.Stop stop) {
        String operator = EvidenceBundle.text(stop.resume().body(), "operator");
        return operator != null ? operator : stop.resume().actor();
    }

    private static List<Map<String, Object>> events(List<Evidence.Event> events) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Evidence.Event event : events) {
            json.add(event(event));
        }
        return json;
    }

    private static Map<String, Object> event(Evidence.Event event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seq", event.seq());
        json.put("ts", event.ts());
        json.put("type", event.type());
        json.put("actor", event.actor());
        json.put("step", event.step());
        json.put("attempt", event.attempt());
        json.put("body", event.body());
        return json;
    }
}
