package dev.lockstep.criteria;

/** Which side of a threshold is the bad one. */
public enum Comparison {
    /** The criterion trips when the value is above the threshold and clears when it falls below the clear value. */
    ABOVE(">", "<"),
    /** The criterion trips when the value is below the threshold and clears when it rises above the clear value. */
    BELOW("<", ">");

    private final String tripSymbol;
    private final String clearSymbol;

    Comparison(String tripSymbol, String clearSymbol) {
        this.tripSymbol = tripSymbol;
        this.clearSymbol = clearSymbol;
    }

    /** Strictly beyond the threshold on the bad side: a value equal to the threshold does not trip. */
    public boolean trips(double value, double threshold) {
        return this == ABOVE ? value > threshold : value < threshold;
    }

    /** Strictly beyond the clear value on the good side: a value equal to it keeps a breach in force. */
    public boolean clears(double value, double clearThreshold) {
        return this == ABOVE ? value < clearThreshold : value > clearThreshold;
    }

    /** Whether a clear value lies on the good side of (or at) the trip threshold, which hysteresis needs. */
    boolean isOnGoodSide(double clearThreshold, double threshold) {
        return this == ABOVE ? clearThreshold <= threshold : clearThreshold >= threshold;
    }

    public String tripSymbol() {
        return tripSymbol;
    }

    public String clearSymbol() {
        return clearSymbol;
    }
}
