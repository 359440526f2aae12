package dev.sonde.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * The peer tracer of {@link ProbeBench}: Byteman with two compiled rules on
 * {@code ProbeBench.Target.work}, AT ENTRY and AT EXIT, each an atomic add on a counter, the same
 * work as the ARRAY-counting programs. Byteman cannot be unloaded: a fork that installs it keeps
 * it (JMH runs each mode in its own fork).
 */
public final class BytemanPeer {
    public static final AtomicLong ENTRIES = new AtomicLong();
    public static final AtomicLong EXITS = new AtomicLong();

    private static final String RULES = """
        RULE sonde peer entry
        CLASS dev.sonde.bench.ProbeBench$Target
        METHOD work
        COMPILE
        AT ENTRY
        IF true
        DO dev.sonde.bench.BytemanPeer.ENTRIES.incrementAndGet()
        ENDRULE

        RULE sonde peer exit
        CLASS dev.sonde.bench.ProbeBench$Target
        METHOD work
        COMPILE
        AT EXIT
        IF true
        DO dev.sonde.bench.BytemanPeer.EXITS.incrementAndGet()
        ENDRULE
        """;

    private BytemanPeer() {
    }

    /** Loads Byteman with the rules; the rules apply to Target (already loaded or not) from then on. */
    public static void install() throws Exception {
        Path script = Files.createTempFile("sonde-byteman-peer", ".btm");
        Files.writeString(script, RULES);
        script.toFile().deleteOnExit();
        org.jboss.byteman.agent.Main.agentmain("script:" + script, ByteBuddyAgent.install());
        long before = ENTRIES.get();
        new ProbeBench.Target().work(1);
        if (ENTRIES.get() != before + 1 || EXITS.get() == 0) {
            throw new IllegalStateException("Byteman's rules did not fire: entries " + ENTRIES + ", exits " + EXITS);
        }
    }

    /** Throws unless every call the benchmark made was counted at entry and at exit. */
    public static void check() {
        if (ENTRIES.get() != EXITS.get()) {
            throw new IllegalStateException("Byteman counted " + ENTRIES + " entries but " + EXITS + " exits");
        }
    }
}
