package dev.sonde.trampoline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.trampoline.targets.Coexist;
import dev.sonde.trampoline.targets.OtherAdvice;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.Test;

/**
 * Another agent (a Byte Buddy AgentBuilder with its own Advice, retransformation strategy)
 * instruments the same method; Sonde attaches and detaches around it several times.
 */
class CoexistenceTest {
    private final Trampolines t = Fixture.trampolines();

    @Test
    void theOtherAgentKeepsWorkingThroughSondesAttachAndDetach() throws Exception {
        byte[] original = ClassBytes.current(Coexist.class);
        ResettableClassFileTransformer other = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.Listener.StreamWriting.toSystemError().withErrorsOnly())
                .type(ElementMatchers.named(Coexist.class.getName()))
                .transform((builder, type, loader, module, pd) -> builder.visit(Advice.to(OtherAdvice.class).on(ElementMatchers.named("work"))))
                .installOn(Fixture.INST);
        try {
            Coexist.OTHER.set(0);
            assertEquals(10, Coexist.work(2));
            assertEquals(1, Coexist.OTHER.get(), "the other agent's advice runs");
            byte[] otherOnly = ClassBytes.current(Coexist.class);
            for (int round = 0; round < 3; round++) {
                Recorder rec = new Recorder();
                try (Link l = t.attach(Coexist.class, "work", rec)) {
                    assertEquals(15, Coexist.work(3));
                    assertEquals(2, rec.hits.size(), "Sonde's trampolines run");
                    assertEquals(2 + 2 * round, Coexist.OTHER.get(), "and the other agent's advice too");
                    assertTrue(ClassBytes.mentionsSonde(ClassBytes.current(Coexist.class)));
                }
                assertEquals(20, Coexist.work(4));
                assertEquals(3 + 2 * round, Coexist.OTHER.get(), "the other agent's advice survives Sonde's detach");
                assertEquals(2, rec.hits.size());
                t.awaitRestored();
                byte[] after = ClassBytes.current(Coexist.class);
                assertFalse(ClassBytes.mentionsSonde(after));
                assertEquals(ClassBytes.instructions(otherOnly), ClassBytes.instructions(after),
                        "restored to the other agent's instrumentation, instruction by instruction");
            }
        } finally {
            other.reset(Fixture.INST, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
        assertEquals(ClassBytes.instructions(original), ClassBytes.instructions(ClassBytes.current(Coexist.class)));
    }
}
