package dev.sonde.bpf.exec;

/** How a program runs. */
public enum ExecMode {
    /** The interpreter: the reference semantics, every access checked. */
    INTERPRET,
    /** JVM bytecode; accesses the verifier proved in bounds go unchecked. The default. */
    JIT,
    /** JVM bytecode with every run-time check kept, as the interpreter does. */
    JIT_CHECKED
}
