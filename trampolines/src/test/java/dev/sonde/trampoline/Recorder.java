package dev.sonde.trampoline;

import dev.sonde.bpf.vm.Cpu;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A handler that copies every frame it sees (allocates: not for the allocation test). */
class Recorder implements Handler {
    /** One observed hit, copied out of the reusable frame. */
    record Hit(boolean exit, MethodInfo method, long[] args, Object[] refs, Object self,
               long ret, Object retRef, Throwable thrown, int cpu) {}

    final List<Hit> hits = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onEntry(Frame f, Cpu cpu) {
        hits.add(copy(f, cpu));
    }

    @Override
    public void onExit(Frame f, Cpu cpu) {
        hits.add(copy(f, cpu));
    }

    static Hit copy(Frame f, Cpu cpu) {
        int n = f.argCount();
        long[] a = new long[n];
        Object[] r = new Object[n];
        for (int i = 0; i < n; i++) {
            a[i] = f.arg(i);
            r[i] = f.refArg(i);
        }
        return new Hit(f.isExit(), f.method(), a, r, f.self(), f.returnValue(), f.returnRef(), f.thrown(), cpu.id);
    }

    List<Hit> entries() {
        synchronized (hits) {
            return hits.stream().filter(h -> !h.exit()).toList();
        }
    }

    List<Hit> exits() {
        synchronized (hits) {
            return hits.stream().filter(Hit::exit).toList();
        }
    }

    void clear() {
        hits.clear();
    }
}
