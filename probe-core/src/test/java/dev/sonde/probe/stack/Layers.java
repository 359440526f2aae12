package dev.sonde.probe.stack;

import java.util.List;
import java.util.stream.Collectors;

/** outer → middle → target; target records what StackWalker sees of the same call. */
public final class Layers {
    public List<String> walked;

    public long outer(long x) {
        return middle(x) + 1;
    }

    long middle(long x) {
        return target(x) * 2;
    }

    long target(long x) {
        walked = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(s -> s.map(f -> f.getClassName() + "." + f.getMethodName()
            + f.getDescriptor() + ":" + f.getLineNumber()).collect(Collectors.toList()));
        return x + 3;
    }
}
