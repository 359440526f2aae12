package dev.sonde.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A probe object to open and attach for each test: on the class (every test) or on a test method
 * (that test only, after the class's). The object is looked up as a class-path resource first
 * ({@code "/bpf/races.bpf.o"}; a leading slash is optional) and then as a file path.
 *
 * <p>{@link #programs} names the programs to attach (default: all of them, as
 * {@code ProbeObject.attachAll}); the others stay loaded, unattached. Attaching is all or nothing:
 * when one program fails, the test fails before its body runs and nothing stays attached.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Probes.List.class)
public @interface Probes {
    /** Class-path resource or file of the object, e.g. {@code "/bpf/races.bpf.o"}. */
    String value();

    /** Programs to attach; empty: every program of the object. */
    String[] programs() default {};

    @Target({ElementType.TYPE, ElementType.METHOD})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @interface List {
        Probes[] value();
    }
}
