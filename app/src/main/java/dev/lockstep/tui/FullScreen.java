package dev.lockstep.tui;

import java.util.Map;

/**
 * Whether the full-screen console can take this terminal: standard input and output are one terminal, and TERM
 * names one that can address the screen. Otherwise (a pipe, a log, CI, {@code TERM=dumb}, {@code --plain}) the
 * front ends speak in lines.
 */
public final class FullScreen {

    private FullScreen() {}

    public static boolean available(boolean plainAsked, Map<String, String> env) {
        String term = env.get("TERM");
        return !plainAsked && System.console() != null && term != null && !term.isBlank() && !term.equals("dumb");
    }
}
