package dev.sonde.bpf.vm;

/**
 * Unwinds a run to {@link Interpreter#run}. One instance per {@link Cpu}, preallocated and without
 * a stack trace, so that aborting a run allocates nothing. It never leaves the VM: the run method
 * catches it and turns it into a fault record on the Cpu.
 */
final class FaultSignal extends RuntimeException {
    FaultSignal() {
        super("eBPF fault", null, false, false);
    }
}
