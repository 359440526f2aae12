package dev.sonde.bpf.object;

import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.vm.Options;

/**
 * How an object is loaded: the VM options (helpers, cpu version, budget), whether each program is
 * verified before it may run, and the mode programs run in. Programs of sections that are no
 * probe (a custom SEC name) verify as RAW programs whose r1 is {@code rawMemory} bytes of caller
 * memory and r2 its length; -1 means r1 and r2 are plain scalars. Immutable.
 */
public record LoadOptions(Options vm, boolean verify, ExecMode mode, int rawMemory) {

    /** Verified, JIT-compiled: what probes use. */
    public static LoadOptions of(Options vm) {
        return new LoadOptions(vm, true, ExecMode.JIT, -1);
    }

    public LoadOptions withVerify(boolean v) {
        return new LoadOptions(vm, v, mode, rawMemory);
    }

    public LoadOptions withMode(ExecMode m) {
        return new LoadOptions(vm, verify, m, rawMemory);
    }

    public LoadOptions withRawMemory(int bytes) {
        return new LoadOptions(vm, verify, mode, bytes);
    }
}
