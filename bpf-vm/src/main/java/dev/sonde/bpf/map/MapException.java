package dev.sonde.bpf.map;

import dev.sonde.bpf.vm.Errno;
/**
 * A Java-side map call with bad arguments (a key or value of the wrong size, an impossible map
 * definition): a caller bug, reported with the errno Linux would give and a message naming the map.
 */
public final class MapException extends IllegalArgumentException {
    private final int errno;

    public MapException(int errno, String message) {
        super(message + " (" + Errno.name(errno) + ")");
        this.errno = errno;
    }

    /** The positive errno value (EINVAL, E2BIG, …). */
    public int errno() {
        return errno;
    }
}
