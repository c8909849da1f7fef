package dev.lockstep.criteria;

/** What the engine must do now, weakest first: the strongest action of every criterion in force. */
public enum Directive {
    PROCEED,
    THROTTLE,
    PAUSE,
    ABORT;

    public Directive strongest(Directive other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
