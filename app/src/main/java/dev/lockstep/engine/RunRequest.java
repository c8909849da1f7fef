package dev.lockstep.engine;

import dev.lockstep.criteria.Sampler;
import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.recovery.Decision;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.timeline.OperatorKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a run needs, as the command line (or the demo) gathered it: the bound runbook, where it runs,
 * where its timeline goes and who signs it, what was decided in advance, and who runs it.
 *
 * @param runbookPath the runbook file as given, for the timeline's open record
 * @param parameters the {@code --param} values as given (secret ones are redacted in the timeline)
 * @param standbys the {@code --standby} servers, watched for lag
 * @param operatorKey signs the timeline; null writes it unsigned ({@code --unsigned})
 * @param approvals {@code --approve STEP=REASON}: approvals given in advance
 * @param decisions {@code --decide STEP=OPTION:REASON}: what to do if that step fails, given in advance
 * @param acceptChangedRunbook {@code --accept-changed-runbook REASON}; null when not given
 * @param sampling how often the stop criteria and the screens' probe snapshot are sampled
 * @param lockstepVersion this build's version, for the timeline
 */
public record RunRequest(
        Runbook runbook,
        Path runbookPath,
        Map<String, String> parameters,
        ConnectionSettings primary,
        List<ConnectionSettings> standbys,
        Path timelineDir,
        OperatorKey operatorKey,
        LockstepSchema schema,
        Map<String, String> approvals,
        Map<String, Decision> decisions,
        String acceptChangedRunbook,
        Holder holder,
        Sampler.Settings sampling,
        String lockstepVersion) {

    public RunRequest {
        Objects.requireNonNull(runbook, "runbook");
        Objects.requireNonNull(runbookPath, "runbookPath");
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(timelineDir, "timelineDir");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(sampling, "sampling");
        parameters = Map.copyOf(parameters);
        standbys = List.copyOf(standbys);
        approvals = Map.copyOf(approvals);
        decisions = Map.copyOf(decisions);
    }
}
