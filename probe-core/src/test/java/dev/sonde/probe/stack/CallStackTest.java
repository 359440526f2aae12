package dev.sonde.probe.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.probe.control.ProbeLink;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import dev.sonde.probe.symbol.Symbolized;
import dev.sonde.probe.testing.TestProbes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

/**
 * bpf_get_stack through real trampolines (src/test/bpf/stacks.bpf.c on Layers.target, entry and
 * return) against StackWalker's view of the same call, taken inside the method: every caller frame
 * is the same method at the same line, and the innermost frame is the probed method itself (at
 * another line: the probe fires at its entry or return, StackWalker in its body). Sonde's own
 * frames (trampoline dispatch, handler, program) do not appear.
 */
class CallStackTest {
    @Test
    void getStackMatchesStackWalkerAtEntryAndAtReturn() throws Exception {
        Sonde sonde = Sonde.install(ByteBuddyAgent.install());
        Layers layers = new Layers();
        try (ProbeObject probes = TestProbes.open(sonde, "stacks.bpf.o")) {
            List<ProbeLink> links = probes.attachAll();
            assertEquals(2, links.size());
            assertEquals(17, layers.outer(5), "(5 + 3) * 2 + 1: the probes change nothing");
            for (int side = 0; side < 2; side++) {
                String where = side == 0 ? "at entry" : "at return";
                byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(side).array();
                ByteBuffer v = ByteBuffer.wrap(probes.map("stacks").orElseThrow().lookup(key)).order(ByteOrder.LITTLE_ENDIAN);
                long len = v.getLong(0);
                assertTrue(len > 0 && len % 8 == 0, where + ": bpf_get_stack returned " + len);
                int n = (int) (len / 8);
                List<String> captured = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Symbolized s = sonde.symbols().symbolize(v.getLong(8 + 8 * i));
                    captured.add(s.method().className() + "." + s.method().methodName() + s.method().descriptor() + ":" + s.line());
                }
                List<String> walked = layers.walked;
                String both = where + "\n captured " + captured + "\n walked   " + walked;
                assertTrue(n <= walked.size(), both);
                assertTrue(captured.get(0).startsWith("dev.sonde.probe.stack.Layers.target(J)J:"), both);
                assertTrue(walked.get(0).startsWith("dev.sonde.probe.stack.Layers.target(J)J:"), both);
                assertEquals(walked.subList(1, n), captured.subList(1, n), both);
                assertEquals("dev.sonde.probe.stack.Layers.middle(J)J", captured.get(1).split(":")[0], both);
                assertEquals("dev.sonde.probe.stack.Layers.outer(J)J", captured.get(2).split(":")[0], both);
            }
            for (ProbeLink l : links) {
                assertEquals(1, l.stats().runCount(), l + " ran once");
                assertEquals(0, l.stats().faults(), l + " did not fault");
                l.close();
            }
        }
    }
}
