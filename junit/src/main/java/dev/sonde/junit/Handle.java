package dev.sonde.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test-method parameter or an instance field that {@link SondeExtension} fills with a handle
 * of the test's probes; the declared type says which:
 *
 * <table>
 * <caption>Injected types</caption>
 * <tr><th>type</th><th>name is</th><th>what</th></tr>
 * <tr><td>{@link LongCounters}</td><td>a map</td><td>u64 counters keyed by u32/u64 (per-CPU copies summed)</td></tr>
 * <tr><td>{@link RecordMap}{@code <K, V>}</td><td>a map</td><td>keys and values as records, boxed integers or byte[]</td></tr>
 * <tr><td>{@code BpfMap}</td><td>a map</td><td>the raw map</td></tr>
 * <tr><td>{@link EventStream}{@code <E>}</td><td>a ring buffer</td><td>its records decoded as E (a record, or byte[])</td></tr>
 * <tr><td>{@code ProbeLink}</td><td>a program</td><td>its link; {@code stats()} gives run count, nmissed, faults</td></tr>
 * <tr><td>{@link TraceLines}</td><td>-</td><td>the trace pipe, from the start of the test</td></tr>
 * <tr><td>{@link TestProbes}</td><td>-</td><td>everything above, by name</td></tr>
 * <tr><td>{@code ProbeObject}, {@code Sonde}</td><td>an object / -</td><td>the probe control library's own handles</td></tr>
 * </table>
 *
 * <p>Parameters of the types without a name need no annotation. An empty name means the field's
 * name (or the parameter's, when compiled with {@code -parameters}). A map or ring-buffer name
 * that two of the test's objects share is written {@code "object.bpf.o:name"}.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Handle {
    String value() default "";
}
