package dev.lockstep.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Who runs a run: the OS user, the host and the process id, as an operator would look for them. */
public record Holder(String user, String host, long pid) {

    public static Holder current() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        return new Holder(
                System.getProperty("user.name", "unknown"),
                host,
                ProcessHandle.current().pid());
    }

    public String userAtHost() {
        return user + "@" + host;
    }
}
