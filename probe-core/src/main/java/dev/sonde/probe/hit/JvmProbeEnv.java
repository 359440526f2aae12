package dev.sonde.probe.hit;

import dev.sonde.bpf.vm.Errno;
import dev.sonde.bpf.helper.ProbeEnv;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.probe.object.HandleLayout;
import dev.sonde.probe.object.ObjectView;
import dev.sonde.probe.symbol.StackCapture;

/**
 * The {@link ProbeEnv} of Java probes: answers the VM's helpers from the {@link ProbeHit} current
 * on the slot ({@code cpu.attachment}, set by {@link ProbeHit#begin}). Outside a hit it behaves as
 * {@link ProbeEnv#NONE}, except that stacks are still captured.
 *
 * <p>Every method is allocation-free and never throws, except {@link #stack}, whose
 * {@link StackWalker} allocates (see {@link StackCapture}); it runs only when a program calls
 * get_stack or get_stackid. In a sampled thread's run ({@link ProbeHit#sample}) the stack is the
 * sample's, copied without allocation.
 */
public final class JvmProbeEnv implements ProbeEnv {
    private final StackCapture stacks;

    public JvmProbeEnv(StackCapture stacks) {
        this.stacks = stacks;
    }

    public StackCapture stacks() {
        return stacks;
    }

    @Override
    public long funcIp(Cpu cpu) {
        ProbeHit h = ProbeHits.current(cpu);
        return h == null ? 0 : h.methodAddress();
    }

    @Override
    public long attachCookie(Cpu cpu) {
        ProbeHit h = ProbeHits.current(cpu);
        return h == null ? 0 : h.cookie();
    }

    @Override
    public long funcArgCount(Cpu cpu) {
        ProbeHit h = ProbeHits.current(cpu);
        return h == null ? -Errno.EOPNOTSUPP : h.paramCount();
    }

    @Override
    public long funcArg(Cpu cpu, int n) {
        ProbeHit h = ProbeHits.current(cpu);
        return h == null || n < 0 || n >= h.paramCount() ? 0 : h.param(n);
    }

    @Override
    public boolean atReturn(Cpu cpu) {
        ProbeHit h = ProbeHits.current(cpu);
        return h != null && h.atReturn();
    }

    @Override
    public long funcRet(Cpu cpu) {
        ProbeHit h = ProbeHits.current(cpu);
        return h == null || !h.atReturn() ? 0 : h.ret();
    }

    @Override
    public int stack(Cpu cpu, long[] out, int max, int skip) {
        ProbeHit h = ProbeHits.current(cpu);
        if (h != null && h.sampled()) {
            return h.sampledStack(out, max, skip);
        }
        try {
            return stacks.capture(out, max, skip);
        } catch (RuntimeException | StackOverflowError e) {
            return -Errno.EFAULT;
        }
    }

    @Override
    public long readObject(Cpu cpu, long handle, byte[] dst, int off, int size, boolean str) {
        Object o = object(cpu, handle);
        if (o == null) {
            return -Errno.EFAULT;
        }
        return ObjectView.read(o, HandleLayout.offset(handle), dst, off, size, str);
    }

    /** The object {@code handle} names in the slot's current hit, or null. */
    public static Object object(Cpu cpu, long handle) {
        ProbeHit h = ProbeHits.current(cpu);
        return h == null ? null : h.objects().resolve(handle);
    }
}
