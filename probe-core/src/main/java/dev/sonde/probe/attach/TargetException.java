package dev.sonde.probe.attach;

/** A SEC target that does not parse, or names a class or method that is not there. */
public final class TargetException extends Exception {
    private final String target;

    public TargetException(String target, String reason) {
        super(target + ": " + reason);
        this.target = target;
    }

    /** The SEC name (or target) that was refused. */
    public String target() {
        return target;
    }
}
