package dev.sonde.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class whose tests observe code through probes: shorthand for
 * {@code @ExtendWith(SondeExtension.class)}. Sonde is installed into the test JVM once (self-attach),
 * the {@link Probes} of the class and of each test method are opened and attached before each test
 * and detached (with the grace period) after it, pass or fail, and {@link Handle} parameters and
 * fields receive maps, ring-buffer streams, links and the trace pipe.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(SondeExtension.class)
public @interface SondeTest {
}
