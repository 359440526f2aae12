package dev.sonde.trampoline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** One handler of one link on one method: an element of a dispatch image. */
final class Attachment {
    private static final VarHandle ERRORS;

    static {
        try {
            ERRORS = MethodHandles.lookup().findVarHandle(Attachment.class, "errors", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final AttachLink link;
    final Handler handler;
    final MethodSite site;
    /** The method's missed count when this attachment was published; guarded by Trampolines.sites. */
    final long missedAtAttach;
    private volatile long errors;

    Attachment(AttachLink link, Handler handler, MethodSite site, long missedAtAttach) {
        this.link = link;
        this.handler = handler;
        this.site = site;
        this.missedAtAttach = missedAtAttach;
    }

    /** Called on the hit path when the handler threw; must not throw itself. */
    void failed() {
        ERRORS.getAndAdd(this, 1L);
    }

    long errors() {
        return errors;
    }
}
