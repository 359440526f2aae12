package dev.sonde.agent.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code sonde profile <pid> --hz 99}: samples the Java stacks of the JVM's running application
 * threads {@code hz} times a second into a stack map, as BCC's profile samples CPUs with a perf
 * event, and shows them as folded stacks or a flame graph. The program ({@code profile.bpf.c}) is
 * a {@code timer/<period>/threads} program: each tick runs it once per RUNNABLE application thread,
 * with get_stackid answering for that thread (probe-core's {@code TimerRun}).
 */
final class Profile extends Tool {
    private StackReport stacks;
    private int totals;
    private Path svg;
    private boolean folded;
    private long hz;

    Profile() {
        super("profile");
    }

    @Override
    String usage() {
        return "sonde profile <pid> [--hz <n>] [--folded] [--svg <out.svg>] [-i <s>] [-d <s>] [--json]\n"
            + "  samples the running Java threads' stacks hz times a second (default 49); --svg writes a flame graph";
    }

    @Override
    Set<String> valued() {
        return Set.of("--hz", "--svg");
    }

    @Override
    Set<String> flags() {
        return Set.of("--folded");
    }

    @Override
    Map<String, String> aliases() {
        return Map.of("-F", "--hz", "-f", "--folded");
    }

    @Override
    String start(ToolSession s, ToolArgs a) throws IOException, ToolArgs.UsageError {
        if (!a.positional.isEmpty()) {
            throw new ToolArgs.UsageError("expected no argument besides the pid, got " + a.positional.size());
        }
        hz = a.positive("--hz", 49, 1000);
        folded = a.has("--folded");
        svg = a.has("--svg") ? Path.of(a.get("--svg", "")) : null;
        stacks = new StackReport(s, "counts", "stacks");
        totals = s.map("totals");
        long periodUs = Math.max(1, Math.round(1e6 / hz));
        s.attach("profile_tick", "timer/" + periodUs + "us/threads");
        return "the running threads' stacks at " + hz + " Hz";
    }

    @Override
    void report(ToolSession s, boolean last) throws IOException {
        StackCounts c = stacks.read(!last);
        long[] t = s.array(totals, 2);
        if (last && svg != null) {
            StackReport.writeSvg(svg, c, "profile of JVM " + s.pid + " at " + hz + " Hz", "samples");
        }
        Map<String, Object> m = null;
        if (json) {
            m = head(s, last);
            m.put("hz", hz);
            m.put("samples", c.total());
            m.put("samples_taken", t[0]);
            m.put("lost", t[1]);
        }
        printStacks(m, c, folded, svg, last, String.format("%d samples in %d stacks%s", c.total(), c.counts().size(),
            t[1] > 0 ? ", " + t[1] + " lost (stack map full)" : ""));
    }
}
