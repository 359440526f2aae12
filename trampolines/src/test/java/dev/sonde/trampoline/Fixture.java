package dev.sonde.trampoline;

import dev.sonde.bpf.slot.ExecutionSlots;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.ByteBuddyAgent;

/** One self-attached Instrumentation and one Trampolines for every test class of the module. */
final class Fixture {
    static final Instrumentation INST = ByteBuddyAgent.install();
    static final ExecutionSlots SLOTS = new ExecutionSlots(16);
    static final Trampolines TRAMPOLINES = Trampolines.install(INST, SLOTS);

    private Fixture() {}

    static Trampolines trampolines() {
        return TRAMPOLINES;
    }
}
