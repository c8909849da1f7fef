/**
 * Stop criteria: signals, their sampling, and the evaluation of a runbook's stop criteria into a {@link
 * dev.lockstep.criteria.Verdict} the engine obeys (throttle, pause, abort), with debounce, hysteresis and a
 * fail-closed policy for signals that cannot be read.
 *
 * <p>{@link dev.lockstep.criteria.StopCriteriaEvaluator} is deterministic and reads no clock: time is passed in.
 * {@link dev.lockstep.criteria.Sampler} is the only part with a thread; it reads the {@link
 * dev.lockstep.criteria.SignalSource}s every interval and publishes the latest verdict.
 *
 * <p>The database signals come from the probe ({@link dev.lockstep.criteria.ProbeSignalSource}): the criteria read
 * the snapshot {@code lockstep watch} shows. This package depends on {@code probe}, never the reverse.
 */
package dev.lockstep.criteria;
