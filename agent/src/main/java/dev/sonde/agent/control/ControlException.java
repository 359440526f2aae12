package dev.sonde.agent.control;

import java.io.IOException;

/** An error reply of the control socket: the errno (positive, as Linux names it) and the agent's message. */
public final class ControlException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ControlException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** The errno the agent answered with (e.g. {@link ControlProtocol#ENOENT}). */
    public int errno() {
        return errno;
    }
}
