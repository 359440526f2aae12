package dev.sonde.bpf.vm;

/** Linux errno values; helpers and map operations return them negated, as the kernel does (asm-generic/errno-base.h). */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOPNOTSUPP = 95;
    /** Kernel-internal "operation not supported" that bpf(2) map ops on a ring buffer return. */
    public static final int ENOTSUPP = 524;

    /** The C name of an errno value (positive or negated), for messages. */
    public static String name(long e) {
        return switch ((int) Math.abs(e)) {
            case 0 -> "0";
            case ENOENT -> "ENOENT";
            case E2BIG -> "E2BIG";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ENOTSUPP -> "ENOTSUPP";
            default -> "errno " + Math.abs(e);
        };
    }
}
