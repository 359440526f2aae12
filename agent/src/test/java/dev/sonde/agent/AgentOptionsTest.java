package dev.sonde.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {
    @Test
    void everyOptionParsesAndFormatsBack() {
        AgentOptions o = AgentOptions.parse("probes=a.bpf.o:/x/b.bpf.o,trace=t.txt,dump=d.json,socket=/run/s.sock,stats=on,duration=2.5,report=r.log,slots=32,hold=30");
        assertEquals(List.of(Path.of("a.bpf.o"), Path.of("/x/b.bpf.o")), o.probes());
        assertEquals(Optional.of(Path.of("t.txt")), o.trace());
        assertEquals(Optional.of(Path.of("d.json")), o.dump());
        assertEquals(Optional.of("/run/s.sock"), o.socket());
        assertTrue(o.stats());
        assertEquals(Optional.of(Duration.ofMillis(2500)), o.duration());
        assertEquals(32, o.slots());
        assertEquals(Optional.of(Duration.ofSeconds(30)), o.hold());
        assertEquals(o, AgentOptions.parse(o.format()));
    }

    @Test
    void noOptionsMeanNoProbesAndTheDefaultSocket() {
        assertEquals(AgentOptions.none(), AgentOptions.parse(null));
        assertEquals(AgentOptions.none(), AgentOptions.parse(""));
        assertTrue(AgentOptions.none().socketOn());
        assertFalse(AgentOptions.parse("socket=off").socketOn());
        assertEquals(Optional.empty(), AgentOptions.none().hold());
        assertEquals(AgentOptions.parse("hold=1.5"), AgentOptions.none().withHold(Duration.ofMillis(1500)));
    }

    @Test
    void badOptionsAreNamed() {
        assertEquals("unknown option 'colour' (options: dump, duration, hold, probes, report, slots, socket, stats, trace)",
            message("probes=a.o,colour=blue"));
        assertEquals("option 'probes' is not key=value (options: dump, duration, hold, probes, report, slots, socket, stats, trace)",
            message("probes"));
        assertEquals("option 'dump' is given twice", message("dump=a,dump=b"));
        assertEquals("option 'trace' has no value", message("trace="));
        assertEquals("option 'probes' has an empty path in 'a.o::b.o'", message("probes=a.o::b.o"));
        assertEquals("option 'stats' is on or off, not 'yes'", message("stats=yes"));
        assertEquals("option 'duration' is a positive number of seconds, not '-1'", message("duration=-1"));
        assertEquals("option 'slots' is a number of execution slots from 1 to 1024, not '0'", message("slots=0"));
        assertEquals("option 'hold' is a positive number of seconds, not '0'", message("hold=0"));
        assertEquals("option 'hold' is a positive number of seconds, not 'soon'", message("hold=soon"));
        assertEquals("option 'slots' is a number of execution slots from 1 to 1024, not 'many'", message("slots=many"));
    }

    private static String message(String options) {
        return assertThrows(IllegalArgumentException.class, () -> AgentOptions.parse(options)).getMessage();
    }
}
