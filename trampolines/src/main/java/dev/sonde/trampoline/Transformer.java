package dev.sonde.trampoline;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;

/**
 * Sonde's one retransformation-capable ClassFileTransformer, registered at install and never
 * replaced. It instruments exactly the methods that have sites now and declines (returns null)
 * for every other class, so "restore the original" is a retransformation in which it declines:
 * the JVM starts again from the class's original bytes and re-applies the other agents'
 * retransform-capable transformers, whose instrumentation therefore survives.
 *
 * <p>It reads only concurrent maps and immutable snapshots and takes no lock but the short site
 * lock (class loads that match an armed pattern), so a class loading on any thread can never wait
 * for a control operation that is retransforming.
 */
final class Transformer implements ClassFileTransformer {
    private final Trampolines owner;
    /** A transformation that triggers a class load must not re-enter: that nested load is left alone. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();

    Transformer(Trampolines owner) {
        this.owner = owner;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain pd, byte[] bytes) {
        if (className == null || Trampolines.isDenied(className) || busy.get() != null) {
            return null;
        }
        busy.set(Boolean.TRUE);
        ClassKey key = new ClassKey(loader, className);
        try {
            if (redefined == null) {
                owner.onLoad(key, module, bytes);
            }
            Map<String, MethodSite> sites = owner.sitesOf(key);
            if (sites == null || sites.isEmpty()) {
                return null;
            }
            Map<String, Integer> ids = new HashMap<>();
            sites.forEach((k, s) -> ids.put(k, s.id));
            byte[] out = TrampolineWriter.rewrite(bytes, loader, className, ids);
            sites.values().forEach(s -> s.installed = true);
            return out;
        } catch (Throwable t) {
            // Declining leaves the class with no trampoline of Sonde's: none of its sites is installed.
            Map<String, MethodSite> sites = owner.sitesOf(key);
            if (sites != null) {
                sites.values().forEach(s -> s.installed = false);
            }
            owner.transformFailed(key, t);
            return null;
        } finally {
            busy.remove();
        }
    }
}
