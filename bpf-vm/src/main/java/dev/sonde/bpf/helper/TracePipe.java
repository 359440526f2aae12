package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Cpu;

/**
 * Where bpf_trace_printk lines go. A line is handed over as bytes of the message only; the pipe
 * adds the DESIGN.md §4 prefix {@code <thread-name>-<java-thread-id> [<slot>] <seconds>.<micros>:
 * bpf_trace_printk: } when it is read. {@link #write} runs on the probe path: it must copy the bytes
 * and return without allocating or blocking; when the pipe is full the line is dropped and counted.
 */
public interface TracePipe {
    void write(Cpu cpu, byte[] msg, int off, int len);

    /** Drops every line. */
    TracePipe DISCARD = (cpu, msg, off, len) -> {
    };
}
