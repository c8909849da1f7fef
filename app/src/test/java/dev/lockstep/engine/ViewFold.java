package dev.lockstep.engine;

/** The engine's view fold, for tests outside the engine's package: events in, the view the console draws out. */
public final class ViewFold implements EngineListener {

    private final RunViewFold fold;

    ViewFold(RunViewFold fold) {
        this.fold = fold;
    }

    @Override
    public void on(EngineEvent event) {
        fold.on(event);
    }

    public RunView current() {
        return fold.current();
    }
}
