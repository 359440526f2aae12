package dev.sonde.bpf.isa;

/** An instruction stream that is not valid eBPF; the message names the slot and the reason. */
public final class DecodeException extends Exception {
    private final int slot;

    public DecodeException(int slot, String reason) {
        super("insn " + slot + ": " + reason);
        this.slot = slot;
    }

    /** The slot index (8-byte unit) of the offending instruction, or -1 for the whole stream. */
    public int slot() {
        return slot;
    }
}
