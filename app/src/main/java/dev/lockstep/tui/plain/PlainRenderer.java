package dev.lockstep.tui.plain;

import dev.lockstep.engine.EngineEvent;
import dev.lockstep.engine.EngineListener;

/**
 * Line mode's listener: each engine event becomes the lines {@link RunLines} makes of it, printed on the
 * {@link PlainConsole} at its width. Events come from the engine's thread and its watchdog's; they are
 * printed whole, one event after another.
 */
public final class PlainRenderer implements EngineListener {

    private final PlainConsole console;
    private final RunLines lines;

    public PlainRenderer(PlainConsole console, RunLines lines) {
        this.console = console;
        this.lines = lines;
    }

    @Override
    public synchronized void on(EngineEvent event) {
        console.print(lines.render(event, console.width()));
    }
}
