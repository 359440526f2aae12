package dev.sonde.trampoline.targets;

import net.bytebuddy.asm.Advice;

/** The other agent's advice: inlined into Coexist.work by Byte Buddy. */
public class OtherAdvice {
    @Advice.OnMethodEnter
    public static void enter() {
        Coexist.OTHER.incrementAndGet();
    }
}
