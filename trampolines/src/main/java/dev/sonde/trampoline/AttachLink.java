package dev.sonde.trampoline;

import dev.sonde.trampoline.boot.Hooks;
import java.util.ArrayList;
import java.util.List;

/** The Link implementation: its attachments, one per method, and its frozen counters after close. */
final class AttachLink implements Link {
    private final Trampolines owner;
    private final MethodPattern pattern;
    private final Handler handler;
    /** Whether classes that load later and match are instrumented for this link. */
    final boolean armed;
    /** Guarded by the owner's site lock; the list object is replaced, never mutated. */
    private List<Attachment> attachments = List.of();
    private volatile boolean open = true;
    private volatile long frozenMissed;
    private volatile long frozenErrors;

    AttachLink(Trampolines owner, MethodPattern pattern, Handler handler, boolean armed) {
        this.owner = owner;
        this.pattern = pattern;
        this.handler = handler;
        this.armed = armed;
    }

    @Override
    public MethodPattern pattern() {
        return pattern;
    }

    @Override
    public Handler handler() {
        return handler;
    }

    /** Caller holds the owner's site lock. */
    void add(Attachment a) {
        List<Attachment> next = new ArrayList<>(attachments);
        next.add(a);
        attachments = List.copyOf(next);
    }

    /** Caller holds the owner's site lock. */
    boolean isAttachedTo(MethodSite s) {
        for (Attachment a : attachments) {
            if (a.site == s) {
                return true;
            }
        }
        return false;
    }

    /** Caller holds the owner's site lock: counters are frozen, attachments dropped. */
    List<Attachment> closeLocked() {
        List<Attachment> all = attachments;
        frozenMissed = missed(all);
        frozenErrors = errors(all);
        attachments = List.of();
        open = false;
        return all;
    }

    List<Attachment> attachments() {
        synchronized (owner.siteLock()) {
            return attachments;
        }
    }

    @Override
    public List<MethodInfo> methods() {
        List<MethodInfo> out = new ArrayList<>();
        for (Attachment a : attachments()) {
            out.add(a.site.info);
        }
        return List.copyOf(out);
    }

    @Override
    public long nmissed() {
        return open ? missed(attachments()) : frozenMissed;
    }

    @Override
    public long errors() {
        return open ? errors(attachments()) : frozenErrors;
    }

    private static long missed(List<Attachment> all) {
        long n = 0;
        for (Attachment a : all) {
            n += Hooks.missed(a.site.id) - a.missedAtAttach;
        }
        return n;
    }

    private static long errors(List<Attachment> all) {
        long n = 0;
        for (Attachment a : all) {
            n += a.errors();
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        owner.detach(List.of(this));
    }

    @Override
    public String toString() {
        return "Link[" + pattern + (open ? "" : ", closed") + "]";
    }
}
