package dev.sonde.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The length in bytes of a fixed-size C array in a record decoded by {@link Codec}: a
 * {@code byte[]} component is {@code u8 x[n]}, a {@code String} component is {@code char x[n]}
 * holding NUL-terminated UTF-8.
 */
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Size {
    int value();
}
