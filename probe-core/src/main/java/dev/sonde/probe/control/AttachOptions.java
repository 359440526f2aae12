package dev.sonde.probe.control;

/**
 * How a program attaches: the cookie {@code bpf_get_attach_cookie} returns, and optionally a
 * target that replaces the program's SEC name (same syntax: {@code kprobe/Cls::m},
 * {@code kretprobe.multi/com.shop.*::pay*}). Immutable; {@code with…} returns a copy.
 */
public record AttachOptions(long cookie, String target) {
    public static final AttachOptions DEFAULT = new AttachOptions(0, null);

    public AttachOptions withCookie(long c) {
        return new AttachOptions(c, target);
    }

    /** Attach to this target instead of the program's SEC name. */
    public AttachOptions withTarget(String t) {
        return new AttachOptions(cookie, t);
    }
}
