package dev.sonde.probe.symbol;

import dev.sonde.probe.object.Utf8;

/**
 * One method Sonde has seen: its synthetic address ({@link SymbolLayout}) and its name as
 * {@code class.method(descriptor)}, with the class written by its binary name.
 *
 * <p>The names never change. The line table grows as stack walks report (bci, line) pairs for the
 * method: it is copy-on-write, written under the owning {@link Symbols}' lock and read without one.
 */
public final class MethodSymbol {
    private final int id;
    private final long address;
    private final String className;
    private final String methodName;
    private final String descriptor;
    private final boolean constructor;

    /** Sorted (bci << 32 | line & 0xffffffff); written under Symbols' lock, volatile for readers. */
    private volatile long[] lines = new long[0];
    private volatile String sourceFile;

    MethodSymbol(int id, String className, String methodName, String descriptor) {
        this.id = id;
        this.address = SymbolLayout.address(id, 0);
        this.className = className;
        this.methodName = methodName;
        this.descriptor = descriptor;
        this.constructor = Descriptors.CONSTRUCTOR.equals(methodName);
    }

    public int id() {
        return id;
    }

    /** The method's address: bci 0, what {@code ip} and {@code bpf_get_func_ip} give. */
    public long address() {
        return address;
    }

    /** The address of bytecode index {@code bci} in this method (a stack frame). */
    public long address(int bci) {
        return address + (bci & SymbolLayout.BCI_MASK);
    }

    public String className() {
        return className;
    }

    public String methodName() {
        return methodName;
    }

    public String descriptor() {
        return descriptor;
    }

    public boolean isConstructor() {
        return constructor;
    }

    /** {@code com.shop.Cart$Line.add(JI)Z}. */
    public String text() {
        return className + "." + methodName + descriptor;
    }

    /** The source file a stack frame named, or null. */
    public String sourceFile() {
        return sourceFile;
    }

    /**
     * Writes the class's binary name as a C string (at most size−1 bytes of UTF-8, a NUL) into
     * {@code dst}; returns the bytes written including the NUL. No allocation.
     */
    public int copyClassName(byte[] dst, int off, int size) {
        return Utf8.copyStr(className, dst, off, size);
    }

    /** As {@link #copyClassName} for the method's name. */
    public int copyMethodName(byte[] dst, int off, int size) {
        return Utf8.copyStr(methodName, dst, off, size);
    }

    /** The source line of {@code bci} as a stack walk reported it, or -1 if none did. */
    public int line(int bci) {
        long[] t = lines;
        int i = search(t, bci);
        return i >= 0 ? (int) t[i] : -1;
    }

    boolean hasLine(int bci) {
        return search(lines, bci) >= 0;
    }

    /** Caller holds the Symbols lock. */
    void recordLine(int bci, int line, String file) {
        long[] t = lines;
        int i = search(t, bci);
        if (i >= 0) {
            return;
        }
        int at = -i - 1;
        long[] copy = new long[t.length + 1];
        System.arraycopy(t, 0, copy, 0, at);
        copy[at] = (long) bci << 32 | line & 0xffff_ffffL;
        System.arraycopy(t, at, copy, at + 1, t.length - at);
        if (file != null && sourceFile == null) {
            sourceFile = file;
        }
        // Volatile write: a reader that sees the new table sees its contents.
        lines = copy;
    }

    /** The (bci, line) pairs known, sorted by bci: {bci, line} each. */
    public int[][] lineTable() {
        long[] t = lines;
        int[][] out = new int[t.length][];
        for (int i = 0; i < t.length; i++) {
            out[i] = new int[] {(int) (t[i] >>> 32), (int) t[i]};
        }
        return out;
    }

    private static int search(long[] t, int bci) {
        int lo = 0;
        int hi = t.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int b = (int) (t[mid] >>> 32);
            if (b < bci) {
                lo = mid + 1;
            } else if (b > bci) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    @Override
    public String toString() {
        return String.format("%016x %s", address, text());
    }

    @Override
    public boolean equals(Object o) {
        return o == this;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(id);
    }
}
