package dev.sonde.agent.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code sonde stackcount <pid> <method>}: the Java call stacks that lead to a method, counted, as
 * BCC's stackcount counts kernel stacks. {@code --folded} prints folded stacks (flamegraph.pl's
 * input), {@code --svg out.svg} writes a flame graph drawn by Sonde ({@link FlameGraph}).
 */
final class Stackcount extends Tool {
    private String method;
    private StackReport stacks;
    private int lost;
    private Path svg;
    private boolean folded;
    private int methods;

    Stackcount() {
        super("stackcount");
    }

    @Override
    String usage() {
        return "sonde stackcount <pid> <class>::<method> [--folded] [--svg <out.svg>] [-i <s>] [-d <s>] [--json]\n"
            + "  the call stacks that lead to the method, counted; --svg writes a flame graph";
    }

    @Override
    Set<String> valued() {
        return Set.of("--svg");
    }

    @Override
    Set<String> flags() {
        return Set.of("--folded");
    }

    @Override
    Map<String, String> aliases() {
        return Map.of("-f", "--folded");
    }

    @Override
    String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError {
        if (a.positional.size() != 1) {
            throw new ToolArgs.UsageError("expected one method (besides the pid), got " + a.positional.size() + " arguments");
        }
        method = a.positional.get(0);
        Targets.check(method);
        folded = a.has("--folded");
        svg = a.has("--svg") ? Path.of(a.get("--svg", "")) : null;
        stacks = new StackReport(s, "counts", "stacks");
        lost = s.map("lost");
        methods = s.attach("stackcount_entry", Targets.entry(method)).methods();
        return s.methodsText(methods) + " for \"" + method + "\"";
    }

    @Override
    void report(ToolSession s, boolean last) throws IOException {
        StackCounts c = stacks.read(!last);
        long lostCalls = s.array(lost, 1)[0];
        if (last && svg != null) {
            StackReport.writeSvg(svg, c, "stackcount " + method, "calls");
        }
        Map<String, Object> m = null;
        if (json) {
            m = head(s, last);
            m.put("method", method);
            m.put("methods_attached", methods);
            m.put("total", c.total());
            m.put("lost", lostCalls);
        }
        printStacks(m, c, folded, svg, last, String.format("%d calls in %d stacks%s", c.total(), c.counts().size(),
            lostCalls > 0 ? ", " + lostCalls + " calls lost (stack map full)" : ""));
    }
}
