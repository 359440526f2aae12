package dev.sonde.probe.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.bpf.map.BpfMap;
import dev.sonde.probe.testing.Allocations;
import dev.sonde.probe.testing.TestProbes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

/** Attaching with {@link AttachOptions#withPending}: targets whose classes load after the attach. */
class PendingAttachTest {
    @Test
    void aClassThatLoadsAfterTheAttachIsProbedFromItsFirstCall() throws Exception {
        Sonde sonde = Sonde.install(ByteBuddyAgent.install());
        assertFalse(Arrays.stream(ByteBuddyAgent.getInstrumentation().getAllLoadedClasses())
            .anyMatch(c -> c.getName().endsWith(".PendingTarget")), "PendingTarget must not be loaded yet");
        try (ProbeObject o = TestProbes.open(sonde, "pending.bpf.o")) {
            List<ProbeLink> links = o.attachAll(AttachOptions.DEFAULT.withPending(true));
            for (int i = 0; i < 30; i++) {
                PendingTarget.work(i % 3);
            }
            BpfMap calls = o.map("calls").orElseThrow();
            for (int k = 0; k < 3; k++) {
                assertEquals(10, u64(calls.lookup(key(k))), "calls of work(" + k + ")");
            }
            assertEquals(30, u64(o.map(".bss").orElseThrow().lookup(new byte[4])));
            assertEquals(30, links.get(0).stats().runCount());
            assertEquals(30, links.get(1).stats().runCount());
            assertTrue(links.get(0).methods().contains(PendingTarget.class.getName() + ".work(I)I"), links.get(0).methods().toString());
            // After each method's first hit, a pattern link's hit path allocates no more than an eager link's.
            long pending = Allocations.measure(300_000, 100_000, () -> PendingTarget.work(1));
            System.err.printf("pending-link hit through the trampolines: %d bytes per 100,000 warm calls%n", pending);
            assertEquals(0, pending);
            links.forEach(ProbeLink::close);
            PendingTarget.work(0);
            assertEquals(10, u64(calls.lookup(key(0))), "no run after detach");
        }
    }

    private static byte[] key(long k) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(k).array();
    }

    private static long u64(byte[] v) {
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
