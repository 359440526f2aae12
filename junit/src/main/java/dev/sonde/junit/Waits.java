package dev.sonde.junit;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** The kit's wait bounds: every wait ends, in failure at the latest after its bound. */
public final class Waits {
    /** How long a wait without an explicit bound waits. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);
    /** How often a condition is checked. */
    static final Duration POLL = Duration.ofMillis(2);

    private Waits() {
    }

    /** Awaitility, checking at once and then every {@link #POLL}, for at most {@code atMost}. */
    public static ConditionFactory upTo(Duration atMost) {
        return Awaitility.await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL);
    }
}
