package dev.sonde.trampoline;

import dev.sonde.bpf.slot.ExecutionSlots;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MutableCallSite;
import java.util.ArrayList;
import java.util.List;

/**
 * The dispatch point of one method with trampolines: what its two invokedynamic call sites are
 * bound to, and the current dispatch images behind them.
 *
 * <p>Each trampoline's invokedynamic links (once, {@link Linker}) to {@link #entryArmed} /
 * {@link #exitArmed}: while that side has handlers, {@link Dispatch#entry} / {@link Dispatch#exit}
 * with this site and the {@code dynamicInvoker()} of a {@link MutableCallSite} bound in. The MutableCallSite's target is the current image, an
 * immutable method handle that calls every attached handler in attach order ({@link Dispatch#image}).
 * Attach and detach never mutate an image: they build a new one and {@code setTarget} it; the
 * caller then calls {@code MutableCallSite.syncAll} before the grace period.
 *
 * <p>Ordering: {@code setTarget} is the unpublishing write of DESIGN.md §2. HotSpot folds the
 * target of a MutableCallSite into compiled code and deoptimises the dependent code inside
 * {@code setTarget}, before it returns; interpreted code reads the target at each call. A hit reads
 * the target only after its {@code tryEnter} (a CAS, a full fence), so either the grace period that
 * follows sees the hit's slot busy and waits for it, or the hit sees the new image (ExecutionSlots'
 * Dekker argument, with setTarget + syncAll as the write).
 */
final class MethodSite {
    final int id;
    final MethodInfo info;
    final ClassKey owner;
    final ExecutionSlots slots;
    /** One frame per slot, shared by all sites of one Trampolines. */
    final Frame[] frames;
    /** Indices of the reference parameters, cleared after each dispatch so nothing is retained. */
    final int[] refArgs;
    final MutableCallSite entryImage = new MutableCallSite(Dispatch.IMAGE);
    final MutableCallSite exitImage = new MutableCallSite(Dispatch.IMAGE);
    /**
     * What each trampoline's invokedynamic is linked to, once: {@link Dispatch#entry} /
     * {@link Dispatch#exit} with this site and the image's {@code dynamicInvoker()} bound in.
     *
     * <p>Whether a side has any handler is a volatile flag ({@link #entryOn}, {@link #exitOn}) that
     * Dispatch reads first, so that a side without handlers (an entry-only probe's return) takes no
     * slot. It was first a second MutableCallSite toggled between the dispatch and a no-op; on
     * JDK 25 compiled code went on running the no-op for a while after {@code setTarget} and
     * {@code syncAll} had returned: ExactCountRaceTest saw return probes skip calls, uncounted, in
     * the middle of a window in which they were attached (the images, also MutableCallSites but
     * reached through {@code dynamicInvoker}, never showed it). The flag is read before the slot is
     * taken, which is sound because it only ever skips: a hit that reads true still takes its slot
     * before it reads the image, and an image may be empty.
     */
    final MutableCallSite entryArmed = new MutableCallSite(Dispatch.ENTRY_SITE);
    final MutableCallSite exitArmed = new MutableCallSite(Dispatch.EXIT_SITE);
    /** Written in publish after the images (volatile: pairs with the volatile reads in Dispatch.entry/exit). */
    volatile boolean entryOn;
    volatile boolean exitOn;
    /**
     * Whether the class's bytecode has this method's trampolines: set by the transformer when it
     * wrote them, cleared when it failed for the class (which then keeps or gets its original
     * bytes). An attach retransforms for a site that is not installed as for a new one. Volatile:
     * the transformer of a class load may run on any thread; the attach reads it under the site
     * lock after its own retransformation or the load that created the site.
     */
    volatile boolean installed;
    /** The attachments the images mirror; guarded by Trampolines.sites. */
    private List<Attachment> attachments = List.of();

    MethodSite(int id, MethodInfo info, ClassKey owner, ExecutionSlots slots, Frame[] frames) {
        this.id = id;
        this.info = info;
        this.owner = owner;
        this.slots = slots;
        this.frames = frames;
        int n = 0;
        for (int i = 0; i < info.argCount(); i++) {
            n += info.argKind(i) == 'L' ? 1 : 0;
        }
        this.refArgs = new int[n];
        for (int i = 0, k = 0; i < info.argCount(); i++) {
            if (info.argKind(i) == 'L') {
                refArgs[k++] = i;
            }
        }
        entryImage.setTarget(Dispatch.image(List.of(), false));
        exitImage.setTarget(Dispatch.image(List.of(), true));
        entryArmed.setTarget(MethodHandles.insertArguments(Dispatch.ENTRY, 0, this, entryImage.dynamicInvoker()));
        exitArmed.setTarget(MethodHandles.insertArguments(Dispatch.EXIT, 0, this, exitImage.dynamicInvoker()));
    }

    List<Attachment> attachments() {
        return attachments;
    }

    /** Publishes a new image with {@code a} appended (caller holds Trampolines.sites). */
    void add(Attachment a) {
        List<Attachment> next = new ArrayList<>(attachments);
        next.add(a);
        publish(List.copyOf(next));
    }

    /** Publishes a new image without {@code a}; returns whether no attachment is left. */
    boolean remove(Attachment a) {
        List<Attachment> next = new ArrayList<>(attachments);
        next.remove(a);
        publish(List.copyOf(next));
        return next.isEmpty();
    }

    private void publish(List<Attachment> next) {
        attachments = next;
        entryImage.setTarget(Dispatch.image(next, false));
        exitImage.setTarget(Dispatch.image(next, true));
        // After the images: a hit that reads true finds the new image (or a newer one).
        entryOn = Dispatch.armed(next, false);
        exitOn = Dispatch.armed(next, true);
    }

    MutableCallSite[] callSites() {
        return new MutableCallSite[] {entryImage, exitImage, entryArmed, exitArmed};
    }
}
