package dev.sonde.probe.control;

/**
 * How a program attaches: the cookie {@code bpf_get_attach_cookie} returns, optionally a target
 * that replaces the program's SEC name (same syntax: {@code kprobe/Cls::m},
 * {@code kretprobe.multi/com.shop.*::pay*}), and whether classes that are not loaded yet count
 * ({@code pending}: the program attaches to matching methods as their classes load, and a target
 * whose class is not loaded is not an error). Immutable; {@code with…} returns a copy.
 */
public record AttachOptions(long cookie, String target, boolean pending) {
    public static final AttachOptions DEFAULT = new AttachOptions(0, null, false);

    public AttachOptions(long cookie, String target) {
        this(cookie, target, false);
    }

    public AttachOptions withCookie(long c) {
        return new AttachOptions(c, target, pending);
    }

    /** Attach to this target instead of the program's SEC name. */
    public AttachOptions withTarget(String t) {
        return new AttachOptions(cookie, t, pending);
    }

    /**
     * Also attach to matching methods of classes that load later (a {@code -javaagent} attaching
     * before {@code main}): an exact class that is loaded now is resolved as without this option;
     * otherwise the target waits for its classes, each instrumented as it loads, before it is defined.
     */
    public AttachOptions withPending(boolean p) {
        return new AttachOptions(cookie, target, p);
    }
}
