package dev.sonde.trampoline;

/**
 * The snapshot of one hit, as a handler sees it. One Frame per execution slot, reused by every hit
 * on that slot: valid only during the handler call.
 *
 * <p>Encoding of a primitive into a {@code long} (DESIGN.md §3, the pt_regs register rule):
 * <pre>
 *   boolean, byte, short, int   sign-extended (boolean is 0 or 1)
 *   char                        zero-extended
 *   long                        as is
 *   float                       Float.floatToRawIntBits, zero-extended
 *   double                      Double.doubleToRawLongBits
 *   reference                   0 in the long; the object in the reference accessor
 * </pre>
 * Parameters are the values the method received at entry, at exit too (the trampoline copies them
 * into fresh locals at entry, so a method that reassigns its parameters does not change them).
 */
public final class Frame {
    MethodInfo method;
    long[] args;
    Object[] refArgs;
    Object self;
    boolean exit;
    long ret;
    Object retRef;
    Throwable thrown;
    boolean exceptional;

    Frame() {}

    public MethodInfo method() {
        return method;
    }

    public int methodId() {
        return method.id();
    }

    public int argCount() {
        return method.argCount();
    }

    /** Declared parameter {@code i} (0-based, {@code this} not counted), encoded; 0 for a reference. */
    public long arg(int i) {
        check(i);
        return args[i];
    }

    /** Declared parameter {@code i} when it is a reference (null for a primitive). */
    public Object refArg(int i) {
        check(i);
        return refArgs[i];
    }

    private void check(int i) {
        if (i < 0 || i >= method.argCount()) {
            throw new IndexOutOfBoundsException("parameter " + i + " of " + method);
        }
    }

    /**
     * The receiver (null in the frame of a handler that does not {@linkplain Handler#readsObjects
     * read objects}): null for a static method, and for a constructor at entry (the object is not
     * initialised yet); the new object at a constructor's exit.
     */
    public Object self() {
        return self;
    }

    /** False at entry, true at the return trampoline (normal or exceptional). */
    public boolean isExit() {
        return exit;
    }

    /** At exit: whether the method is completing by a throwable ({@link #thrown}). */
    public boolean isExceptional() {
        return exceptional;
    }

    /** At a normal exit with a primitive result: the result, encoded; otherwise 0. */
    public long returnValue() {
        return ret;
    }

    /** At a normal exit with a reference result: the result; otherwise null. */
    public Object returnRef() {
        return retRef;
    }

    /** At an exceptional exit: the throwable, which is rethrown untouched after the handlers. */
    public Throwable thrown() {
        return thrown;
    }
}
