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
     * What each trampoline's invokedynamic is linked to: {@link Dispatch#entry} / {@link Dispatch#exit}
     * while some attachment has work on that side, else a no-op, so that a side without handlers
     * (an entry-only probe's return) takes no slot. Read before the slot is taken, which is sound
     * because it only ever skips: a hit that sees the dispatch target still takes its slot before it
     * reads the image, and an image may be empty.
     */
    /** What a side without handlers runs: nothing, or the clearing of the reference parameters. */
    private final MethodHandle noEntry;
    private final MethodHandle noExit;
    final MutableCallSite entryArmed = new MutableCallSite(Dispatch.ENTRY_SITE);
    final MutableCallSite exitArmed = new MutableCallSite(Dispatch.EXIT_SITE);
    private final MethodHandle entryTarget;
    private final MethodHandle exitTarget;
    private static final MethodHandle NO_ENTRY = MethodHandles.empty(Dispatch.ENTRY_SITE);
    private static final MethodHandle NO_EXIT = MethodHandles.empty(Dispatch.EXIT_SITE);
    private boolean entryOn;
    private boolean exitOn;
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
        this.entryTarget = MethodHandles.insertArguments(Dispatch.ENTRY, 0, this, entryImage.dynamicInvoker());
        this.exitTarget = MethodHandles.insertArguments(Dispatch.EXIT, 0, this, exitImage.dynamicInvoker());
        this.noEntry = refArgs.length == 0 ? NO_ENTRY : MethodHandles.insertArguments(Dispatch.SKIP_ENTRY, 0, this);
        this.noExit = refArgs.length == 0 ? NO_EXIT : MethodHandles.insertArguments(Dispatch.SKIP_EXIT, 0, this);
        entryArmed.setTarget(noEntry);
        exitArmed.setTarget(noExit);
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
        boolean in = Dispatch.armed(next, false);
        boolean out = Dispatch.armed(next, true);
        if (in != entryOn) {
            entryOn = in;
            entryArmed.setTarget(in ? entryTarget : noEntry);
        }
        if (out != exitOn) {
            exitOn = out;
            exitArmed.setTarget(out ? exitTarget : noExit);
        }
    }

    MutableCallSite[] callSites() {
        return new MutableCallSite[] {entryImage, exitImage, entryArmed, exitArmed};
    }
}
