package dev.sonde.bpf.verifier;

/**
 * One function activation in the abstract state: r0..r10, its stack, and how it was entered.
 * Mutable; {@link VerifierState#copy} copies it when a path forks.
 */
final class Frame {
    final Reg[] regs;
    final StackState stack;
    /** Slot of the call instruction that created it; -1 for the program's entry frame. */
    final int callsite;
    /** First slot of the function. */
    final int function;
    /** Depth in the call chain (0 = entry frame): the stack region this frame owns. */
    final int depth;
    /** Entered by a helper (bpf_loop) as a callback rather than by a call instruction. */
    final boolean callback;
    /** Callback frames: how many references the caller held at entry (the callback must not add any). */
    int refsAtEntry;
    /** Callback frames: the callers' stacks at the first entry, to widen what the callback changes. */
    StackState[] firstEntry;

    Frame(int callsite, int function, int depth, boolean callback) {
        this.regs = new Reg[11];
        java.util.Arrays.fill(regs, Reg.NOT_INIT);
        this.stack = new StackState();
        this.callsite = callsite;
        this.function = function;
        this.depth = depth;
        this.callback = callback;
        regs[10] = Reg.pointer(PointerKind.STACK, depth, StackState.SIZE, true, Scalar.constant(StackState.SIZE));
    }

    private Frame(Frame o) {
        regs = o.regs.clone();
        stack = o.stack.copy();
        callsite = o.callsite;
        function = o.function;
        depth = o.depth;
        callback = o.callback;
        refsAtEntry = o.refsAtEntry;
        firstEntry = o.firstEntry;
    }

    Frame copy() {
        return new Frame(this);
    }
}
