package dev.lockstep.criteria;

/** Which side of a threshold is the bad one. */
public enum Comparison {
    /** Trips when the value is above the threshold; clears when it is back at or below the clear value. */
    ABOVE(">", "<="),
    /** Trips when the value is below the threshold; clears when it is back at or above the clear value. */
    BELOW("<", ">=");

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

    /**
     * No longer beyond the clear value. With the clear value at its default, the trip threshold, this is exactly
     * "does not trip", so {@code above: 0} clears when the count is back to 0.
     */
    public boolean clears(double value, double clearThreshold) {
        return this == ABOVE ? value <= clearThreshold : value >= clearThreshold;
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
