package dev.lockstep.timeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What verifying a timeline found. For TAMPERED, {@code line} (1-based line number in the file) and
 * {@code seq} name the first line found inconsistent and {@code reason} says why; for INCOMPLETE,
 * {@code lastSealedSeq} is the last line a valid checkpoint covers (-1 when none) and
 * {@code unsealedLines} counts the complete lines after the last checkpoint.
 *
 * @param recovers reopenings after a crash ({@code recover} records with {@code after: crash})
 * @param resumes clean stops (a close and its final checkpoint in the middle of the file) followed by a
 *     resume ({@code recover} with {@code after: close})
 * @param sessionKeys session keys certified in the file, each by the operator key and each for one session
 * @param intactLength bytes of the file up to the end of the last line that passed every check
 * @param version the file's format version (0 when no line could be read)
 */
public record VerifyResult(
        Verdict verdict,
        String runId,
        long lines,
        boolean signed,
        boolean signaturesChecked,
        String operatorFingerprint,
        long lastSealedSeq,
        long unsealedLines,
        int tornTailBytes,
        long checkpoints,
        long recovers,
        long resumes,
        long sessionKeys,
        Long line,
        Long seq,
        String reason,
        long intactLength,
        int version) {

    public int exitCode() {
        return verdict.exitCode().code();
    }

    /** One line for people: the verdict first, then what it rests on. */
    public String summary() {
        String run = runId == null ? "" : "run " + runId + ": ";
        String checked = signaturesChecked ? "" : " (signatures not checked)";
        return switch (verdict) {
            case COMPLETE -> "COMPLETE: " + run + lines + " lines" + history() + ", closed and sealed to the end by "
                    + (sessionKeys == 1 ? "a session key" : sessionKeys + " session keys")
                    + " certified by operator key " + operatorFingerprint + checked + formatOne();
            case UNSIGNED -> "UNSIGNED: " + run + lines + " lines" + history()
                    + ", closed, hash chain and Merkle roots intact, but"
                    + " written with --unsigned: nothing proves who wrote it" + formatOne();
            case INCOMPLETE -> lines == 0
                    ? "INCOMPLETE: no complete line (an empty file, or a run that died before its first line was"
                            + " complete)" + (tornTailBytes > 0 ? ", torn line of " + tornTailBytes + " bytes" : "")
                    : "INCOMPLETE: " + run + lines + " lines" + history() + ", "
                            + (lastSealedSeq < 0 ? "nothing sealed" : "last sealed seq " + lastSealedSeq)
                            + ", " + unsealedLines + " unsealed line" + (unsealedLines == 1 ? "" : "s") + " after it"
                            + (tornTailBytes > 0 ? ", torn last line of " + tornTailBytes + " bytes" : "")
                            + (signed ? "" : ", unsigned")
                            + " (crash, unresumed run or truncation; unsealed lines are not proven)" + checked;
            case TAMPERED -> "TAMPERED: " + (line == null ? "" : "line " + line + " (seq " + seq + "): ") + reason
                    + checked;
        };
    }

    /** What a version 1 file leaves open; empty for later versions. */
    private String formatOne() {
        return version == TimelineFormat.VERSION_1
                ? " (format 1: the last checkpoint's own time and actor are not sealed; format 2 seals them)"
                : "";
    }

    /** How often the run was stopped and resumed, and reopened after a crash; empty when never. */
    private String history() {
        String story = "";
        if (resumes > 0) {
            story += ", stopped and resumed " + (resumes == 1 ? "once" : resumes + " times");
        }
        if (recovers > 0) {
            story += ", reopened after " + (recovers == 1 ? "a crash" : recovers + " crashes");
        }
        return story;
    }

    /** The stable shape of {@code lockstep verify --json}. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("verdict", verdict.name());
        json.put("exit_code", exitCode());
        json.put("run", runId);
        json.put("version", version);
        json.put("lines", lines);
        json.put("signed", signed);
        json.put("signatures_checked", signaturesChecked);
        json.put("operator_key", operatorFingerprint);
        json.put("checkpoints", checkpoints);
        json.put("recovers", recovers);
        json.put("resumes", resumes);
        json.put("session_keys", sessionKeys);
        json.put("last_sealed_seq", lastSealedSeq);
        json.put("unsealed_lines", unsealedLines);
        json.put("torn_tail_bytes", tornTailBytes);
        json.put("line", line);
        json.put("seq", seq);
        json.put("reason", reason);
        json.put("summary", summary());
        return json;
    }
}
