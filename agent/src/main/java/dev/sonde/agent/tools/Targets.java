package dev.sonde.agent.tools;

/** A tool's method argument as SEC-name targets: exact ({@code kprobe/…}) or, with a glob, {@code kprobe.multi/…}. */
final class Targets {
    private Targets() {
    }

    static boolean isGlob(String method) {
        return method.indexOf('*') >= 0 || method.indexOf('?') >= 0;
    }

    static String entry(String method) {
        return (isGlob(method) ? "kprobe.multi/" : "kprobe/") + method;
    }

    static String exit(String method) {
        return (isGlob(method) ? "kretprobe.multi/" : "kretprobe/") + method;
    }

    static void check(String method) throws ToolArgs.UsageError {
        if (!method.contains("::")) {
            throw new ToolArgs.UsageError("method '" + method + "' has no '::' between class and method (e.g. com.shop.Cart::add)");
        }
    }
}
