/**
 * Stop criteria: signals, their sampling, and the evaluation of a runbook's stop criteria into a {@link
 * dev.lockstep.criteria.Verdict} the engine obeys (throttle, pause, abort), with debounce, hysteresis and a
 * fail-closed policy for signals that cannot be read.
 *
 * <p>{@link dev.lockstep.criteria.StopCriteriaEvaluator} is deterministic and reads no clock: time is passed in.
 * {@link dev.lockstep.criteria.Sampler} is the only part with a thread; it reads the {@link
 * dev.lockstep.criteria.SignalSource}s every interval and publishes the latest verdict.
 *
 * <p>A {@link dev.lockstep.criteria.SignalSource} supplies the readings; this package does not know the probe. The
 * engine adapts the probe's snapshot (what {@code lockstep watch} shows) into a signal source, so that the criteria
 * and the probe stand side by side below the engine and neither depends on the other.
 */
package dev.lockstep.criteria;
