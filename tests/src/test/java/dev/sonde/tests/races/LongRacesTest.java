package dev.sonde.tests.races;

import dev.sonde.junit.Suites;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The race suites 20 times over, through the launcher, each run with its own probes (mvn -Plong test). */
@Tag("long")
class LongRacesTest {
    @Test
    void theSuitesPassTwentyTimes() {
        Suites.assertPassRepeatedly(20, LazyInitRacesTest.class, CheckThenActRacesTest.class, HandoffOrderTest.class);
    }
}
