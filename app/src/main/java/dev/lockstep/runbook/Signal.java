package dev.lockstep.runbook;

/** What a stop criterion watches: a built-in signal or a read-only SQL query returning one number. */
public sealed interface Signal permits Signal.Builtin, Signal.Sql {

    /** The unit of the signal's value; custom SQL signals count whatever their query returns. */
    BuiltinSignal.Unit unit();

    record Builtin(BuiltinSignal signal) implements Signal {
        @Override
        public BuiltinSignal.Unit unit() {
            return signal.unit();
        }

        @Override
        public String toString() {
            return signal.yamlName();
        }
    }

    /** {@code signal: { sql: "select count(*) ..." }}: sampled on the primary, first column of the first row. */
    record Sql(String sql) implements Signal {
        @Override
        public BuiltinSignal.Unit unit() {
            return BuiltinSignal.Unit.COUNT;
        }
    }
}
