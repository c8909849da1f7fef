package dev.lockstep.probe;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.sandbox.Sandbox;
import java.util.List;

/** Watch probes on a test sandbox, with the monitoring limits the command uses. */
final class SandboxProbes {

    private SandboxProbes() {}

    static WatchProbe primaryProbe(Sandbox sandbox) {
        return WatchProbe.open(ConnectionSettings.parse(sandbox.primaryUri()), List.of(), ProbeOptions.defaults());
    }

    static WatchProbe probeWithStandby(Sandbox sandbox) {
        return WatchProbe.open(
                ConnectionSettings.parse(sandbox.primaryUri()),
                List.of(ConnectionSettings.parse(sandbox.standbyUri())),
                ProbeOptions.defaults());
    }
}
