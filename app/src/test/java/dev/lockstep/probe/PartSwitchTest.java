package dev.lockstep.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.pg.ConnectionSettings;
import dev.lockstep.sandbox.Sandbox;
import dev.lockstep.sandbox.SandboxExtension;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a role without pg_monitor sees, and a part switched off once for lack of privilege. */
@ExtendWith(SandboxExtension.class)
class PartSwitchTest {

    @Test
    void aPartDeniedByPrivilegeIsSwitchedOffOnceWithTheReasonAndTheRestGoesOn(Sandbox sandbox) throws Exception {
        sandbox.createLoginRole("lockstep_plain", "not-used-with-trust");
        ConnectionSettings plain = ConnectionSettings.parse(
                "postgresql://lockstep_plain@127.0.0.1:" + sandbox.primaryPort() + "/postgres");
        try (Connection admin = sandbox.connectPrimary()) {
            Sessions.execute(admin, "revoke execute on function pg_blocking_pids(integer) from public");
            try (WatchProbe probe = WatchProbe.open(plain, List.of(), ProbeOptions.defaults())) {
                Snapshot first = probe.take();
                PartStatus locks = first.primary().part(ServerProbe.LOCKS);
                assertThat(locks.state()).isEqualTo(PartStatus.State.OFF);
                assertThat(locks.reason()).contains("permission denied").contains("42501");
                assertThat(first.primary().locks()).isNull();
                assertThat(first.lockWaitSeconds().known()).isFalse();
                assertThat(first.lockWaitSeconds().unknownReason())
                        .isEqualTo("the primary's locks part is off: " + locks.reason());
                assertThat(first.primary().part(ServerProbe.ACTIVITY).succeeded())
                        .isTrue();

                Snapshot second = probe.take();
                PartStatus again = second.primary().part(ServerProbe.LOCKS);
                assertThat(again.state()).isEqualTo(PartStatus.State.OFF);
                assertThat(again.reason()).isEqualTo(locks.reason());
                // not sent again: no time spent on it
                assertThat(again.durationMs()).isZero();

                assertThat(second.primary().server().seesAllActivity()).isFalse();
                assertThat(second.primary().server().hiddenBecause())
                        .anySatisfy(hidden -> assertThat(hidden).contains("pg_monitor"));
            }
        } finally {
            try (Connection admin = sandbox.connectPrimary()) {
                Sessions.execute(admin, "grant execute on function pg_blocking_pids(integer) to public");
            }
        }
    }
}
