package dev.sonde.bpf.map;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The recency order of an LRU hash table, Linux's bpf_lru_list reduced to one list with reference
 * bits (CLOCK, "second chance"): a lookup only sets its element's bit, without a lock; an eviction
 * scans from the cold end, gives every element with the bit set one more round at the hot end
 * (clearing the bit) and takes the first element without it. For a single thread this evicts
 * exactly in least-recently-used order as long as each element is touched at most once between
 * evictions, and approximately otherwise, as Linux does.
 *
 * <p>Doubly linked over element indices, guarded by {@link #lock} (taken before any bucket lock).
 */
final class LruList {
    private static final VarHandle REF = MethodHandles.arrayElementVarHandle(byte[].class);

    final SpinLocks lock = new SpinLocks(1);
    private final int[] prev;
    private final int[] next;
    private final boolean[] in;
    /** Set by lookups without the lock (opaque: a lost or late bit only changes the approximation). */
    private final byte[] ref;
    private int hot = -1;
    private int cold = -1;

    LruList(int capacity) {
        prev = new int[capacity];
        next = new int[capacity];
        in = new boolean[capacity];
        ref = new byte[capacity];
    }

    /** A lookup hit: mark recently used; writes only when the bit is clear (no needless line bouncing). */
    void touch(int e) {
        if ((byte) REF.getOpaque(ref, e) == 0) {
            REF.setOpaque(ref, e, (byte) 1);
        }
    }

    void add(int e) {
        lock.lock(0);
        try {
            REF.setOpaque(ref, e, (byte) 0);
            pushHotLocked(e);
        } finally {
            lock.unlock(0);
        }
    }

    void remove(int e) {
        lock.lock(0);
        try {
            removeLocked(e);
        } finally {
            lock.unlock(0);
        }
    }

    // ---- with lock held -----------------------------------------------------------------------

    /** The cold end's element after giving referenced elements their second chance; -1 when empty. */
    int coldestLocked() {
        for (int guard = 0; cold >= 0 && guard <= prev.length; guard++) {
            int e = cold;
            if ((byte) REF.getOpaque(ref, e) == 0) {
                return e;
            }
            REF.setOpaque(ref, e, (byte) 0);
            moveHotLocked(e);
        }
        return cold;
    }

    /** Moves {@code e} to the hot end without touching its bit (an element that cannot be evicted now). */
    void moveHotLocked(int e) {
        removeLocked(e);
        pushHotLocked(e);
    }

    void removeLocked(int e) {
        if (!in[e]) {
            return;
        }
        int p = prev[e];
        int n = next[e];
        if (p >= 0) {
            next[p] = n;
        } else {
            hot = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            cold = p;
        }
        in[e] = false;
    }

    private void pushHotLocked(int e) {
        prev[e] = -1;
        next[e] = hot;
        if (hot >= 0) {
            prev[hot] = e;
        } else {
            cold = e;
        }
        hot = e;
        in[e] = true;
    }
}
