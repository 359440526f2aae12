package dev.sonde.bpf.elf;

/**
 * A program's {@code SEC("...")} name, split into what to attach and where. Sonde's grammar, not
 * libbpf's: a kprobe target is a Java method ({@code kprobe/com.shop.Cart::add(JI)Z}), so the
 * target is kept verbatim after the first '/'; resolving it is probe-core's job.
 *
 * @param type     the program kind the prefix selects
 * @param target   what follows the prefix and '/', "" if nothing does (e.g. bare {@code SEC("kprobe")})
 * @param isReturn true for the return-probe forms (kretprobe, kretprobe.multi, uretprobe)
 * @param raw      the whole section name
 */
public record SecName(Type type, String target, boolean isReturn, String raw) {

    public enum Type {
        KPROBE, KPROBE_MULTI, UPROBE, TIMER, TRACEPOINT, UNKNOWN
    }

    /**
     * Parses a section name. Prefixes, longest first so that {@code kprobe.multi} is not taken for
     * {@code kprobe}: a prefix matches when the name equals it or continues with '/'. Sleepable
     * ({@code .s}) variants are not recognised and end up UNKNOWN for the caller to reject.
     */
    public static SecName parse(String name) {
        for (Prefix p : PREFIXES) {
            if (name.equals(p.text)) {
                return new SecName(p.type, "", p.isReturn, name);
            }
            if (name.startsWith(p.text) && name.charAt(p.text.length()) == '/') {
                return new SecName(p.type, name.substring(p.text.length() + 1), p.isReturn, name);
            }
        }
        return new SecName(Type.UNKNOWN, "", false, name);
    }

    private record Prefix(String text, Type type, boolean isReturn) {
    }

    private static final Prefix[] PREFIXES = {
        new Prefix("kretprobe.multi", Type.KPROBE_MULTI, true),
        new Prefix("kprobe.multi", Type.KPROBE_MULTI, false),
        new Prefix("kretprobe", Type.KPROBE, true),
        new Prefix("kprobe", Type.KPROBE, false),
        new Prefix("uretprobe", Type.UPROBE, true),
        new Prefix("uprobe", Type.UPROBE, false),
        new Prefix("timer", Type.TIMER, false),
        new Prefix("tracepoint", Type.TRACEPOINT, false),
        new Prefix("tp", Type.TRACEPOINT, false),
    };
}
