package dev.sonde.probe.control;

/** A program that cannot be attached: its target names nothing, or names something unprobeable. */
public final class AttachException extends Exception {
    public AttachException(String message) {
        super(message);
    }

    public AttachException(String message, Throwable cause) {
        super(message, cause);
    }
}
